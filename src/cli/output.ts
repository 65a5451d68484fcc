import { createColors } from 'picocolors';
import stringWidth from 'string-width';

export type Colors = ReturnType<typeof createColors>;

/** Where a command writes: lines for people, JSON for scripts, colour only on a terminal and never with NO_COLOR. */
export interface Output {
  readonly color: Colors;
  line(text?: string): void;
  error(text: string): void;
  json(value: unknown): void;
}

export interface OutputStreams {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export function createOutput(streams: OutputStreams, env: NodeJS.ProcessEnv): Output {
  const useColor = Boolean(streams.stdout.isTTY) && !('NO_COLOR' in env) && env.TERM !== 'dumb';
  const color = createColors(useColor || env.FORCE_COLOR === '1');
  return {
    color,
    line: (text = '') => void streams.stdout.write(`${text}\n`),
    error: (text) => void streams.stderr.write(`${text}\n`),
    json: (value) => void streams.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
  };
}

/**
 * Pictographs shown as text by default (`▶`, no U+FE0F after it) take one column in a terminal, though string-width
 * counts every emoji as two; `⭐` and the like, emoji by default, do take two.
 */
const TEXT_STYLE_PICTOGRAPH = /(?!\p{Emoji_Presentation})\p{Extended_Pictographic}(?!\uFE0F)/gu;

/** Columns a text takes in a terminal, Chinese text and emoji included. */
export function displayWidth(text: string): number {
  return stringWidth(text.replace(TEXT_STYLE_PICTOGRAPH, ' '));
}

/** Pads to a display width, so columns line up with Chinese text and emoji in them. */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** Rows as aligned columns; the last column is not padded. */
export function columns(rows: readonly (readonly string[])[], gap = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, displayWidth(cell));
    });
  }
  return rows.map((row) =>
    row
      .map((cell, index) => (index === row.length - 1 ? cell : padEnd(cell, widths[index] ?? 0)))
      .join(gap)
      .trimEnd(),
  );
}

/** "3 min ago" style, for last-used columns. */
export function relativeTime(iso: string | undefined, now: Date, lang: 'en' | 'zh'): string {
  if (!iso) return lang === 'zh' ? '从未' : 'never';
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  const units: [number, string, string][] = [
    [86_400, 'd', '天'],
    [3_600, 'h', '小时'],
    [60, 'min', '分钟'],
  ];
  for (const [size, en, zh] of units) {
    if (seconds >= size) {
      const count = Math.floor(seconds / size);
      return lang === 'zh' ? `${count} ${zh}前` : `${count} ${en} ago`;
    }
  }
  return lang === 'zh' ? '刚刚' : 'just now';
}
