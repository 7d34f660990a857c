/**
 * Vendor call rates from the workers' Prometheus counters (`engine_vendor_calls_total{vendor, outcome}`, outcome
 * ok | error | rate_limited: observability/metrics.ts), for the dashboard's vendor panel. Unlike the issue log, they
 * count every call, throttles a flow waited out by itself included. Optional: with no DASHBOARD_METRICS_URLS the
 * panel keeps to what the database records.
 *
 * Counters only grow from a process's start, so the dashboard samples them and takes differences; a counter that went
 * down is a restarted worker, whose new value is all new calls.
 */

export const VENDOR_CALLS_METRIC = 'engine_vendor_calls_total';

export interface PromSample { name: string; labels: Record<string, string>; value: number }

/** The samples of the Prometheus text exposition format (version 0.0.4) in `text`; comments and blank lines skipped. */
export function parsePrometheusText(text: string): PromSample[] {
  const samples: PromSample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$/.exec(line);
    if (!match) continue;
    const value = Number(match[4] === '+Inf' ? Infinity : match[4] === '-Inf' ? -Infinity : match[4]);
    if (Number.isNaN(value)) continue;
    samples.push({ name: match[1]!, labels: parseLabels(match[3] ?? ''), value });
  }
  return samples;
}

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?\s*/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    labels[m[1]!] = m[2]!.replace(/\\(["\\n])/g, (_s, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

/** One scrape of one source: counter value by `<vendor>|<outcome>`. */
export interface VendorCallsScrape { at: number; counters: Map<string, number> }

export function vendorCallCounters(text: string): Map<string, number> {
  const counters = new Map<string, number>();
  for (const s of parsePrometheusText(text)) {
    if (s.name !== VENDOR_CALLS_METRIC || !s.labels.vendor || !s.labels.outcome) continue;
    const key = `${s.labels.vendor}|${s.labels.outcome}`;
    counters.set(key, (counters.get(key) ?? 0) + s.value);
  }
  return counters;
}

export interface VendorCallRates {
  vendor: string;
  calls: number;
  errors: number;
  throttled: number;
  /** errors ÷ calls, throttled ÷ calls; null without calls. */
  errorRate: number | null;
  throttleRate: number | null;
}

export interface VendorCallsReport {
  /** From when the samples cover the window (later than asked when the dashboard started within it); null: no data. */
  observedFrom: string | null;
  observedTo: string | null;
  vendors: VendorCallRates[];
}

/**
 * Calls per vendor and outcome between the last scrape at or before `from` (else the first) and the latest, summed
 * over the sources; each source's scrapes oldest first.
 */
export function vendorCallRates(sources: VendorCallsScrape[][], from: number): VendorCallsReport {
  const totals = new Map<string, number>();
  let observedFrom: number | null = null;
  let observedTo: number | null = null;
  for (const scrapes of sources) {
    if (scrapes.length < 2) continue;
    let start = 0;
    for (let i = 0; i < scrapes.length; i++) if (scrapes[i]!.at <= from) start = i;
    const used = scrapes.slice(start);
    if (used.length < 2) continue;
    observedFrom = Math.min(observedFrom ?? Infinity, used[0]!.at);
    observedTo = Math.max(observedTo ?? -Infinity, used.at(-1)!.at);
    for (let i = 1; i < used.length; i++) {
      const before = used[i - 1]!.counters;
      for (const [key, value] of used[i]!.counters) {
        const previous = before.get(key) ?? 0;
        totals.set(key, (totals.get(key) ?? 0) + (value >= previous ? value - previous : value));
      }
    }
  }
  const vendors = [...new Set([...totals.keys()].map((k) => k.split('|')[0]!))].sort().map((vendor): VendorCallRates => {
    const of = (outcome: string) => totals.get(`${vendor}|${outcome}`) ?? 0;
    const errors = of('error');
    const throttled = of('rate_limited');
    const calls = of('ok') + errors + throttled;
    return { vendor, calls, errors, throttled, errorRate: calls > 0 ? errors / calls : null, throttleRate: calls > 0 ? throttled / calls : null };
  });
  return {
    observedFrom: observedFrom === null ? null : new Date(observedFrom).toISOString(),
    observedTo: observedTo === null ? null : new Date(observedTo).toISOString(),
    vendors,
  };
}

export interface VendorCallsSampler {
  /** Rates over the window from `from`, with a fresh scrape first. */
  report(from: Date): Promise<VendorCallsReport>;
  /** Takes one scrape of every source now (also done every `everyMs`). */
  sample(): Promise<void>;
  stop(): void;
}

/** Scrapes each URL every `everyMs`, keeping `keepMs` of history; an unreachable source is skipped until it answers. */
export function startVendorCallsSampler(urls: readonly string[], opts: { everyMs?: number; keepMs?: number; now?: () => number } = {}): VendorCallsSampler {
  const now = opts.now ?? Date.now;
  const keepMs = opts.keepMs ?? 48 * 3_600_000;
  const history = urls.map(() => [] as VendorCallsScrape[]);
  const scrape = async (url: string, i: number) => {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) }).catch(() => undefined);
    if (!res?.ok) return;
    const at = now();
    const scrapes = history[i]!;
    scrapes.push({ at, counters: vendorCallCounters(await res.text()) });
    while (scrapes.length > 2 && scrapes[0]!.at < at - keepMs) scrapes.shift();
  };
  const sample = async () => {
    await Promise.all(urls.map(scrape));
  };
  const timer = setInterval(() => void sample(), opts.everyMs ?? 15_000);
  timer.unref();
  void sample();
  return {
    sample,
    async report(from) {
      await sample();
      return vendorCallRates(history, from.getTime());
    },
    stop: () => clearInterval(timer),
  };
}
