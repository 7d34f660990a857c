/**
 * Which ERP order a payment belongs to, from lists of candidates in order of trust (the payment's own booking,
 * the shop order its checkout named, then orders of the same amount and currency): the first list that names any
 * decides; one candidate is the order, several need a person, none means the order has not arrived (yet).
 */
export type OrderMatch<T> =
  | { kind: 'found'; order: T }
  /**
   * `amountOnly`: the candidates share only the payment's amount and currency (no booking, no shop order named), so
   * the question may still settle itself, e.g. when an order's own flow books the payment moments later.
   */
  | { kind: 'ambiguous'; candidates: T[]; amountOnly?: boolean }
  | { kind: 'none' };

export function pickOrder<T>(listsByTrust: ReadonlyArray<readonly T[]>): OrderMatch<T> {
  const first = listsByTrust.find((list) => list.length > 0);
  if (!first) return { kind: 'none' };
  return first.length === 1 ? { kind: 'found', order: first[0]! } : { kind: 'ambiguous', candidates: [...first] };
}
