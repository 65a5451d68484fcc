/**
 * Node 22 warns that `node:sqlite` is experimental every time a process loads it. qcc's processes drop that one
 * warning and keep every other; this module is imported first, before anything can load `node:sqlite`.
 */
const emitWarning = process.emitWarning.bind(process);

process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const message = typeof warning === 'string' ? warning : warning.message;
  const first = rest[0];
  const type =
    typeof first === 'string' ? first : typeof warning === 'string' ? (first as { type?: string } | undefined)?.type : warning.name;
  if (type === 'ExperimentalWarning' && /SQLite/i.test(message)) return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
