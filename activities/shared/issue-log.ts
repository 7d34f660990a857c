import { log } from '@temporalio/activity';
import type { Pool } from 'pg';
import { openIssue, remindIssue, resolveIssue, type IssueKind } from '../../engine/issues';
import { callingWorkflow } from './context';

/** Issue-log activities every flow uses when it needs a person. The workflow identity comes from the activity context. */

export interface IssueInput {
  flow: string;
  step: string;
  businessKey: string;
  kind: IssueKind;
  message: string;
  details: Record<string, unknown>;
  allowedDecisions: string[];
}

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
