import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Who may read the dashboard. On loopback only this machine's users reach it; bound anywhere else it shows business
 * data to a network, so it refuses to start without a token and then asks every request for it.
 */

/** Whether a bind address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h) || h === '::ffff:127.0.0.1';
}

/** Why the dashboard must not start with these settings, or undefined when it may. */
export function bindingProblem(host: string, token: string | undefined): string | undefined {
  if (isLoopbackHost(host) || token) return undefined;
  return `DASHBOARD_TOKEN is not set, but DASHBOARD_HOST=${host} makes the dashboard reachable beyond this machine: ` +
    'set DASHBOARD_TOKEN to a long random secret (e.g. `openssl rand -hex 32`) and send it as `Authorization: Bearer <token>` ' +
    'or `?token=<token>`, or bind the dashboard to 127.0.0.1';
}

/** The token a request presents: the bearer of its Authorization header, else its `token` query parameter. */
export function presentedToken(authorization: string | undefined, queryToken: unknown): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (bearer) return bearer[1];
  return typeof queryToken === 'string' && queryToken.length > 0 ? queryToken : undefined;
}

/** Constant-time comparison (of digests, so that the length of the secret does not leak either). */
export function tokenMatches(expected: string, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(presented));
}
