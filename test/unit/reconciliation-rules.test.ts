import { classificationSql, classifyPayout, classifyRow, countByClass, matchRate, ROW_RULES, type RowFacts } from '../../erp/reconciliation/classify';
import { DEFAULT_WINDOW_POLICY, fixedWindow, nextWindow } from '../../erp/reconciliation/window';
import { disputeFeeMinor, processingFeeMinor } from '../../connectors/stripe/simulator/pricing';

/** Reconciliation's pure parts: what a row's facts are called, which window a run covers, and the simulator's prices. */

const clean: RowFacts = { candidates: 1, claimRank: 1, currencyEqual: true, amountEqual: true, feeEqual: true };

describe('classifyRow', () => {
  test.each([
    [{}, null],
    [{ candidates: 0 }, 'missing_in_erp'],
    [{ candidates: 3 }, 'ambiguous'],
    [{ claimRank: 2 }, 'duplicate'],
    [{ currencyEqual: false }, 'currency_mismatch'],
    [{ amountEqual: false }, 'amount_mismatch'],
    [{ feeEqual: false }, 'fee_mismatch'],
    // Precedence: what cannot be compared is named before what differs; a currency difference before an amount one.
    [{ candidates: 0, amountEqual: false }, 'missing_in_erp'],
    [{ claimRank: 2, currencyEqual: false }, 'duplicate'],
    [{ currencyEqual: false, amountEqual: false, feeEqual: false }, 'currency_mismatch'],
    [{ amountEqual: false, feeEqual: false }, 'amount_mismatch'],
  ] as Array<[Partial<RowFacts>, string | null]>)('%j is %s', (facts, expected) => {
    expect(classifyRow({ ...clean, ...facts })).toBe(expected);
  });

  test('the SQL expression lists the same rules in the same order', () => {
    const sql = classificationSql();
    const positions = ROW_RULES.map((r) => sql.indexOf(`WHEN ${r.sql} THEN '${r.class}'`));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(sql).toMatch(/^CASE .* END$/);
  });
});

test('a payout reconciles only when its lines are in its currency and add up to it to the minor unit', () => {
  expect(classifyPayout({ amountMinor: 9_680, linesNetMinor: 9_680, currencyEqual: true })).toBeNull();
  expect(classifyPayout({ amountMinor: 9_680, linesNetMinor: 9_679, currencyEqual: true })).toBe('amount_mismatch');
  expect(classifyPayout({ amountMinor: 9_680, linesNetMinor: 9_680, currencyEqual: false })).toBe('currency_mismatch');
});

test('match rate and counts per class', () => {
  expect(matchRate(999_993, 1_000_000)).toBe(0.999993);
  expect(matchRate(2, 3)).toBe(0.666667);
  expect(matchRate(0, 0)).toBe(1);
  expect(countByClass([{ class: 'duplicate', n: 2 }, { class: 'duplicate', n: 1 }, { class: 'ambiguous', n: 4 }])).toEqual({
    missing_in_erp: 0, missing_at_provider: 0, amount_mismatch: 0, currency_mismatch: 0, fee_mismatch: 0, duplicate: 3, ambiguous: 4,
  });
});

describe('nextWindow', () => {
  const policy = { overlapMs: 2 * 3_600_000, settleMs: 15 * 60_000, maxSpanMs: 86_400_000, matchSlackMs: 3_600_000 };

  test('starts before the previous end by the overlap, and ends the settle delay before now', () => {
    expect(nextWindow('2026-11-30T00:00:00.000Z', '2026-11-30T06:00:00.000Z', policy)).toEqual({
      from: '2026-11-29T22:00:00.000Z', to: '2026-11-30T05:45:00.000Z', providerFrom: '2026-11-29T21:00:00.000Z',
    });
  });

  test('catches up a long gap in windows of at most maxSpan, each overlapping the last', () => {
    const first = nextWindow('2026-11-01T00:00:00.000Z', '2026-11-30T06:00:00.000Z', policy)!;
    expect(first).toMatchObject({ from: '2026-10-31T22:00:00.000Z', to: '2026-11-01T22:00:00.000Z' });
    const second = nextWindow(first.to, '2026-11-30T06:00:00.000Z', policy)!;
    expect(second).toMatchObject({ from: '2026-11-01T20:00:00.000Z', to: '2026-11-02T20:00:00.000Z' });
  });

  test('has nothing to do until more than the overlap has settled', () => {
    expect(nextWindow('2026-11-30T05:45:00.000Z', '2026-11-30T06:00:00.000Z', policy)).toBeNull();
    expect(nextWindow('2026-11-30T05:44:00.000Z', '2026-11-30T06:00:00.000Z', policy)).toMatchObject({ to: '2026-11-30T05:45:00.000Z' });
  });

  test('the first run covers maxSpan up to the settled end; times in other zones come out in UTC', () => {
    expect(nextWindow(null, '2026-11-30T07:00:00+01:00', policy)).toMatchObject({ from: '2026-11-29T05:45:00.000Z', to: '2026-11-30T05:45:00.000Z' });
    expect(nextWindow(null, '2026-11-30T06:00:00.000Z')).toMatchObject({ to: '2026-11-30T05:45:00.000Z' });
    expect(DEFAULT_WINDOW_POLICY.overlapMs).toBeGreaterThan(DEFAULT_WINDOW_POLICY.settleMs);
  });

  test('refuses instants without a zone, and fixed windows that end before they start', () => {
    expect(() => nextWindow('2026-11-30T00:00:00', '2026-11-30T06:00:00.000Z', policy)).toThrow('previousTo must be an ISO instant with a zone');
    expect(() => fixedWindow('2026-11-02T00:00:00Z', '2026-11-01T00:00:00Z')).toThrow('must end after it starts');
    expect(fixedWindow('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z')).toEqual({
      from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z', providerFrom: '2026-10-31T23:00:00.000Z',
    });
  });
});

describe('simulated Stripe pricing', () => {
  test.each([
    [10_000, 'USD', 320], [500, 'USD', 45], [1_234, 'usd', 66],
    [1_000, 'JPY', 36], [125, 'JPY', 5], [124, 'JPY', 4],
    [12_345, 'KWD', 458], [1, 'KWD', 100],
  ])('%i minor units of %s cost %i', (amount, currency, fee) => {
    expect(processingFeeMinor(amount, currency)).toBe(fee);
  });

  test('dispute fees follow the currency exponent', () => {
    expect([disputeFeeMinor('USD'), disputeFeeMinor('JPY'), disputeFeeMinor('KWD')]).toEqual([1_500, 1_500, 5_000]);
  });
});
