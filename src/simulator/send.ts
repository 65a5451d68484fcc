import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { constants, createGzip, gzipSync, type Gzip } from 'node:zlib';
import { MESSAGE_STOP } from './replies.js';

/** One response in flight, and who ended it. */
export interface Exchange {
  readonly res: ServerResponse;
  /** The simulator tore the connection down itself (a fault), so the close is not a client abort. */
  selfDestroyed: boolean;
  /** The response has closed: finished, abandoned by the client, or destroyed. */
  closed: boolean;
}

/** How the normal answer goes out; the faults `slow`, `cut`, `gzip` and `drop-stop` are variations of it. */
export interface Delivery {
  readonly gapMs: number;
  /** Stream: events sent before the cut. JSON: any value cuts the body in half. */
  readonly cutAfter?: number;
  readonly gzip?: boolean;
  readonly dropStop?: boolean;
  /** Pieces a non-streaming body drips in when `gapMs` > 0. */
  readonly pieces: number;
}

export const JSON_TYPE = 'application/json';
const SSE_HEADERS: OutgoingHttpHeaders = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' };

/** Waits `ms`; resolves false (at once) if the response closed meanwhile, so no timer outlives its exchange. */
export function pause(ex: Exchange, ms: number): Promise<boolean> {
  if (ex.closed) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      ex.res.off('close', done);
      resolve(!ex.closed);
    };
    const timer = setTimeout(done, ms);
    ex.res.once('close', done);
  });
}

export function sendBody(
  ex: Exchange,
  status: number,
  headers: OutgoingHttpHeaders,
  contentType: string,
  body: string,
): void {
  ex.res.writeHead(status, { ...headers, 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
  ex.res.end(body);
}

/** RST: the client sees ECONNRESET, never a half answer that might pass for a whole one. */
export function resetConnection(ex: Exchange): void {
  ex.selfDestroyed = true;
  ex.res.socket?.resetAndDestroy();
}

/**
 * FIN after what was written so far. Not RST: a reset may make the peer drop data it has received but not yet read,
 * and a cut must deliver exactly the events before it.
 */
function cutConnection(ex: Exchange): void {
  ex.selfDestroyed = true;
  const socket = ex.res.socket;
  socket?.end(() => socket.destroy());
}

export async function deliverJson(
  ex: Exchange,
  status: number,
  headers: OutgoingHttpHeaders,
  body: string,
  delivery: Delivery,
): Promise<void> {
  const { res } = ex;
  if (delivery.gzip) {
    const zipped = gzipSync(body);
    res.writeHead(status, {
      ...headers,
      'content-type': JSON_TYPE,
      'content-encoding': 'gzip',
      'content-length': zipped.length,
    });
    res.end(zipped);
    return;
  }
  const bytes = Buffer.from(body);
  const full = { ...headers, 'content-type': JSON_TYPE, 'content-length': bytes.length };
  if (delivery.cutAfter !== undefined) {
    // The full length is announced, so the client can tell the body is short.
    res.writeHead(status, full);
    res.write(bytes.subarray(0, bytes.length >> 1), () => cutConnection(ex));
    return;
  }
  if (delivery.gapMs <= 0) {
    res.writeHead(status, full);
    res.end(bytes);
    return;
  }
  res.writeHead(status, full);
  const pieces = Math.max(1, delivery.pieces);
  for (let i = 0; i < pieces; i++) {
    if (i > 0 && !(await pause(ex, delivery.gapMs))) return;
    const piece = bytes.subarray(Math.floor((i * bytes.length) / pieces), Math.floor(((i + 1) * bytes.length) / pieces));
    if (i === pieces - 1) res.end(piece);
    else res.write(piece);
  }
}

export async function deliverEvents(
  ex: Exchange,
  headers: OutgoingHttpHeaders,
  allEvents: readonly string[],
  delivery: Delivery,
): Promise<void> {
  const { res } = ex;
  const events = delivery.dropStop ? allEvents.filter((event) => event !== MESSAGE_STOP) : allEvents;
  if (delivery.gzip) return deliverGzipEvents(ex, headers, events, delivery.gapMs);
  res.writeHead(200, { ...headers, ...SSE_HEADERS });
  if (delivery.gapMs <= 0 && delivery.cutAfter === undefined) {
    // The benchmark's path: one write for the whole stream.
    res.end(events.join(''));
    return;
  }
  res.flushHeaders();
  const sent = events.slice(0, delivery.cutAfter ?? events.length);
  for (const [i, event] of sent.entries()) {
    if (i > 0 && !(await pause(ex, delivery.gapMs))) return;
    if (delivery.cutAfter !== undefined && i === sent.length - 1) {
      res.write(event, () => cutConnection(ex));
      return;
    }
    res.write(event);
  }
  if (delivery.cutAfter !== undefined) cutConnection(ex);
  else res.end();
}

/** Each event is flushed through the compressor, so a gzip stream still arrives event by event, as relays send it. */
async function deliverGzipEvents(
  ex: Exchange,
  headers: OutgoingHttpHeaders,
  events: readonly string[],
  gapMs: number,
): Promise<void> {
  const gzip = createGzip();
  gzip.on('error', (error) => ex.res.destroy(error));
  ex.res.writeHead(200, { ...headers, ...SSE_HEADERS, 'content-encoding': 'gzip' });
  gzip.pipe(ex.res);
  for (const [i, event] of events.entries()) {
    if (i > 0 && !(await pause(ex, gapMs))) {
      gzip.destroy();
      return;
    }
    gzip.write(event);
    await flushGzip(gzip);
  }
  gzip.end();
}

function flushGzip(gzip: Gzip): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      gzip.off('close', done);
      resolve();
    };
    gzip.once('close', done);
    gzip.flush(constants.Z_SYNC_FLUSH, done);
  });
}
