import type { Pool } from 'pg';
import { acknowledgeIssue, listIssues, openIssue, remindIssue, type IssueDraft } from '../../engine/issues';
import { startDatabase } from '../support/database';

/** The issue log's own rules against a real PostgreSQL: reminders, and which issues a person may close by hand. */

let db: Awaited<ReturnType<typeof startDatabase>>;
let pool: Pool;
beforeAll(async () => {
  db = await startDatabase();
  pool = db.pool;
});
afterAll(async () => db?.close());

const draft = (over: Partial<IssueDraft> = {}): IssueDraft => ({
  workflowId: `order-shopify-${Math.random().toString(36).slice(2)}`, runId: 'run-1', flow: 'order', step: 'await-shipment',
  businessKey: 'shopify:order:1', kind: 'overdue', message: 'not shipped', details: {}, allowedDecisions: [], ...over,
});

test('an unanswered issue is raised again: each reminder counts and is dated', async () => {
  const id = await openIssue(pool, draft());
  await remindIssue(pool, id);
  await remindIssue(pool, id);
  const [issue] = await listIssues(pool, { workflowId: (await pool.query('SELECT workflow_id FROM integration.issue WHERE id = $1', [id])).rows[0].workflow_id });
  expect(issue).toMatchObject({ id, reminders: 2, lastRemindedAt: expect.any(Date), status: 'open' });
});

test('an issue that waits for no decision is acknowledged by a person; one a flow waits on is refused, naming why', async () => {
  const notice = await openIssue(pool, draft({ kind: 'refused-cancellation', step: 'cancel-after-shipment' }));
  await acknowledgeIssue(pool, notice, 'ada', 'refund arranged by phone');
  const closed = (await pool.query('SELECT status, resolved_by, resolution FROM integration.issue WHERE id = $1', [notice])).rows[0];
  expect(closed).toEqual({ status: 'resolved', resolved_by: 'ada', resolution: { acknowledged: true, note: 'refund arranged by phone' } });
  await expect(acknowledgeIssue(pool, notice, 'ada', null)).rejects.toThrow(/already resolved/);

  const waiting = await openIssue(pool, draft({ kind: 'step-failed', step: 'post-invoice', allowedDecisions: ['retry', 'compensate'] }));
  await expect(acknowledgeIssue(pool, waiting, 'ada', null)).rejects.toThrow(/waits for a decision \(retry \| compensate\)/);
  await expect(acknowledgeIssue(pool, 999_999, 'ada', null)).rejects.toThrow(/no such issue/);
});
