/** Links from the dashboard and the CLI into the Temporal Web UI. */

export interface TemporalUi {
  /** The UI's base URL, e.g. http://127.0.0.1:8233; null when none is known (no link then). */
  baseUrl: string | null;
  namespace: string;
}

export function temporalWorkflowUrl(ui: TemporalUi, workflowId: string): string | null {
  if (!ui.baseUrl) return null;
  return `${ui.baseUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(ui.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/**
 * The workflow an issue is about. The relay's hand-over issues are keyed by their inbox row, not by a workflow: they
 * point at the flow the event was meant for, when it is known.
 */
export function issueWorkflowId(issue: { flow: string; workflowId: string; details: Record<string, unknown> }): string | null {
  if (issue.flow !== 'relay') return issue.workflowId;
  const target = issue.details.targetWorkflowId;
  return typeof target === 'string' && target.length > 0 ? target : null;
}
