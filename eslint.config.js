// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Layers, innermost first: each may import only itself and what is listed (DESIGN §2, STYLE habits 2–4). */
const layers = {
  core: [],
  config: [],
  i18n: ['core'],
  simulator: ['core'],
  store: ['core', 'config'],
  claude: ['core', 'config', 'store'],
  upstream: ['core', 'config'],
  gateway: ['core', 'config', 'i18n', 'upstream', 'store'],
  daemon: ['core', 'config', 'i18n', 'store', 'upstream', 'gateway'],
  cli: ['core', 'config', 'i18n', 'store', 'claude', 'simulator'],
  bench: ['core', 'simulator'],
};
const all = Object.keys(layers);

const layerRules = Object.entries(layers).map(([layer, allowed]) => ({
  files: [`src/${layer}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            group: all.filter((other) => other !== layer && !allowed.includes(other)).flatMap((other) => [`../${other}/*`, `../../${other}/*`]),
            message: `src/${layer} may import only from: ${[layer, ...allowed].join(', ')} (dependencies point inward).`,
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'node_modules/', '.ci/', 'coverage/', '.scratch/', '.bench/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', Buffer: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', structuredClone: 'readonly', performance: 'readonly', fetch: 'readonly', queueMicrotask: 'readonly' } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  ...layerRules,
  {
    // core stays pure: no I/O modules of Node either.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'undici', 'pino'], message: 'src/core is pure: I/O belongs to the shell around it.' },
            { group: ['../*/*', '!../config/schema.js'], message: 'src/core imports only core (and types of config/schema).' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/bin/**/*.ts', 'scripts/**/*.js', 'tests/**/*.ts', 'src/bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
