import { createHmac, timingSafeEqual } from 'node:crypto';

/** What every webhook signature check shares; each vendor's scheme is in its connector (connectors/<vendor>/signature.ts). */

export type Verdict = { ok: true } | { ok: false; reason: string };

export const ok: Verdict = { ok: true };
export const fail = (reason: string): Verdict => ({ ok: false, reason });

export function hmac(secret: string, data: Buffer | string, encoding: 'base64' | 'hex'): string {
  return createHmac('sha256', secret).update(data).digest(encoding);
}

/** Constant-time comparison that does not leak the expected length through an exception. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
