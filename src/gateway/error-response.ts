import type { ServerResponse } from 'node:http';
import { renderError, type QccError } from '../core/errors.js';

/**
 * qcc's own errors, shaped as Anthropic's (`{"type":"error","error":{…}}`) so every client can read them, and
 * marked with `x-qcc-error` so they are never mistaken for an upstream's answer.
 */
export function sendQccError(res: ServerResponse, error: QccError, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.destroy(error);
    return;
  }
  const body = JSON.stringify({
    type: 'error',
    error: { type: error.anthropicType, message: renderError(error.code, error.params, 'en') },
  });
  res.writeHead(error.httpStatus, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'x-qcc-error': error.code,
    ...extraHeaders,
  });
  res.end(body);
}

/** The `event: error` qcc writes into a committed stream that broke, so it never ends as if it were complete. */
export function streamErrorEvent(error: QccError): string {
  const data = JSON.stringify({
    type: 'error',
    error: { type: error.anthropicType, message: renderError(error.code, error.params, 'en') },
  });
  return `event: error\ndata: ${data}\n\n`;
}
