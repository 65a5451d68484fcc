import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { FaultPlan } from './fault-plan.js';
import { handleRequest, type HandlerContext, type RequestRow } from './handle-request.js';
import { DEFAULT_REPLY, Replies } from './replies.js';
import type { Fault, FaultOptions, FaultScript, RecordedRequest, Simulator, SimulatorOptions } from './types.js';

/** Starts a fake Anthropic-compatible upstream and resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = new SimulatorServer(options);
  await simulator.start();
  return simulator;
}

class SimulatorServer implements Simulator {
  readonly name: string;
  readonly #host: string;
  #port: number;
  readonly #plan = new FaultPlan();
  readonly #context: HandlerContext;
  #requests: RequestRow[] = [];
  #refused = 0;
  #seq = 0;
  #server: Server | undefined;
  #closing = false;
  /** Every open connection, across the servers that `stop()` and `start()` go through. */
  readonly #sockets = new Set<Socket>();
  readonly #waiters = new Set<() => void>();

  constructor(options: SimulatorOptions) {
    this.name = options.name ?? 'sim';
    this.#host = options.host ?? '127.0.0.1';
    this.#port = checkInteger('port', options.port ?? 0, 0, 65_535);
    const chunks = checkInteger('chunks', options.chunks ?? 5, 1, 10_000);
    const apiKey = options.apiKey;
    this.#context = {
      name: this.name,
      tag: this.name.replace(/[^A-Za-z0-9_-]/g, '_'),
      auth:
        apiKey === undefined
          ? undefined
          : options.authStyle === 'bearer'
            ? { header: 'authorization', value: `Bearer ${apiKey}` }
            : { header: 'x-api-key', value: apiKey },
      latencyMs: checkDelay('latencyMs', options.latencyMs),
      eventGapMs: checkDelay('eventGapMs', options.eventGapMs),
      chunks,
      replies: new Replies(options.replyText ?? DEFAULT_REPLY, chunks),
      plan: this.#plan,
      isServing: () => this.#server !== undefined,
      isClosing: () => this.#closing,
      record: (row) => this.#requests.push(row) - 1,
      changed: () => this.#changed(),
      refused: () => {
        this.#refused += 1;
      },
      nextSeq: () => ++this.#seq,
    };
  }

  get url(): string {
    const host = this.#host.includes(':') ? `[${this.#host}]` : this.#host;
    return `http://${host}:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  get requests(): readonly RecordedRequest[] {
    return this.#requests;
  }

  get refusedConnections(): number {
    return this.#refused;
  }

  fault(fault: Fault, options: FaultOptions = {}): void {
    // Kept-alive connections are left open on purpose: closing them races with a client that is sending on one,
    // which would fail with "other side closed" and not consume the fault. A request on one is refused instead.
    this.#plan.add(fault, options.times);
  }

  script(plan: FaultScript): void {
    this.#plan.setScript(plan);
  }

  clearFaults(): void {
    this.#plan.clear();
  }

  reset(): void {
    this.#requests = [];
    this.#refused = 0;
    this.#plan.clear();
  }

  waitFor(condition: (simulator: Simulator) => boolean, timeoutMs = 2_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const settle = (error?: unknown): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        if (error === undefined) resolve();
        else reject(error instanceof Error ? error : new Error(String(error)));
      };
      const check = (): void => {
        try {
          if (condition(this)) settle();
        } catch (error) {
          settle(error);
        }
      };
      const timer = setTimeout(
        () => settle(new Error(`simulator '${this.name}': condition not met within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.#waiters.add(check);
      check();
    });
  }

  async start(): Promise<void> {
    if (this.#closing) throw new Error(`simulator '${this.name}' is closed`);
    if (this.#server) return;
    const server = createServer((req, res) => handleRequest(this.#context, req, res));
    server.on('connection', (socket: Socket) => this.#accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, this.#host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address !== null && typeof address === 'object') this.#port = address.port;
    this.#server = server;
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    // The listening socket closes now, so new connections are refused at once. Responses in flight may finish;
    // waiting for them (the close callback) would block on a hung request.
    server.close();
    server.closeIdleConnections();
  }

  async close(): Promise<void> {
    this.#closing = true;
    const server = this.#server;
    this.#server = undefined;
    const closed = server ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  #accept(socket: Socket): void {
    if (this.#plan.takeRefusal()) {
      this.#refused += 1;
      socket.resetAndDestroy();
      this.#changed();
      return;
    }
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  #changed(): void {
    if (this.#waiters.size === 0) return;
    for (const check of [...this.#waiters]) check();
  }
}

function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`simulator ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function checkDelay(name: string, value: number | undefined): number {
  const delay = value ?? 0;
  if (!Number.isFinite(delay) || delay < 0) throw new RangeError(`simulator ${name} must be >= 0 ms, got ${delay}`);
  return delay;
}
