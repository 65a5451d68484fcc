import { readFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { ticksToMs } from './processes.js';

/**
 * How busy the machine was with work other than the benchmark's: on a shared machine the absolute figures of a run
 * mean little when other processes took the CPUs, while the ratios of interleaved targets still hold. Linux only
 * (`/proc/stat`); elsewhere the share is unknown.
 */
export class ForeignLoad {
  readonly #startBusyMs: number | undefined;
  readonly #startedAt: number;

  private constructor(startBusyMs: number | undefined) {
    this.#startBusyMs = startBusyMs;
    this.#startedAt = Date.now();
  }

  static async start(): Promise<ForeignLoad> {
    return new ForeignLoad(await busyMs());
  }

  /** Percent of all CPUs' time used by processes other than the benchmark's own (`ownCpuMs`) since `start`. */
  async percent(ownCpuMs: number): Promise<number | undefined> {
    const end = await busyMs();
    if (end === undefined || this.#startBusyMs === undefined) return undefined;
    const capacity = (Date.now() - this.#startedAt) * cpus().length;
    return Math.max(0, (100 * (end - this.#startBusyMs - ownCpuMs)) / capacity);
  }
}

/** CPU time all CPUs spent on anything but idle and iowait, in ms. */
async function busyMs(): Promise<number | undefined> {
  try {
    const line = (await readFile('/proc/stat', 'utf8')).split('\n', 1)[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = ticks;
    return await ticksToMs(user + nice + system + irq + softirq + steal);
  } catch {
    return undefined;
  }
}
