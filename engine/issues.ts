import type { Queryable } from '../db/transaction';

/** The issue log: a step that needs a person, and what that person decided. */

export type IssueKind =
  | 'step-failed'
  | 'ambiguous-match'
  | 'invalid-data'
  /** A wait past its limit (no shipment yet): for a person to chase; closes by itself when the wait ends. */
  | 'overdue'
  /** The shop cancelled an order that has already shipped: the goods have left, nothing is undone. */
  | 'refused-cancellation'
  /** The buyer's bank disputes a payment: answer it with the provider; closes by itself when the bank decides. */
  | 'dispute'
  /** A reconciliation run found differences between the ERP and the payment provider. */
  | 'reconciliation'
  /** A synchronisation audit found records that differ between a vendor and the ERP (details in integration.audit_discrepancy). */
  | 'sync-audit'
  /** The bank returned a payout: its money is back in the provider balance; finance checks the bank account (a notice). */
  | 'payout-failed';

export interface IssueDraft {
  workflowId: string;
  runId: string;
  flow: string;
  step: string;
  businessKey: string;
  kind: IssueKind;
  message: string;
  details: Record<string, unknown>;
  allowedDecisions: string[];
}

export interface IssueRow extends IssueDraft {
  id: number;
  status: 'open' | 'resolved';
  resolution: unknown;
  resolvedBy: string | null;
  openedAt: Date;
  resolvedAt: Date | null;
  /** How many times the issue was raised again because nobody answered it. */
  reminders: number;
  lastRemindedAt: Date | null;
}

const toRow = (r: Record<string, unknown>): IssueRow => ({
  id: r.id as number,
  workflowId: r.workflow_id as string,
  runId: r.run_id as string,
  flow: r.flow as string,
  step: r.step as string,
  businessKey: r.business_key as string,
  kind: r.kind as IssueKind,
  message: r.message as string,
  details: r.details as Record<string, unknown>,
  allowedDecisions: r.allowed_decisions as string[],
  status: r.status as IssueRow['status'],
  resolution: r.resolution,
  resolvedBy: r.resolved_by as string | null,
  openedAt: r.opened_at as Date,
  resolvedAt: r.resolved_at as Date | null,
  reminders: (r.reminders as number | undefined) ?? 0,
  lastRemindedAt: (r.last_reminded_at as Date | null | undefined) ?? null,
});

/** Opens the issue, or returns the one already open for this workflow step (so a retried activity adds nothing). */
export async function openIssue(db: Queryable, draft: IssueDraft): Promise<number> {
  // Questions left open by an earlier run of the same workflow id (terminated, reset) are answered by nobody. Notices
  // (no decision) stay: a run that continued as new still owns them and closes them itself.
  await db.query(
    `UPDATE integration.issue SET status = 'resolved', resolution = '{"superseded": true}', resolved_by = 'engine', resolved_at = now()
      WHERE workflow_id = $1 AND run_id <> $2 AND status = 'open' AND cardinality(allowed_decisions) > 0`,
    [draft.workflowId, draft.runId],
  );
  const inserted = await db.query(
    `INSERT INTO integration.issue (workflow_id, run_id, flow, step, business_key, kind, message, details, allowed_decisions)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (workflow_id, run_id, step) WHERE status = 'open' DO NOTHING RETURNING id`,
    [draft.workflowId, draft.runId, draft.flow, draft.step, draft.businessKey, draft.kind, draft.message, JSON.stringify(draft.details), draft.allowedDecisions],
  );
  if (inserted.rows[0]) return inserted.rows[0].id as number;
  const open = await db.query(`SELECT id FROM integration.issue WHERE workflow_id = $1 AND run_id = $2 AND step = $3 AND status = 'open'`, [draft.workflowId, draft.runId, draft.step]);
  return open.rows[0].id as number;
}

export async function resolveIssue(db: Queryable, id: number, resolution: unknown, resolvedBy: string): Promise<void> {
  await db.query(
    `UPDATE integration.issue SET status = 'resolved', resolution = $2, resolved_by = $3, resolved_at = now()
      WHERE id = $1 AND status = 'open'`,
    [id, JSON.stringify(resolution), resolvedBy],
  );
}

/**
 * Closes an issue that waits for no decision (an overdue shipment, a cancellation refused after shipping) once a
 * person has dealt with it. An issue that a flow waits on is answered with a decision instead, never closed here.
 */
export async function acknowledgeIssue(db: Queryable, id: number, operator: string, note: string | null): Promise<void> {
  const { rows } = await db.query(
    `UPDATE integration.issue SET status = 'resolved', resolution = $2, resolved_by = $3, resolved_at = now()
      WHERE id = $1 AND status = 'open' AND cardinality(allowed_decisions) = 0 RETURNING id`,
    [id, JSON.stringify({ acknowledged: true, note }), operator],
  );
  if (rows.length > 0) return;
  const found = await db.query('SELECT status, allowed_decisions FROM integration.issue WHERE id = $1', [id]);
  const issue = found.rows[0] as { status: string; allowed_decisions: string[] } | undefined;
  if (!issue) throw new Error(`issue ${id}: no such issue`);
  if (issue.status !== 'open') throw new Error(`issue ${id}: already ${issue.status}`);
  throw new Error(`issue ${id}: a flow waits for a decision (${issue.allowed_decisions.join(' | ')}); send it with \`npm run ops -- decide\``);
}

/** Raises an open issue again: nobody answered it within the flow's reminder period. */
export async function remindIssue(db: Queryable, id: number): Promise<void> {
  await db.query(`UPDATE integration.issue SET reminders = reminders + 1, last_reminded_at = now() WHERE id = $1 AND status = 'open'`, [id]);
}

export async function listIssues(db: Queryable, filter: { status?: 'open' | 'resolved'; workflowId?: string } = {}): Promise<IssueRow[]> {
  const { rows } = await db.query(
    `SELECT * FROM integration.issue
      WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR workflow_id = $2)
      ORDER BY opened_at, id`,
    [filter.status ?? null, filter.workflowId ?? null],
  );
  return rows.map(toRow);
}
