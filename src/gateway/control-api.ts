import type { IncomingMessage, ServerResponse } from 'node:http';
import { QccError } from '../core/errors.js';
import type { GatewayStatus } from '../core/gateway-status.js';
import { sameSecret } from './client-auth.js';
import { sendQccError } from './error-response.js';

export type ReloadResult = { readonly ok: true; readonly activeProfile: string | null } | { readonly ok: false; readonly error: string };

/** What the control routes can ask of the daemon that runs the gateway. */
export interface ControlHandlers {
  status(): GatewayStatus;
  reload(): Promise<ReloadResult>;
  stop(): void;
}

/** The header that carries the admin token (kept in `~/.qcc/admin-token`, 0600) on mutating routes. */
export const ADMIN_TOKEN_HEADER = 'x-qcc-admin-token';

/**
 * `/_qcc/*` (DESIGN §9): reads are open to whoever may use the gateway; anything that changes it needs the admin
 * token. No route ever returns a key.
 */
export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  handlers: ControlHandlers,
  adminToken: string,
  adminTokenFile: string,
): Promise<void> {
  const path = (req.url ?? '').split('?')[0];
  const method = req.method ?? 'GET';
  const isAdmin = (): boolean => {
    const presented = req.headers[ADMIN_TOKEN_HEADER];
    return sameSecret(typeof presented === 'string' ? presented : undefined, adminToken);
  };
  req.resume();
  if (method === 'GET' && path === '/_qcc/status') return sendJson(res, 200, handlers.status());
  if (method === 'POST' && (path === '/_qcc/reload' || path === '/_qcc/stop')) {
    if (!isAdmin()) return sendQccError(res, new QccError('QCC_ERR_ADMIN_TOKEN', { file: adminTokenFile }));
    if (path === '/_qcc/reload') {
      const result = await handlers.reload();
      return sendJson(res, result.ok ? 200 : 422, result);
    }
    sendJson(res, 202, { stopping: true });
    handlers.stop();
    return;
  }
  sendQccError(res, new QccError('QCC_ERR_ROUTE_NOT_FOUND', { method, path: path ?? '' }));
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}
