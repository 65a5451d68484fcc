/**
 * A request shaped like Claude Code's first turn (DESIGN §4, "what real clients send"): a long cached system prompt,
 * a few dozen tool definitions with JSON schemas, a user turn wrapped in system reminders, `metadata.user_id` as a
 * JSON string, and the headers Claude Code sends. Deterministic, so runs compare.
 */

export interface BenchRequest {
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

const SESSION = '3f6c2b1e-8d4a-4c7e-9b1f-2a5d6e7f8091';

const WORDS = (
  'the file tool read write edit search run test build lint repository branch commit diff patch function class ' +
  'module import export type value error result request response stream event token cache prompt user assistant ' +
  'message content block schema property required string number boolean array object path line column output'
).split(' ');

/** Prose of about `bytes` characters from a fixed vocabulary (a tiny LCG keeps it deterministic). */
function prose(bytes: number, seed: number): string {
  let state = seed >>> 0 || 1;
  const parts: string[] = [];
  let length = 0;
  while (length < bytes) {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    const word = WORDS[state % WORDS.length] as string;
    const piece = state % 11 === 0 ? `${word}.\n` : `${word} `;
    parts.push(piece);
    length += piece.length;
  }
  return parts.join('').slice(0, bytes);
}

function tool(index: number): object {
  return {
    name: `Tool${index}`,
    description: prose(900, 101 + index),
    input_schema: {
      type: 'object',
      properties: {
        file_path: { type: 'string', description: prose(120, 201 + index) },
        pattern: { type: 'string', description: prose(80, 301 + index) },
        limit: { type: 'number', description: prose(60, 401 + index) },
        options: { type: 'array', items: { type: 'string' }, description: prose(60, 501 + index) },
      },
      required: ['file_path'],
      additionalProperties: false,
      $schema: 'http://json-schema.org/draft-07/schema#',
    },
  };
}

function bodyObject(stream: boolean, reminderBytes: number): Record<string, unknown> {
  return {
    model: 'claude-sonnet-4-5-20250929',
    max_tokens: 32_000,
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: `<system-reminder>\n${prose(reminderBytes, 7)}\n</system-reminder>` },
          { type: 'text', text: 'Why does the test in tests/unit/circuit-breaker.test.ts fail?', cache_control: { type: 'ephemeral' } },
        ],
      },
    ],
    system: [
      { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude.", cache_control: { type: 'ephemeral' } },
      { type: 'text', text: prose(12_000, 3), cache_control: { type: 'ephemeral' } },
    ],
    tools: Array.from({ length: 16 }, (_, index) => tool(index)),
    metadata: { user_id: JSON.stringify({ device_id: 'a'.repeat(64), account_uuid: '', session_id: SESSION }) },
    stream,
  };
}

/** The request, its body padded (inside the system reminder) to `bodyBytes` when the fixed parts are smaller. */
export function benchRequest(bodyBytes: number, stream: boolean): BenchRequest {
  const fixed = Buffer.byteLength(JSON.stringify(bodyObject(stream, 0)));
  const body = Buffer.from(JSON.stringify(bodyObject(stream, Math.max(0, bodyBytes - fixed))));
  return {
    path: '/v1/messages?beta=true',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'accept-encoding': 'gzip, deflate, br, zstd',
      'anthropic-version': '2023-06-01',
      'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14',
      'anthropic-dangerous-direct-browser-access': 'true',
      'user-agent': 'claude-cli/2.1.30 (external, cli)',
      'x-app': 'cli',
      'x-stainless-lang': 'js',
      'x-stainless-retry-count': '0',
      'x-stainless-timeout': '600',
      'x-claude-code-session-id': SESSION,
      'x-api-key': 'sk-ant-bench-client-key-never-forwarded',
    },
    body,
  };
}
