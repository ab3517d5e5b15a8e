import type { FastifyReply, FastifyRequest } from 'fastify';

export const DASHBOARD_PATH = '/admin/queues';

const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
// The dashboard is a single-page app served from here: its scripts and styles are same-origin (plus inline style
// attributes in its loading screen); nothing else may load, and no page may frame it.
const DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/** Security headers on every response (errors and 404s included). */
export function securityHeaders(request: FastifyRequest, reply: FastifyReply): void {
  const dashboard =
    request.url === DASHBOARD_PATH ||
    request.url.startsWith(`${DASHBOARD_PATH}/`) ||
    request.url.startsWith(`${DASHBOARD_PATH}?`);
  reply.header('content-security-policy', dashboard ? DASHBOARD_CSP : API_CSP);
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('x-frame-options', 'DENY');
  reply.header('cache-control', 'no-store');
  reply.header('cross-origin-opener-policy', 'same-origin');
  reply.header('cross-origin-resource-policy', 'same-origin');
  reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=()');
}
