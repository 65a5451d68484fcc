/** pino's numeric levels, by name. */
export const LOG_LEVELS: Readonly<Record<string, number>> = { debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const NAMES: Readonly<Record<number, string>> = { 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/**
 * One JSON log line as a person reads it: `2026-11-22T04:30:01.123Z INFO  request  method=POST status=200 …`.
 * `qcc proxy logs` and a foreground gateway print this; the file keeps the JSON. A line that is not JSON is kept.
 */
export function formatLogLine(line: string, dim: (text: string) => string = (text) => text): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const { time, level, msg, pid: _pid, ...rest } = entry;
  const fields = Object.entries(rest)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' ');
  const name = (NAMES[Number(level)] ?? String(level)).padEnd(5);
  return `${dim(String(time ?? ''))} ${name} ${String(msg ?? '')}${fields ? `  ${dim(fields)}` : ''}`;
}
