import type { Pool } from 'pg';
import { inTransaction, type Queryable } from '../db/transaction';
import { recordFailure, requeueForReplay, type InboxRow, type InboxStatus } from '../engine/inbox';
import { listIssues, openIssue, resolveIssue } from '../engine/issues';

/**
 * What an operator needs around the inbox: an issue when an event could not be handed over, and the replay that
 * answers it. The issue is keyed by the inbox row (not by the target workflow, whose own issues it must not touch).
 */

export const inboxIssueKey = (inboxId: number) => `relay-inbox-${inboxId}`;
const ISSUE_RUN = 'inbox';
const ISSUE_STEP = 'dispatch';

export async function openDispatchIssue(db: Queryable, row: InboxRow, targetWorkflowId: string | undefined, lastError: string): Promise<number> {
  return openIssue(db, {
    workflowId: inboxIssueKey(row.id),
    runId: ISSUE_RUN,
    flow: 'relay',
    step: ISSUE_STEP,
    businessKey: row.businessKey,
    kind: 'step-failed',
    message: `${row.provider} event ${row.eventId} (${row.topic}) could not be handed to Temporal: ${lastError}. `
      + `Once the cause is fixed: npm run ops -- inbox replay ${row.id}`,
    details: { inboxId: row.id, provider: row.provider, eventId: row.eventId, topic: row.topic, targetWorkflowId, lastError },
    allowedDecisions: ['replay'],
  });
}

/**
 * Counts a failed hand-over; the one that makes the row `failed` opens its issue in the same transaction, so no
 * operator (or relay crash) ever sees a failed row without the issue that asks for its replay.
 */
export async function recordDispatchFailure(
  pool: Pool, row: InboxRow, targetWorkflowId: string | undefined, failure: string, retry: { delayMs: number; maxFailures: number },
): Promise<{ failed: boolean }> {
  return inTransaction(pool, async (tx) => {
    const outcome = await recordFailure(tx, row.id, retry.delayMs, failure, retry.maxFailures);
    if (outcome.failed) await openDispatchIssue(tx, row, targetWorkflowId, failure);
    return outcome;
  });
}

/** Back to `pending` for the dispatcher (one row, or every failed one); the issues of replayed rows are resolved. */
export async function replayInbox(pool: Pool, which: { id: number } | { status: 'failed' }, operator: string): Promise<Array<{ id: number; previous: InboxStatus }>> {
  return inTransaction(pool, async (tx) => {
    const replayed = await requeueForReplay(tx, which);
    for (const { id } of replayed) {
      for (const issue of await listIssues(tx, { status: 'open', workflowId: inboxIssueKey(id) })) {
        await resolveIssue(tx, issue.id, { action: 'replay' }, operator);
      }
    }
    return replayed;
  });
}

/** An accepted update's result, when it comes, becomes the outcome of the rows that handed it over. */
export async function recordUpdateResult(db: Queryable, inboxIds: number[], outcome: string): Promise<void> {
  await db.query(`UPDATE integration.webhook_inbox SET outcome = $2 WHERE id = ANY($1::bigint[]) AND status = 'dispatched'`, [inboxIds, outcome.slice(0, 2000)]);
}
