/**
 * Pure helpers of the dashboard and the ops CLI's `kpis`: the time window a request asks for, aligned to whole UTC
 * buckets, and a trend with one point per bucket (buckets without data are gaps, not zeros, so a chart does not
 * draw a quiet night as a fast one).
 */

export type Bucket = 'hour' | 'day';

export interface TimeWindow {
  /** Start of the first bucket (inclusive), a UTC instant aligned to the bucket. */
  from: Date;
  /** The end of the window (exclusive): now. */
  to: Date;
  bucket: Bucket;
  hours: number;
}

const BUCKET_MS: Record<Bucket, number> = { hour: 3_600_000, day: 86_400_000 };

/** Hourly points up to three days, daily beyond: a chart stays readable (at most ~90 points for 90 days). */
export function defaultBucket(hours: number): Bucket {
  return hours <= 72 ? 'hour' : 'day';
}

/** The UTC start of the bucket holding `at`. */
export function bucketStart(at: Date, bucket: Bucket): Date {
  const size = BUCKET_MS[bucket];
  return new Date(Math.floor(at.getTime() / size) * size);
}

/** The last `hours` up to `now`, widened back to the start of its first bucket. */
export function timeWindow(now: Date, hours: number, bucket: Bucket = defaultBucket(hours)): TimeWindow {
  return { from: bucketStart(new Date(now.getTime() - hours * 3_600_000), bucket), to: now, bucket, hours };
}

/** Exactly the last `hours` up to `now`, for counts and rates that draw no trend. */
export function exactWindow(now: Date, hours: number): TimeWindow {
  return { from: new Date(now.getTime() - hours * 3_600_000), to: now, bucket: 'hour', hours };
}

/** Every bucket start of the window, oldest first. */
export function bucketStarts(window: Pick<TimeWindow, 'from' | 'to' | 'bucket'>): Date[] {
  const size = BUCKET_MS[window.bucket];
  const starts: Date[] = [];
  for (let t = bucketStart(window.from, window.bucket).getTime(); t < window.to.getTime(); t += size) starts.push(new Date(t));
  return starts;
}

export interface DurationPoint {
  /** Bucket start, ISO UTC. */
  at: string;
  count: number;
  p50Ms: number | null;
  p95Ms: number | null;
}

/** One point per bucket of the window: measured buckets as given, the others empty (count 0, no percentiles). */
export function fillDurationTrend(window: Pick<TimeWindow, 'from' | 'to' | 'bucket'>, measured: Array<{ bucket: Date; count: number; p50Ms: number; p95Ms: number }>): DurationPoint[] {
  const byStart = new Map(measured.map((m) => [bucketStart(m.bucket, window.bucket).getTime(), m]));
  return bucketStarts(window).map((start) => {
    const m = byStart.get(start.getTime());
    return m ? { at: start.toISOString(), count: m.count, p50Ms: m.p50Ms, p95Ms: m.p95Ms } : { at: start.toISOString(), count: 0, p50Ms: null, p95Ms: null };
  });
}

/**
 * A duration as an operator writes it, for `--older-than` and the like: 90s, 45m, 2h, 3d, 1w (a whole number and
 * one unit). Returns milliseconds, or undefined when the text is not such a duration.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,6})(s|m|h|d|w)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(match[1]) * unit;
}

/** Milliseconds for people: 850 ms, 12.3 s, 4.5 min, 3.2 h, 2.1 d. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

/** A share as a percentage with two decimals (accuracy is judged in hundredths of a percent), or a dash. */
export function formatPercent(ratio: number | null | undefined): string {
  return ratio === null || ratio === undefined || !Number.isFinite(ratio) ? '–' : `${(ratio * 100).toFixed(2)} %`;
}
