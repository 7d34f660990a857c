/**
 * The dashboard page: one self-contained HTML document (inline CSS, inline script, SVG charts drawn in the page),
 * so that it works without the internet and under a strict content security policy. It reads the JSON API every
 * `refreshSeconds` and redraws; the token it was opened with (?token=) goes along as a bearer header.
 *
 * The script builds the DOM with textContent only (issue messages come from vendors' data). Its number formats are
 * those of dashboard/series.ts (formatDuration, formatPercent), which the browser test holds them to.
 */

export interface PageOptions {
  refreshSeconds: number;
}

const STYLE = `
:root { --bg:#f6f7f9; --card:#fff; --ink:#1d2330; --muted:#667085; --line:#e3e6eb; --p50:#2f6fde; --p95:#d9792b; --acc:#1f9d6b; --bad:#c8372d; }
* { box-sizing: border-box; }
body { margin:0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background:var(--bg); color:var(--ink); }
header { display:flex; gap:16px; align-items:center; padding:12px 20px; background:var(--ink); color:#fff; flex-wrap:wrap; }
header h1 { font-size:18px; margin:0; font-weight:600; }
header .meta { margin-left:auto; font-size:12px; opacity:.85; display:flex; gap:12px; align-items:center; }
header select { font:inherit; }
main { padding:16px 20px; display:grid; gap:16px; grid-template-columns:repeat(auto-fit, minmax(360px, 1fr)); }
section { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:14px 16px; min-width:0; overflow-x:auto; }
section.wide { grid-column: 1 / -1; }
h2 { font-size:15px; margin:0 0 8px; }
.big { font-size:28px; font-weight:650; }
.sub { color:var(--muted); font-size:12px; }
.row { display:flex; gap:18px; align-items:baseline; flex-wrap:wrap; }
.def { color:var(--muted); font-size:12px; margin-top:8px; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { text-align:left; padding:4px 6px; border-bottom:1px solid var(--line); vertical-align:top; }
th { color:var(--muted); font-weight:600; }
td.n, th.n { text-align:right; font-variant-numeric:tabular-nums; }
.empty { color:var(--muted); font-style:italic; }
.warn { color:var(--bad); font-weight:600; }
#error { display:none; background:#fdecea; color:var(--bad); padding:8px 20px; border-bottom:1px solid #f5c2bd; }
svg { width:100%; height:auto; display:block; margin-top:8px; }
svg text { font-size:10px; fill:var(--muted); }
.legend { font-size:12px; color:var(--muted); display:flex; gap:12px; }
.legend i { display:inline-block; width:10px; height:3px; vertical-align:middle; margin-right:4px; }
a { color:var(--p50); }
`;

const SCRIPT = String.raw`
'use strict';
const REFRESH_SECONDS = Number(document.body.dataset.refreshSeconds);
const token = new URLSearchParams(location.search).get('token');
let refreshes = 0;

// ---- formats: the same as dashboard/series.ts
function formatDuration(ms) {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return Math.round(ms) + ' ms';
  if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
  if (ms < 3600000) return (ms / 60000).toFixed(1) + ' min';
  if (ms < 86400000) return (ms / 3600000).toFixed(1) + ' h';
  return (ms / 86400000).toFixed(1) + ' d';
}
function formatPercent(r) { return r === null || r === undefined || !Number.isFinite(r) ? '–' : (r * 100).toFixed(2) + ' %'; }
const fmtTime = (iso) => iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '–';
const ageOf = (iso) => iso ? formatDuration(Date.now() - Date.parse(iso)) : '–';

// ---- DOM
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null) continue;
    if (k === 'class') node.className = v; else node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null) node.append(c instanceof Node ? c : String(c));
  return node;
}
const $ = (id) => document.getElementById(id);
function fill(id, ...children) { const node = $(id); node.classList.remove('empty'); node.replaceChildren(...children.flat()); return node; }
function table(head, rows, empty) {
  if (rows.length === 0) return el('p', { class: 'empty' }, empty);
  return el('table', {}, el('thead', {}, el('tr', {}, head.map((h) => el('th', { class: h.n ? 'n' : '' }, h.t)))), el('tbody', {}, rows));
}

// ---- SVG charts: lines over time, gaps where a bucket has no data
const SVGNS = 'http://www.w3.org/2000/svg';
function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
  for (const c of children) node.append(c);
  return node;
}
function chart(points, series, opts) {
  const W = 560, H = 170, L = 56, R = 10, T = 10, B = 24;
  const xs = points.map((p) => Date.parse(p.at));
  const values = points.flatMap((p) => series.map((s) => p[s.key])).filter((v) => v !== null && v !== undefined);
  const root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img', 'aria-label': opts.label, 'data-points': values.length });
  if (values.length === 0 || xs.length === 0) {
    root.append(svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle' }, 'no data in this window'));
    return root;
  }
  let lo = opts.min !== undefined ? Math.min(opts.min, ...values) : 0, hi = Math.max(...values);
  if (opts.fitMin) lo = Math.min(...values);
  if (hi === lo) { hi = hi + (opts.pad || 1); lo = Math.max(opts.floor ?? -Infinity, lo - (opts.pad || 1)); }
  const x0 = Math.min(...xs), x1 = Math.max(...xs, x0 + 1);
  const sx = (x) => L + (x - x0) / (x1 - x0) * (W - L - R);
  const sy = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
  for (let i = 0; i <= 4; i++) {
    const v = lo + (hi - lo) * i / 4, y = sy(v);
    root.append(svg('line', { x1: L, x2: W - R, y1: y, y2: y, stroke: '#e3e6eb' }));
    root.append(svg('text', { x: L - 4, y: y + 3, 'text-anchor': 'end' }, opts.format(v)));
  }
  root.append(svg('text', { x: L, y: H - 6 }, fmtTime(points[0].at)));
  root.append(svg('text', { x: W - R, y: H - 6, 'text-anchor': 'end' }, fmtTime(points[points.length - 1].at)));
  for (const s of series) {
    let run = [];
    const flush = () => {
      if (run.length > 1) root.append(svg('polyline', { points: run.map((p) => p.join(',')).join(' '), fill: 'none', stroke: s.color, 'stroke-width': 2 }));
      run = [];
    };
    points.forEach((p, i) => {
      const v = p[s.key];
      if (v === null || v === undefined) { flush(); return; }
      const at = [sx(xs[i]).toFixed(1), sy(v).toFixed(1)];
      run.push(at);
      root.append(svg('circle', { cx: at[0], cy: at[1], r: 2.5, fill: s.color }, svg('title', {}, s.name + ' ' + fmtTime(p.at) + ': ' + opts.format(v))));
    });
    flush();
  }
  return root;
}
const legend = (series) => el('div', { class: 'legend' }, series.map((s) => el('span', {}, el('i', { style: 'background:' + s.color }), s.name)));

// ---- panels
const DURATION_SERIES = [{ key: 'p50Ms', name: 'p50', color: '#2f6fde' }, { key: 'p95Ms', name: 'p95', color: '#d9792b' }];

function durationCard(prefix, kpi, extra) {
  fill(prefix + '-body',
    el('div', { class: 'row' },
      el('div', {}, el('div', { class: 'big', 'data-testid': prefix + '-p50', 'data-ms': kpi.p50Ms ?? '' }, formatDuration(kpi.p50Ms)), el('div', { class: 'sub' }, 'p50')),
      el('div', {}, el('div', { class: 'big', 'data-testid': prefix + '-p95', 'data-ms': kpi.p95Ms ?? '' }, formatDuration(kpi.p95Ms)), el('div', { class: 'sub' }, 'p95')),
      el('div', {}, el('div', { class: 'big', 'data-testid': prefix + '-count' }, kpi.count), el('div', { class: 'sub' }, 'in window'))),
    extra || [],
    legend(DURATION_SERIES),
    chart(kpi.trend, DURATION_SERIES, { label: prefix + ' trend', format: formatDuration, floor: 0 }),
    el('div', { class: 'def' }, kpi.definition));
}

function renderKpis(k) {
  const a = k.accuracy;
  if (!a.available || !a.latest) {
    fill('kpi-accuracy-body', el('div', { class: 'big empty', 'data-testid': 'kpi-accuracy-value' }, 'no audit yet'), el('div', { class: 'def' }, a.definition));
  } else {
    const o = a.latest.overall;
    fill('kpi-accuracy-body',
      el('div', { class: 'row' },
        el('div', {}, el('div', { class: 'big', 'data-testid': 'kpi-accuracy-value', 'data-ratio': o && o.accuracy !== null ? o.accuracy : '' }, formatPercent(o ? o.accuracy : null)),
          el('div', { class: 'sub' }, 'overall, audit ' + fmtTime(a.latest.measuredAt))),
        o ? el('div', {}, el('div', { class: 'big' }, (o.compared - o.matching)), el('div', { class: 'sub' }, 'records differ of ' + o.compared)) : null),
      table([{ t: 'entity' }, { t: 'compared', n: 1 }, { t: 'matching', n: 1 }, { t: 'accuracy', n: 1 }],
        a.latest.entities.map((e) => el('tr', { 'data-testid': 'accuracy-' + e.entity }, el('td', {}, e.entity), el('td', { class: 'n' }, e.compared), el('td', { class: 'n' }, e.matching), el('td', { class: 'n' }, formatPercent(e.accuracy)))),
        'no entities in this audit'),
      chart(a.trend, [{ key: 'accuracy', name: 'overall accuracy', color: '#1f9d6b' }], { label: 'accuracy trend', format: formatPercent, fitMin: true, pad: 0.001 }),
      el('div', { class: 'def' }, a.definition));
  }
  durationCard('kpi-order', k.orderProcessing);
  const u = k.paymentReconciliation.unreconciled;
  durationCard('kpi-payment', k.paymentReconciliation,
    el('p', { class: 'sub' }, el('span', { 'data-testid': 'kpi-payment-unreconciled', class: u.count > 0 ? 'warn' : '' }, u.count), ' captured payment(s) not reconciled yet',
      u.oldestCapturedAt ? '; the oldest captured ' + ageOf(u.oldestCapturedAt) + ' ago' : ''));
}

function workflowCell(i) {
  return i.temporalUrl
    ? el('a', { href: i.temporalUrl, target: '_blank', rel: 'noopener noreferrer', 'data-testid': 'issue-link-' + i.id }, i.workflowId)
    : el('span', {}, i.workflowId);
}

function renderIssues(p) {
  fill('issues-total', String(p.total));
  const AGES = ['under 1 h', '1 h – 1 d', '1 d – 7 d', 'over 7 d'];
  fill('issues-by-flow', table([{ t: 'flow' }, { t: 'open', n: 1 }, ...AGES.map((t) => ({ t, n: 1 }))],
    p.byFlow.map((f) => el('tr', { 'data-testid': 'issues-flow-' + f.flow }, el('td', {}, f.flow), el('td', { class: 'n' }, f.total), f.ages.map((n, i) => el('td', { class: 'n' + (i >= 2 && n > 0 ? ' warn' : '') }, n)))),
    'no open issues'));
  fill('issues-list', table([{ t: '#' }, { t: 'flow' }, { t: 'kind' }, { t: 'step' }, { t: 'business key' }, { t: 'open for' }, { t: 'workflow' }, { t: 'message' }],
    p.issues.map((i) => el('tr', { 'data-testid': 'issue-' + i.id }, el('td', {}, i.id), el('td', {}, i.flow), el('td', {}, i.kind), el('td', {}, i.step), el('td', {}, i.businessKey),
      el('td', {}, formatDuration(i.ageMs), i.reminders > 0 ? ' (reminded ' + i.reminders + '×)' : ''), el('td', {}, workflowCell(i)), el('td', {}, i.message))),
    ''));
}

function renderWaiting(p) {
  fill('waiting-total', String(p.total));
  fill('waiting-list', table([{ t: 'flow' }, { t: 'business key' }, { t: 'step' }, { t: 'waiting for' }, { t: 'decisions' }, { t: 'workflow' }],
    p.waiting.map((i) => el('tr', { 'data-testid': 'waiting-' + i.id }, el('td', {}, i.flow), el('td', {}, i.businessKey), el('td', {}, i.step),
      el('td', {}, formatDuration(i.ageMs)), el('td', {}, i.allowedDecisions.join(' | ')), el('td', {}, workflowCell(i)))),
    'no flow waits for a person'));
}

function stat(testid, value, label, warn) {
  return el('div', {}, el('div', { class: 'big' + (warn ? ' warn' : ''), 'data-testid': testid }, value), el('div', { class: 'sub' }, label));
}

function renderInbox(p) {
  const b = p.backlog, q = p.quarantine;
  fill('inbox-body',
    el('div', { class: 'row' },
      stat('inbox-pending', b.pending, 'pending (' + b.due + ' due now)'),
      stat('inbox-failed', b.failed, 'failed', b.failed > 0),
      stat('inbox-unrouted', b.unrouted, 'unrouted'),
      stat('inbox-lag', p.oldestPendingAt ? ageOf(p.oldestPendingAt) : '–', 'oldest pending')),
    el('p', { class: 'sub', 'data-testid': 'inbox-window' }, 'in window: ' + p.received + ' webhooks received, ' + p.foundByCatchup +
      ' changes found by the order catch-up, ' + p.dispatched + ' handed to flows, ' + p.ignored + ' ignored'),
    el('div', { class: 'row' },
      stat('quarantine-open', q.open, 'quarantined payloads', q.open > 0),
      stat('quarantine-occurrences', q.occurrences, 'deliveries of them'),
      stat('quarantine-oldest', q.oldestAt ? ageOf(q.oldestAt) : '–', 'oldest')),
    table([{ t: 'source' }, { t: 'open', n: 1 }, { t: 'deliveries', n: 1 }],
      q.bySource.map((s) => el('tr', {}, el('td', {}, s.source), el('td', { class: 'n' }, s.open), el('td', { class: 'n' }, s.occurrences))), 'nothing in quarantine'));
}

function renderVendors(p) {
  const rate = (n) => n.toFixed(2);
  fill('vendors-body', table(
    [{ t: 'source' }, { t: 'webhooks', n: 1 }, { t: 'quarantined', n: 1 }, { t: 'webhook error rate', n: 1 }, { t: 'dispatch failures', n: 1 },
      { t: 'call errors', n: 1 }, { t: 'errors / h', n: 1 }, { t: 'throttles', n: 1 }, { t: 'throttles / h', n: 1 }],
    p.vendors.map((v) => el('tr', { 'data-testid': 'vendor-' + v.source }, el('td', {}, v.source), el('td', { class: 'n' }, v.webhooksReceived), el('td', { class: 'n' }, v.webhooksQuarantined),
      el('td', { class: 'n' }, formatPercent(v.webhookErrorRate)), el('td', { class: 'n' }, v.dispatchFailures),
      el('td', { class: 'n' + (v.callErrors > 0 ? ' warn' : '') }, v.callErrors), el('td', { class: 'n' }, rate(v.callErrorsPerHour)),
      el('td', { class: 'n' }, v.callThrottles), el('td', { class: 'n' }, rate(v.callThrottlesPerHour)))),
    'no vendor traffic in this window'),
    el('div', { class: 'def' }, 'Webhook error rate: deliveries quarantined as unreadable ÷ all deliveries. Call errors and throttles: vendor failures ' +
      'that outlasted their retries or the rate-limit budget and were raised as issues.'),
    p.calls ? vendorCalls(p.calls) : el('div', { class: 'def' }, 'Every call, throttles waited out included: set DASHBOARD_METRICS_URLS to the workers\' /metrics.'));
}

function vendorCalls(c) {
  return el('div', { 'data-testid': 'vendor-calls' },
    el('h2', { style: 'margin-top:12px' }, 'Vendor calls (workers\' metrics)'),
    table([{ t: 'vendor' }, { t: 'calls', n: 1 }, { t: 'errors', n: 1 }, { t: 'error rate', n: 1 }, { t: 'throttled', n: 1 }, { t: 'throttle rate', n: 1 }],
      c.vendors.map((v) => el('tr', { 'data-testid': 'calls-' + v.vendor }, el('td', {}, v.vendor), el('td', { class: 'n' }, v.calls), el('td', { class: 'n' }, v.errors),
        el('td', { class: 'n' + (v.errorRate > 0.05 ? ' warn' : '') }, formatPercent(v.errorRate)), el('td', { class: 'n' }, v.throttled), el('td', { class: 'n' }, formatPercent(v.throttleRate)))),
      'no vendor calls observed yet'),
    el('div', { class: 'def' }, c.observedFrom ? 'observed ' + fmtTime(c.observedFrom) + ' – ' + fmtTime(c.observedTo) + ' (from the window\'s start, or since the dashboard began sampling)' : 'waiting for a second sample of the workers\' metrics'));
}

// ---- refresh loop
async function api(path) {
  const res = await fetch(path, { headers: token ? { authorization: 'Bearer ' + token } : {}, cache: 'no-store' });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(path + ': HTTP ' + res.status + (body.reason ? ' (' + body.reason + ')' : ''));
  return body;
}

let inFlight = false;
async function refresh() {
  // A slow refresh (a long window over much history) is not overtaken by the next tick.
  if (inFlight) return;
  inFlight = true;
  const hours = $('window').value;
  try {
    const [k, i, w, inbox, v] = await Promise.all([
      api('/api/kpis?hours=' + hours), api('/api/issues?limit=100'), api('/api/waiting?limit=100'),
      api('/api/inbox?hours=' + hours), api('/api/vendors?hours=' + hours)]);
    renderKpis(k); renderIssues(i); renderWaiting(w); renderInbox(inbox); renderVendors(v);
    refreshes += 1;
    document.body.dataset.refreshes = String(refreshes);
    fill('updated', 'updated ' + fmtTime(new Date().toISOString()));
    $('error').style.display = 'none';
  } catch (err) {
    fill('error', 'Could not refresh: ' + err.message);
    $('error').style.display = 'block';
  } finally {
    inFlight = false;
  }
}

$('window').addEventListener('change', () => void refresh());
void refresh();
setInterval(() => void refresh(), REFRESH_SECONDS * 1000);
`;

export function dashboardPage(opts: PageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Integration engine — monitoring</title>
<style>${STYLE}</style>
</head>
<body data-refresh-seconds="${Math.max(1, Math.floor(opts.refreshSeconds))}" data-refreshes="0">
<header>
  <h1>Integration engine — monitoring</h1>
  <div class="meta">
    <label>window <select id="window"><option value="24">24 hours</option><option value="168">7 days</option><option value="720">30 days</option></select></label>
    <span id="updated" data-testid="last-updated">loading…</span>
    <span>refreshes every ${Math.max(1, Math.floor(opts.refreshSeconds))} s</span>
  </div>
</header>
<div id="error" role="alert"></div>
<main>
  <section data-testid="kpi-accuracy"><h2>Data synchronisation accuracy</h2><div id="kpi-accuracy-body" class="empty">loading…</div></section>
  <section data-testid="kpi-order"><h2>Order processing time</h2><div id="kpi-order-body" class="empty">loading…</div></section>
  <section data-testid="kpi-payment"><h2>Payment reconciliation time</h2><div id="kpi-payment-body" class="empty">loading…</div></section>
  <section class="wide" data-testid="waiting"><h2>Flows waiting for a person: <span id="waiting-total" data-testid="waiting-total">…</span></h2><div id="waiting-list"></div></section>
  <section class="wide" data-testid="issues"><h2>Open issues: <span id="issues-total" data-testid="issues-total">…</span></h2><div id="issues-by-flow"></div><div id="issues-list"></div></section>
  <section data-testid="inbox"><h2>Webhook inbox and quarantine</h2><div id="inbox-body"></div></section>
  <section data-testid="vendors"><h2>Vendor error and throttle rates</h2><div id="vendors-body"></div></section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
