import { fail, hmac, ok, safeEqual, type Verdict } from '../../domain/webhooks/signatures';

/** Stripe's `Stripe-Signature` scheme: signing (our simulator) and verification (the relay). */

export const STRIPE_TOLERANCE_SECONDS = 300;

export function signStripe(secret: string, rawBody: Buffer | string, timestampSeconds: number): string {
  const v1 = hmac(secret, Buffer.concat([Buffer.from(`${timestampSeconds}.`), Buffer.from(rawBody)]), 'hex');
  return `t=${timestampSeconds},v1=${v1}`;
}

export function verifyStripe(args: { secret: string; rawBody: Buffer; header: string | undefined; nowSeconds: number }): Verdict {
  if (!args.header) return fail('missing Stripe-Signature header');
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of args.header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d+$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && value) candidates.push(value);
  }
  if (timestamp === undefined) return fail('Stripe-Signature has no timestamp');
  if (candidates.length === 0) return fail('Stripe-Signature has no v1 signature');
  if (Math.abs(args.nowSeconds - timestamp) > STRIPE_TOLERANCE_SECONDS) return fail('timestamp outside the 300-second tolerance');
  const expected = hmac(args.secret, Buffer.concat([Buffer.from(`${timestamp}.`), args.rawBody]), 'hex');
  return candidates.some((c) => safeEqual(expected, c)) ? ok : fail('signature mismatch');
}
