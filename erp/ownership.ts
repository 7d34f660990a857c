/**
 * The workflow run that created an ERP record. A workflow id runs many times (a contact qualifies again, a run
 * continues as new), so only the run itself, never a later run of the same id, may undo what it created.
 */
export interface RecordOwner {
  workflowId: string;
  runId: string;
}
