import { allocate, currencyExponent, sumMinor, toDecimalString, toMinorUnits } from '../../domain/money';

describe('toMinorUnits', () => {
  it.each([
    ['12.3', 'USD', 1230],
    ['12.30', 'USD', 1230],
    ['19.99', 'USD', 1999],
    ['0.01', 'EUR', 1],
    ['7', 'GBP', 700],
    [' 4.90 ', 'USD', 490],
    ['-5.25', 'USD', -525],
    ['1500', 'JPY', 1500],
    ['1500.00', 'JPY', 1500],
    ['1.234', 'KWD', 1234],
    ['0.5', 'KWD', 500],
    ['0.10', 'BHD', 100],
    ['90071992547409.91', 'USD', 9_007_199_254_740_991],
  ])('%s %s -> %i', (decimal, currency, minor) => {
    expect(toMinorUnits(decimal, currency)).toBe(minor);
  });

  it('refuses more decimals than the currency has instead of rounding', () => {
    expect(() => toMinorUnits('1.999', 'USD')).toThrow('more decimals than USD allows (2)');
    expect(() => toMinorUnits('1500.5', 'JPY')).toThrow('more decimals than JPY allows (0)');
    expect(() => toMinorUnits('1.2345', 'KWD')).toThrow('more decimals than KWD allows (3)');
    // Only significant digits count: trailing zeros are not extra precision.
    expect(toMinorUnits('1.9900', 'USD')).toBe(199);
  });

  it.each(['', 'abc', '1,00', '1.', '.5', '1e3', '+1', '--1', '12.3.4', 'NaN'])('refuses the malformed amount %p', (decimal) => {
    expect(() => toMinorUnits(decimal, 'USD')).toThrow('invalid amount');
  });

  it('refuses invalid currency codes and amounts beyond safe integers', () => {
    expect(() => toMinorUnits('1', 'usd')).toThrow('invalid currency code');
    expect(() => toMinorUnits('1', 'EURO')).toThrow('invalid currency code');
    expect(() => toMinorUnits('90071992547409.92', 'USD')).toThrow('too large');
  });
});

describe('toDecimalString', () => {
  it.each([
    [1230, 'USD', '12.30'],
    [5, 'USD', '0.05'],
    [0, 'EUR', '0.00'],
    [-5, 'USD', '-0.05'],
    [-1999, 'USD', '-19.99'],
    [1500, 'JPY', '1500'],
    [0, 'JPY', '0'],
    [1234, 'KWD', '1.234'],
    [1, 'KWD', '0.001'],
    [-1, 'KWD', '-0.001'],
  ])('%i %s -> %s', (minor, currency, decimal) => {
    expect(toDecimalString(minor, currency)).toBe(decimal);
  });

  it('refuses fractions of a minor unit', () => {
    expect(() => toDecimalString(12.5, 'USD')).toThrow('not an integer');
    expect(() => toDecimalString(Number.NaN, 'USD')).toThrow('not an integer');
  });

  it('round-trips with toMinorUnits', () => {
    for (const currency of ['USD', 'JPY', 'KWD']) {
      for (const minor of [0, 1, 9, 10, 99, 100, 101, 123_456, -7, 9_007_199_254_740_991]) {
        expect(toMinorUnits(toDecimalString(minor, currency), currency)).toBe(minor);
      }
    }
  });

  it('knows the exponents', () => {
    expect([currencyExponent('USD'), currencyExponent('JPY'), currencyExponent('KWD'), currencyExponent('CHF')]).toEqual([2, 0, 3, 2]);
  });
});

describe('allocate', () => {
  it('splits by weight with the largest remainders, ties to the earlier part', () => {
    expect(allocate(1000, [1, 1, 1])).toEqual([334, 333, 333]);
    expect(allocate(100, [1, 2])).toEqual([33, 67]);
    expect(allocate(500, [5997, 0, 1999])).toEqual([375, 0, 125]);
    expect(allocate(1, [1, 1])).toEqual([1, 0]);
    expect(allocate(0, [3, 4])).toEqual([0, 0]);
  });

  it('handles no parts and all-zero weights', () => {
    expect(allocate(100, [])).toEqual([]);
    expect(allocate(100, [0, 0])).toEqual([100, 0]);
  });

  it('always sums exactly, whatever the weights (a seeded sweep)', () => {
    let seed = 42;
    const next = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let run = 0; run < 500; run++) {
      const weights = Array.from({ length: 1 + next(8) }, () => next(10_000));
      const amount = next(1_000_000) - 200_000;
      const parts = allocate(amount, weights);
      expect(parts).toHaveLength(weights.length);
      expect(sumMinor(parts)).toBe(amount);
      for (const p of parts) expect(Number.isInteger(p)).toBe(true);
    }
  });
});
