/**
 * Money as integer minor units plus an ISO 4217 currency, never floats. Vendors send decimal strings
 * ("12.30" in Shopify) or minor units (Stripe); both are converted exactly, by string arithmetic.
 */

export interface Money {
  amountMinor: number;
  currency: string;
}

/** Currencies whose minor unit is not cents (ISO 4217 exponent); all others have two decimals. */
const EXPONENTS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

export function currencyExponent(currency: string): number {
  if (!/^[A-Z]{3}$/.test(currency)) throw new Error(`invalid currency code "${currency}"`);
  return EXPONENTS[currency] ?? 2;
}

/** "12.3" USD -> 1230. Refuses more decimals than the currency has, rather than rounding a cent away. */
export function toMinorUnits(decimal: string, currency: string): number {
  const exponent = currencyExponent(currency);
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match) throw new Error(`invalid amount "${decimal}"`);
  const [, sign, whole, fraction = ''] = match;
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > exponent) throw new Error(`amount "${decimal}" has more decimals than ${currency} allows (${exponent})`);
  const minor = Number(whole) * 10 ** exponent + Number((fraction + '0'.repeat(exponent)).slice(0, exponent) || '0');
  if (!Number.isSafeInteger(minor)) throw new Error(`amount "${decimal}" is too large`);
  return sign ? -minor : minor;
}

/** 1230 USD -> "12.30". */
export function toDecimalString(amountMinor: number, currency: string): string {
  if (!Number.isSafeInteger(amountMinor)) throw new Error(`amount ${amountMinor} is not an integer number of minor units`);
  const exponent = currencyExponent(currency);
  const sign = amountMinor < 0 ? '-' : '';
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, '0');
  return exponent === 0 ? `${sign}${digits}` : `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

export function sumMinor(amounts: readonly number[]): number {
  return amounts.reduce((total, a) => total + a, 0);
}

/**
 * Splits an amount over weights (e.g. an order discount over its lines) so that the parts add up exactly:
 * largest-remainder allocation, ties to the earlier part. No cent is lost or invented.
 */
export function allocate(amountMinor: number, weights: readonly number[]): number[] {
  const total = sumMinor(weights);
  if (weights.length === 0) return [];
  if (total === 0) return weights.map((_, i) => (i === 0 ? amountMinor : 0));
  // Integer arithmetic throughout: the share's whole part and its remainder, both exact.
  const parts = weights.map((w) => Math.floor((amountMinor * w) / total));
  let left = amountMinor - sumMinor(parts);
  const order = weights.map((w, i) => ({ i, rest: amountMinor * w - parts[i]! * total })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i]!++;
    left--;
  }
  return parts;
}
