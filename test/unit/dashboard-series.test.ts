import {
  bucketStart, bucketStarts, defaultBucket, exactWindow, fillDurationTrend, formatDuration, formatPercent, parseDuration, timeWindow,
} from '../../dashboard/series';

const at = (iso: string) => new Date(iso);

describe('dashboard time windows', () => {
  it('aligns buckets to whole UTC hours and days', () => {
    expect(bucketStart(at('2026-03-29T01:59:59.999Z'), 'hour').toISOString()).toBe('2026-03-29T01:00:00.000Z');
    expect(bucketStart(at('2026-03-29T23:30:00Z'), 'day').toISOString()).toBe('2026-03-29T00:00:00.000Z');
  });

  it('widens the last N hours back to the start of the first bucket, and chooses days beyond three days', () => {
    const now = at('2026-11-30T10:17:00Z');
    expect(timeWindow(now, 24)).toEqual({ from: at('2026-11-29T10:00:00Z'), to: now, bucket: 'hour', hours: 24 });
    expect(timeWindow(now, 168)).toEqual({ from: at('2026-11-23T00:00:00Z'), to: now, bucket: 'day', hours: 168 });
    expect(timeWindow(now, 24, 'day').from).toEqual(at('2026-11-29T00:00:00Z'));
    expect([defaultBucket(72), defaultBucket(73)]).toEqual(['hour', 'day']);
    expect(exactWindow(now, 2)).toEqual({ from: at('2026-11-30T08:17:00Z'), to: now, bucket: 'hour', hours: 2 });
  });

  it('lists every bucket of the window, the one holding now included', () => {
    const starts = bucketStarts(timeWindow(at('2026-11-30T10:17:00Z'), 3));
    expect(starts.map((d) => d.toISOString())).toEqual(['2026-11-30T07:00:00.000Z', '2026-11-30T08:00:00.000Z', '2026-11-30T09:00:00.000Z', '2026-11-30T10:00:00.000Z']);
  });
});

describe('trend bucketing', () => {
  const window = timeWindow(at('2026-11-30T10:17:00Z'), 3);

  it('keeps measured buckets and leaves the others as gaps, not zeros', () => {
    const trend = fillDurationTrend(window, [
      { bucket: at('2026-11-30T08:00:00Z'), count: 3, p50Ms: 1200, p95Ms: 4000 },
      { bucket: at('2026-11-30T10:00:00Z'), count: 1, p50Ms: 900, p95Ms: 900 },
    ]);
    expect(trend).toEqual([
      { at: '2026-11-30T07:00:00.000Z', count: 0, p50Ms: null, p95Ms: null },
      { at: '2026-11-30T08:00:00.000Z', count: 3, p50Ms: 1200, p95Ms: 4000 },
      { at: '2026-11-30T09:00:00.000Z', count: 0, p50Ms: null, p95Ms: null },
      { at: '2026-11-30T10:00:00.000Z', count: 1, p50Ms: 900, p95Ms: 900 },
    ]);
  });

  it('places a measurement given at any instant of its bucket (as date_trunc returns it) in that bucket', () => {
    const trend = fillDurationTrend(window, [{ bucket: at('2026-11-30T09:00:00.000Z'), count: 2, p50Ms: 5, p95Ms: 7 }]);
    expect(trend.filter((p) => p.count > 0).map((p) => p.at)).toEqual(['2026-11-30T09:00:00.000Z']);
  });
});

describe('durations and shares for people', () => {
  it('parses an operator\'s duration with one unit, and refuses anything else', () => {
    expect(['90s', '45m', '2h', '3d', '1w'].map(parseDuration)).toEqual([90_000, 2_700_000, 7_200_000, 259_200_000, 604_800_000]);
    for (const bad of ['', '2', 'h', '2x', '1.5h', '-2h', '2h30m', '2 hours']) expect({ bad, parsed: parseDuration(bad) }).toEqual({ bad, parsed: undefined });
  });

  it('formats milliseconds in the largest fitting unit', () => {
    expect([0, 850, 12_340, 270_000, 11_520_000, 181_440_000].map(formatDuration)).toEqual(['0 ms', '850 ms', '12.3 s', '4.5 min', '3.2 h', '2.1 d']);
    expect([null, undefined, Number.NaN].map(formatDuration)).toEqual(['–', '–', '–']);
  });

  it('formats shares with two decimals', () => {
    expect([1, 0.99876, 0, null].map(formatPercent)).toEqual(['100.00 %', '99.88 %', '0.00 %', '–']);
  });
});
