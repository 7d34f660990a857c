import { log } from '@temporalio/activity';
import type { Pool } from 'pg';
import { openIssue, remindIssue, resolveIssue, type IssueDraft } from '../../engine/issues';
import { callingWorkflow } from './context';

/** Issue-log activities every flow uses when it needs a person. The workflow identity comes from the activity context. */

/** An issue as a flow reports it; which workflow run it belongs to comes from the activity context. */
export type IssueInput = Omit<IssueDraft, 'workflowId' | 'runId'>;

export function createIssueActivities(pool: Pool) {
  return {
    /** Records the issue (once per open workflow step) and returns its id. */
    async recordIssue(input: IssueInput): Promise<number> {
      const { workflowId, runId } = callingWorkflow();
      return openIssue(pool, { ...input, workflowId, runId });
    },
    /** Closes the issue with the operator's decision. */
    async closeIssue(issueId: number, resolution: unknown, resolvedBy: string): Promise<void> {
      await resolveIssue(pool, issueId, resolution, resolvedBy);
    },
    /** Raises the issue again (nobody answered within the reminder period); logged so that alerting sees it. */
    async remindIssue(issueId: number): Promise<void> {
      await remindIssue(pool, issueId);
      log.warn('issue still waiting for a person', { issueId });
    },
  };
}

export type IssueActivities = ReturnType<typeof createIssueActivities>;
