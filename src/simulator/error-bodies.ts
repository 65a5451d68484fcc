import type { AnthropicErrorType } from '../core/errors.js';

/** The `error.type` the Anthropic API pairs with each status (docs.anthropic.com, "Errors"). */
export function errorTypeForStatus(status: number): AnthropicErrorType {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return status >= 400 && status < 500 ? 'invalid_request_error' : 'api_error';
  }
}

/** Messages close to the real API's, so that a client that shows them prints something familiar. */
const defaultMessages: Readonly<Record<AnthropicErrorType, string>> = {
  invalid_request_error: 'Invalid request',
  authentication_error: 'invalid x-api-key',
  permission_error: 'Your API key does not have permission to use the specified resource.',
  not_found_error: 'Not found',
  request_too_large: 'Request exceeds the maximum allowed number of bytes.',
  rate_limit_error: 'Number of request tokens has exceeded your per-minute rate limit',
  api_error: 'Internal server error',
  overloaded_error: 'Overloaded',
};

export function errorBody(type: AnthropicErrorType, message: string = defaultMessages[type]): string {
  return JSON.stringify({ type: 'error', error: { type, message } });
}

const bodiesByStatus = new Map<number, string>();

/** The body for an error status, serialised once per status: fault responses sit on the benchmark's path too. */
export function errorBodyForStatus(status: number): string {
  let body = bodiesByStatus.get(status);
  if (body === undefined) {
    body = errorBody(errorTypeForStatus(status));
    bodiesByStatus.set(status, body);
  }
  return body;
}
