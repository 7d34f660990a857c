import { currencyExponent } from '../../../domain/money';

/**
 * What the simulated account pays Stripe, in the charge's own minor units and in integers only: a percentage in
 * basis points rounded half-up, plus a fixed fee that means the same in every currency. A flat "+30" would be
 * 30 cents in USD but ¥30 in JPY and 0.030 KWD, so the fixed part and the dispute fee follow the currency's exponent.
 */

interface Pricing { percentBps: number; fixedMinor: number; disputeFeeMinor: number }

const BY_EXPONENT: Record<number, Pricing> = {
  // Zero-decimal currencies: Stripe Japan's 3.6 %, no fixed fee, ¥1,500 per dispute.
  0: { percentBps: 360, fixedMinor: 0, disputeFeeMinor: 1_500 },
  // 2.9 % + 0.30, 15.00 per dispute.
  2: { percentBps: 290, fixedMinor: 30, disputeFeeMinor: 1_500 },
  // Three-decimal currencies (KWD, BHD...): 2.9 % + 0.100, 5.000 per dispute.
  3: { percentBps: 290, fixedMinor: 100, disputeFeeMinor: 5_000 },
};

function pricingOf(currency: string): Pricing {
  return BY_EXPONENT[currencyExponent(currency.toUpperCase())] ?? BY_EXPONENT[2]!;
}

/** The processing fee on a captured amount: `percent` rounded half-up to a whole minor unit, then the fixed part. */
export function processingFeeMinor(amountMinor: number, currency: string): number {
  const { percentBps, fixedMinor } = pricingOf(currency);
  return Math.floor((amountMinor * percentBps + 5_000) / 10_000) + fixedMinor;
}

export function disputeFeeMinor(currency: string): number {
  return pricingOf(currency).disputeFeeMinor;
}
