import { parsePrometheusText, vendorCallCounters, vendorCallRates, type VendorCallsScrape } from '../../dashboard/vendor-calls';

const exposition = (ok: number, errors: number, limited: number) => `# HELP engine_vendor_calls_total Calls to vendors made by activities
# TYPE engine_vendor_calls_total counter
engine_vendor_calls_total{vendor="shopify",outcome="ok",service="worker"} ${ok}
engine_vendor_calls_total{vendor="shopify",outcome="error",service="worker"} ${errors}
engine_vendor_calls_total{vendor="shopify",outcome="rate_limited",service="worker"} ${limited}
engine_step_failures_total{flow="order",step="reserve-stock",service="worker"} 4
`;

const scrape = (at: number, ok: number, errors: number, limited: number): VendorCallsScrape => ({ at, counters: vendorCallCounters(exposition(ok, errors, limited)) });

describe('Prometheus text exposition', () => {
  it('reads samples with their labels, escapes included, and skips comments', () => {
    expect(parsePrometheusText('# HELP x y\nx_total{a="b \\"q\\" \\\\ c",d="e"} 3.5 1700000000\n\ny 1e3\nz{} +Inf\n')).toEqual([
      { name: 'x_total', labels: { a: 'b "q" \\ c', d: 'e' }, value: 3.5 },
      { name: 'y', labels: {}, value: 1000 },
      { name: 'z', labels: {}, value: Infinity },
    ]);
  });

  it('keeps only the vendor call counters, by vendor and outcome', () => {
    expect([...vendorCallCounters(exposition(10, 2, 3))]).toEqual([['shopify|ok', 10], ['shopify|error', 2], ['shopify|rate_limited', 3]]);
  });
});

describe('vendor call rates from counter samples', () => {
  it('counts the calls of the window from the last scrape before it, across sources', () => {
    const worker1 = [scrape(0, 100, 1, 0), scrape(1000, 150, 3, 10), scrape(2000, 190, 3, 10)];
    const worker2 = [scrape(500, 5, 0, 0), scrape(1500, 35, 0, 0)];
    expect(vendorCallRates([worker1, worker2], 1200)).toEqual({
      observedFrom: new Date(500).toISOString(), observedTo: new Date(2000).toISOString(),
      // worker 1 from 1000: 40 ok; worker 2 from 500 (its last scrape before the window): 30 ok
      vendors: [{ vendor: 'shopify', calls: 70, errors: 0, throttled: 0, errorRate: 0, throttleRate: 0 }],
    });
    const all = vendorCallRates([worker1, worker2], 0).vendors[0]!;
    expect(all).toEqual({ vendor: 'shopify', calls: 90 + 2 + 10 + 30, errors: 2, throttled: 10, errorRate: 2 / 132, throttleRate: 10 / 132 });
  });

  it('takes a counter that went down for a restarted worker: its new value is all new calls', () => {
    const restarted = [scrape(0, 500, 5, 5), scrape(1000, 20, 1, 0)];
    expect(vendorCallRates([restarted], 0).vendors).toEqual([{ vendor: 'shopify', calls: 21, errors: 1, throttled: 0, errorRate: 1 / 21, throttleRate: 0 }]);
  });

  it('has nothing to say from fewer than two scrapes', () => {
    expect(vendorCallRates([[scrape(0, 1, 0, 0)], []], 0)).toEqual({ observedFrom: null, observedTo: null, vendors: [] });
  });
});
