import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { PROJECT_ROOT } from '../../config/paths';
import { formatDuration } from '../../dashboard/series';
import { openIssue } from '../../engine/issues';
import { quarantine } from '../../engine/quarantine';
import { openDispatchIssue } from '../../relay/inbox-operations';
import { inboxCommand, issuesCommand, kpisCommand, quarantineCommand } from '../../client/ops-reports';
import { startDatabase } from '../support/database';

/**
 * The ops CLI as an operator runs it: a real process (`client/ops-cli.ts`) against a real database, reading what the
 * dashboard reads. Filters and --json of `issues`, `kpis`, the JSON listings, a replay of many rows with its
 * progress on stderr, and bad arguments named in the error. A process transpiles the CLI's sources as it starts
 * (seconds each on a busy machine), so the variations of one command run in-process through the same functions.
 */

const UI = 'http://ui.example.test:8233';
const DEFAULTS = { retentionDays: 30, operator: 'test' };
let db: Awaited<ReturnType<typeof startDatabase>>;
let databaseUrl: string;
const ids: Record<string, number> = {};
let failedInbox: number[] = [];

interface Run { code: number | null; stdout: string; stderr: string }

function ops(...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233', TEMPORAL_UI_URL: UI,
    DATA_DIR: mkdtempSync(join(tmpdir(), 'ops-cli-')), LOG_LEVEL: 'silent',
  };
  const child = spawn(process.execPath, ['-r', './test/support/ts-register.js', 'client/ops-cli.ts', ...args], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const issue = (workflowId: string, flow: string, kind: 'step-failed' | 'overdue' | 'dispute', allowedDecisions: string[]) => openIssue(db.pool, {
  workflowId, runId: 'run-1', flow, step: 'a-step', businessKey: `key-${workflowId}`, kind, message: `${kind} in ${workflowId}`, details: {}, allowedDecisions,
});

beforeAll(async () => {
  db = await startDatabase();
  databaseUrl = (db.pool as unknown as { options: { connectionString: string } }).options.connectionString;
  ids.orderOld = await issue('order-shopify-1', 'order', 'step-failed', ['retry', 'skip', 'compensate']);
  ids.orderNew = await issue('order-shopify-2', 'order', 'overdue', []);
  ids.dispute = await issue('payment-stripe-pi_1', 'payment', 'dispute', []);
  await db.pool.query(`UPDATE integration.issue SET opened_at = now() - interval '3 hours' WHERE id = $1`, [ids.orderOld]);
  await db.pool.query(`UPDATE integration.issue SET opened_at = now() - interval '2 days' WHERE id = $1`, [ids.dispute]);

  // Three webhooks the dispatcher gave up on, each with the issue the relay opens for it.
  for (let i = 1; i <= 3; i++) {
    const { rows } = await db.pool.query(
      `INSERT INTO integration.webhook_inbox (provider, event_id, topic, business_key, payload, raw_body, headers, status, attempts, failures, last_error)
       VALUES ('shopify', $1, 'orders/create', $2, '{}', '\\x7b7d', '{}', 'failed', 10, 10, 'workflow start refused') RETURNING id, provider, event_id, topic, business_key, payload, attempts, failures`,
      [`wh-${i}`, `shopify:order:${i}`]);
    const row = rows[0];
    failedInbox.push(Number(row.id));
    await openDispatchIssue(db.pool, { id: Number(row.id), provider: 'shopify', eventId: row.event_id, topic: row.topic, businessKey: row.business_key, payload: {}, attempts: 10, failures: 10 },
      `order-shopify-${i}`, 'workflow start refused');
  }
  failedInbox = failedInbox.sort((a, b) => a - b);
  await quarantine(db.pool, 'shopify', 'unknown topic products/delete', Buffer.from('{"id":1}'), { 'x-shopify-topic': 'products/delete' }, 'fp-1');
  await quarantine(db.pool, 'stripe', 'unknown event type', Buffer.from('{"id":"evt_1"}'), {}, 'fp-2');

  for (const [key, ms, hoursAgo] of [['a', 1200, 1], ['b', 3400, 2], ['c', 800, 5], ['d', 15_000, 30]] as const) {
    await db.pool.query(
      `INSERT INTO integration.flow_metric (flow, business_key, metric, value_ms, recorded_at) VALUES ('order', $1, 'order_processing_ms', $2, now() - $3 * interval '1 hour')`,
      [`shopify:${key}`, ms, hoursAgo]);
  }
});
afterAll(async () => db?.close());

test('issues: filtered by flow and age, as JSON with links to the Temporal UI', async () => {
  const run = await ops('issues', '--flow', 'order', '--older-than', '1h', '--json');
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  const { issues } = JSON.parse(run.stdout) as { issues: Array<{ id: number; workflowId: string; temporalUrl: string; allowedDecisions: string[] }> };
  expect(issues.map((i) => [i.id, i.temporalUrl, i.allowedDecisions])).toEqual([
    [ids.orderOld, `${UI}/namespaces/default/workflows/order-shopify-1`, ['retry', 'skip', 'compensate']],
  ]);

  const ui = { baseUrl: UI, namespace: 'default' };
  const relay = JSON.parse(await issuesCommand(db.pool, ['list', '--flow', 'relay', '--json'], ui)) as { issues: Array<{ temporalUrl: string }> };
  // A hand-over issue links to the flow its event was meant for.
  expect(relay.issues.map((i) => i.temporalUrl)).toEqual([1, 2, 3].map((n) => `${UI}/namespaces/default/workflows/order-shopify-${n}`));

  const text = await issuesCommand(db.pool, ['--kind', 'dispute'], ui);
  expect(`${text}\n`).toMatch(new RegExp(`^#${ids.dispute} \\[open\\] payment key-payment-stripe-pi_1 — dispute at a-step, open 2\\.0 d\\n    dispute in payment-stripe-pi_1\\n`
    + `    workflow payment-stripe-pi_1 \\(${UI.replace(/\./g, '\\.')}/namespaces/default/workflows/payment-stripe-pi_1\\); acknowledge with: npm run ops -- acknowledge ${ids.dispute}\\n$`));
});

test('kpis: the order processing time as SQL computes it, as JSON and for people', async () => {
  const { rows } = await db.pool.query(
    `SELECT count(*)::int AS n, percentile_cont(0.5) WITHIN GROUP (ORDER BY value_ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY value_ms) AS p95
       FROM integration.flow_metric WHERE metric = 'order_processing_ms' AND recorded_at >= date_trunc('hour', now() - interval '24 hours')`);
  const sql = { count: rows[0].n as number, p50Ms: Math.round(Number(rows[0].p50)), p95Ms: Math.round(Number(rows[0].p95)) };
  expect(sql.count).toBe(3); // the one 30 hours ago is outside the day

  const json = await ops('kpis', '--json');
  expect(json.code).toBe(0);
  const kpis = JSON.parse(json.stdout) as { orderProcessing: { count: number; p50Ms: number; p95Ms: number }; window: { hours: number } };
  expect({ count: kpis.orderProcessing.count, p50Ms: kpis.orderProcessing.p50Ms, p95Ms: kpis.orderProcessing.p95Ms, hours: kpis.window.hours }).toEqual({ ...sql, hours: 24 });

  const week = JSON.parse(await kpisCommand(db.pool, ['--hours', '168', '--json'])) as { orderProcessing: { count: number } };
  expect(week.orderProcessing.count).toBe(4);

  const text = `${await kpisCommand(db.pool, [])}\n`;
  expect(text).toContain(`  Order processing time           p50 ${formatDuration(sql.p50Ms)}, p95 ${formatDuration(sql.p95Ms)} over 3 orders\n`);
  expect(text).toMatch(/ {2}Payment reconciliation time {5}no payments in the window; none waiting\n/);
});

test('listings as JSON, and a replay of every failed row with its progress on stderr', async () => {
  const quarantined = JSON.parse(await quarantineCommand(db.pool, { action: 'list' }, true)) as { quarantine: Array<{ source: string; reason: string }> };
  expect(quarantined.quarantine.map((q) => [q.source, q.reason])).toEqual([['shopify', 'unknown topic products/delete'], ['stripe', 'unknown event type']]);
  expect((JSON.parse(await inboxCommand(db.pool, { action: 'counts' }, DEFAULTS, true)) as { counts: Record<string, number> }).counts).toEqual({ failed: 3 });

  const replay = await ops('inbox', 'replay', '--failed');
  expect(replay.code).toBe(0);
  expect(replay.stdout).toBe(failedInbox.map((id) => `#${id} (failed) is pending again\n`).join(''));
  expect(replay.stderr).toMatch(/replaying failed inbox rows: 3\/3 \(100 %\)\n$/);
  const left = await db.pool.query(`SELECT count(*)::int AS n FROM integration.issue WHERE flow = 'relay' AND status = 'open'`);
  expect(left.rows[0].n).toBe(0); // each replay answered its row's issue
  expect((JSON.parse(await inboxCommand(db.pool, { action: 'counts' }, DEFAULTS, true)) as { counts: Record<string, number> }).counts).toEqual({ pending: 3 });
  expect(await inboxCommand(db.pool, { action: 'replay', which: { status: 'failed' } }, DEFAULTS, false)).toBe('No failed inbox rows.');
});

test('a bad argument is an error that names it', async () => {
  const run = await ops('issues', '--older-than', 'soon');
  expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 1, stdout: '', stderr: '--older-than: must be a duration such as 90s, 45m, 2h, 3d or 1w, got "soon"\n' });
  const problem = (work: Promise<unknown>) => work.then(() => undefined, (err: Error) => err.message);
  expect(await Promise.all([
    problem(issuesCommand(db.pool, ['--colour', 'red'], { baseUrl: null, namespace: 'default' })),
    problem(kpisCommand(db.pool, ['--hours', '0'])),
    problem(inboxCommand(db.pool, { action: 'prune' }, DEFAULTS, true)),
  ])).toEqual([
    expect.stringMatching(/^issues: unknown option "--colour"; expected --all, --status, --flow, --kind, --older-than, --limit, --json$/),
    '--hours: must be at least 1, got "0"',
    '--json: only for the listing (npm run ops -- inbox --json)',
  ]);
});

test('replay-check: the histories a query finds replay on this checkout\'s workflows', async () => {
  const client = new Client({ connection: await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! }) });
  const taskQueue = `ops-replay-${randomUUID()}`;
  try {
    // Two order flows no worker has picked up yet: each history is its start and a first workflow task.
    for (const id of ['1', '2']) {
      await client.workflow.start('orderFulfilment', {
        taskQueue, workflowId: `${taskQueue}-${id}`, args: [{ shopOrderId: id, policy: { shortfall: 'cancel', paymentWaitSeconds: 60, cancelShopOrderOnFailure: true } }],
      });
    }
    const query = `TaskQueue = '${taskQueue}'`;
    // Visibility lists new runs a moment after they start.
    for (let listed = 0; listed < 2; await new Promise((resolve) => setTimeout(resolve, 100))) {
      listed = 0;
      for await (const _ of client.workflow.list({ query })) listed++;
    }
    const run = await ops('replay-check', '--query', query);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: `2 workflow histories (${query}) replay on this checkout's workflows.\n` });
  } finally {
    for (const id of ['1', '2']) await client.workflow.getHandle(`${taskQueue}-${id}`).terminate().catch(() => undefined);
    await client.connection.close();
  }
});
