// Where a process's CPU time went, from a V8 `.cpuprofile` (`npm run bench -- --cpu-prof` writes one for the gateway
// and one for the pass-through): `node dist/bench/profile-summary.js FILE.cpuprofile [--top N]`.
// Prints the share of idle time and GC, self time by area (qcc, undici, Node's internals), the functions with the
// most self time, and qcc's own functions by inclusive time (themselves and everything they call).
// `--callers TEXT` adds, for each function whose name or file contains TEXT, where its self time was called from.
// Times are sample counts × the median sampling interval, unless `--wall` (see selfTimes).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
  readonly startTime: number;
  readonly endTime: number;
}

/**
 * Self time of each node, in µs. By default every sample weighs the median sampling interval: on a shared machine
 * the process is sometimes descheduled between two samples, and the wall time of that gap (up to 150 ms seen) would
 * otherwise land on whatever function happened to be on the stack. `wall` uses the recorded intervals as they are.
 */
function selfTimes(profile: Profile, wall: boolean): Map<number, number> {
  const deltas = [...profile.timeDeltas].sort((a, b) => a - b);
  const interval = deltas[deltas.length >> 1] ?? 1000;
  const self = new Map<number, number>();
  profile.samples.forEach((id, index) => {
    const delta = wall ? Math.max(0, profile.timeDeltas[index + 1] ?? 0) : interval;
    self.set(id, (self.get(id) ?? 0) + delta);
  });
  return self;
}

function area(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.includes('/node_modules/undici/')) return 'undici';
  if (url.includes('/node_modules/pino') || url.includes('/node_modules/thread-stream') || url.includes('/node_modules/sonic-boom')) return 'pino';
  if (url.includes('/node_modules/')) return 'other npm packages';
  if (url.startsWith('node:')) return `node ${url.slice(5).split('/')[0]}`;
  const dist = url.lastIndexOf('/dist/');
  if (dist !== -1) return `qcc ${url.slice(dist + 6).split('/')[0]}`;
  return url;
}

function where(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  if (frame.url === '') return name;
  const dist = frame.url.lastIndexOf('/dist/');
  const modules = frame.url.lastIndexOf('/node_modules/');
  const file = dist !== -1 ? frame.url.slice(dist + 6) : modules !== -1 ? frame.url.slice(modules + 14) : frame.url;
  return `${name} ${file}:${frame.lineNumber + 1}`;
}

function table(rows: readonly (readonly [string, number])[], totalUs: number, top: number): string[] {
  return [...rows]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => `  ${(us / 1000).toFixed(1).padStart(9)} ms ${((100 * us) / totalUs).toFixed(1).padStart(5)} %  ${name}`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    options: {
      top: { type: 'string', default: '25' },
      callers: { type: 'string', multiple: true, default: [] },
      wall: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  const top = Number(values.top);
  for (const file of positionals) {
    const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
    const self = selfTimes(profile, values.wall);
    const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
    const totalUs = [...self.values()].reduce((sum, us) => sum + us, 0);
    const idleUs = profile.nodes.filter((node) => node.callFrame.functionName === '(idle)').reduce((sum, node) => sum + (self.get(node.id) ?? 0), 0);
    const busyUs = totalUs - idleUs;

    const byArea = new Map<string, number>();
    const byFunction = new Map<string, number>();
    for (const node of profile.nodes) {
      const us = self.get(node.id) ?? 0;
      if (us === 0 || node.callFrame.functionName === '(idle)') continue;
      byArea.set(area(node.callFrame), (byArea.get(area(node.callFrame)) ?? 0) + us);
      byFunction.set(where(node.callFrame), (byFunction.get(where(node.callFrame)) ?? 0) + us);
    }

    // Inclusive time of qcc's functions: each function counted once per stack, however often it recurses.
    const inclusive = new Map<string, number>();
    const walk = (id: number, onStack: ReadonlySet<string>): number => {
      const node = nodes.get(id);
      if (!node) return 0;
      const name = where(node.callFrame);
      const mine = node.callFrame.url.includes('/dist/') && !onStack.has(name);
      const stack = mine ? new Set([...onStack, name]) : onStack;
      let us = self.get(id) ?? 0;
      for (const child of node.children ?? []) us += walk(child, stack);
      if (mine) inclusive.set(name, (inclusive.get(name) ?? 0) + us);
      return us;
    };
    const root = profile.nodes[0];
    if (root) walk(root.id, new Set());

    // Self time of the functions asked about, by the chain of their three nearest callers.
    const parents = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
    const callerLines: string[] = [];
    for (const text of values.callers) {
      const byCaller = new Map<string, number>();
      for (const node of profile.nodes) {
        const us = self.get(node.id) ?? 0;
        if (us === 0 || !where(node.callFrame).includes(text)) continue;
        const chain: string[] = [];
        for (let id = parents.get(node.id); id !== undefined && chain.length < 3; id = parents.get(id)) {
          const frame = nodes.get(id)?.callFrame;
          if (frame) chain.push(where(frame));
        }
        const key = `${where(node.callFrame)} <- ${chain.join(' <- ')}`;
        byCaller.set(key, (byCaller.get(key) ?? 0) + us);
      }
      callerLines.push(`callers of "${text}" (self time)`, ...table([...byCaller], busyUs, top), '');
    }

    const lines = [
      file,
      `  ${(totalUs / 1e6).toFixed(2)} s profiled, busy ${(busyUs / 1e6).toFixed(2)} s (${((100 * busyUs) / totalUs).toFixed(1)} %), idle ${((100 * idleUs) / totalUs).toFixed(1)} %`,
      '',
      'self time by area (share of busy time)',
      ...table([...byArea], busyUs, top),
      '',
      `top ${top} functions by self time`,
      ...table([...byFunction], busyUs, top),
      '',
      `top ${top} qcc functions by inclusive time`,
      ...table([...inclusive], busyUs, top),
      '',
      ...callerLines,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
