// The minimal undici pass-through, the baseline a proxy cannot beat:
// `node dist/bench/passthrough.js --upstream http://127.0.0.1:PORT`. Prints `{"url":…,"pid":…}` once listening.
//
// Each request is forwarded to the upstream with one undici Pool, the request body streamed (not buffered), the
// response piped back with backpressure, the upstream aborted when the client leaves. Hop-by-hop headers are
// dropped; nothing else is looked at: no retries, no parsing, no logs, no records.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { parseArgs } from 'node:util';
import { Pool, type Dispatcher } from 'undici';

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host'];

function endToEnd<T extends IncomingHttpHeaders | Dispatcher.ResponseData['headers']>(headers: T): T {
  const copy = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}

const { values } = parseArgs({
  options: { upstream: { type: 'string' }, port: { type: 'string', default: '0' } },
});
if (!values.upstream) {
  process.stderr.write('pass-through: --upstream URL is required\n');
  process.exit(2);
}

const pool = new Pool(new URL(values.upstream).origin, { keepAliveTimeout: 60_000, headersTimeout: 0, bodyTimeout: 0 });

const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0 }, (req, res) => {
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  pool
    .request({
      path: req.url ?? '/',
      method: (req.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: endToEnd(req.headers),
      body: hasBody ? req : null,
      signal: abort.signal,
    })
    .then(
      (upstream) => {
        res.writeHead(upstream.statusCode, endToEnd(upstream.headers));
        // pipe(), not pipeline(): pipeline() allocates an AbortController per call and aborts it (a DOMException
        // with its stack) when it finishes, which costs ~5 % of this process's CPU. A broken upstream cuts the client.
        upstream.body.once('error', () => res.destroy());
        upstream.body.pipe(res);
      },
      () => {
        if (res.headersSent || res.destroyed) return void res.destroy();
        res.writeHead(502, { 'content-type': 'application/json' });
        res.end('{"type":"error","error":{"type":"api_error","message":"pass-through: upstream failed"}}');
      },
    );
});

server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}`, pid: process.pid })}\n`);
});

const shutdown = (): void => {
  server.closeAllConnections();
  server.close();
  void pool.destroy().finally(() => process.exit(0));
};
process.once('SIGTERM', shutdown);
process.once('SIGINT', shutdown);
process.once('disconnect', shutdown);
