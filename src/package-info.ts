import { readFileSync } from 'node:fs';

/** The package's own name and version, read once from the package.json that ships beside `dist/`. */
export const packageInfo: { readonly name: string; readonly version: string } = (() => {
  const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
  const { name, version } = JSON.parse(text) as { name: string; version: string };
  return Object.freeze({ name, version });
})();
