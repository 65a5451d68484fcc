import type { RequestRecord } from '../../src/core/request-record.js';

/** A served request as the gateway records it; `index` makes the id unique. */
export function servedRecord(index: number, at = Date.now()): RequestRecord {
  return {
    id: `req_${index.toString(36).padStart(10, '0')}`,
    at,
    method: 'POST',
    path: '/v1/messages',
    profile: 'work',
    endpointId: '0123abcd',
    attempts: 1,
    status: 200,
    outcome: 'ok',
    stream: false,
    ttfbMs: 12,
    durationMs: 40,
    bytesIn: 51_353,
    bytesOut: 357,
    model: 'claude-sonnet-4-5-20250929',
    inputTokens: 1606,
    outputTokens: 17,
    cacheCreationTokens: 1604,
    cacheReadTokens: 9629,
    error: null,
  };
}

export function servedRecords(from: number, count: number): RequestRecord[] {
  return Array.from({ length: count }, (_, offset) => servedRecord(from + offset));
}
