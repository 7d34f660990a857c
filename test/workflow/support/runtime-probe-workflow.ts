import { proxyActivities } from '@temporalio/workflow';
import { FlowRuntime, runFlow } from '../../../workflows/shared/flow-runtime';

/**
 * A test flow on the shared runtime alone: one step per name, each with its undo, then a last question
 * ("finish-or-compensate") so that a test can compensate after the steps and see which undos are left.
 */

export interface ProbeActivities {
  work(step: string): Promise<string>;
  undo(step: string): Promise<void>;
}

export interface ProbeInput { steps: string[]; operatorReminderSeconds?: number }
export type ProbeResult = { status: 'finished'; outcomes: string[] } | { status: 'compensated'; undone: string[] };

// No retries: a failure goes straight to the operator desk.
const probe = proxyActivities<ProbeActivities>({ startToCloseTimeout: '10 seconds', retry: { maximumAttempts: 1 } });

export async function runtimeProbe(input: ProbeInput): Promise<ProbeResult> {
  const flow = new FlowRuntime('probe', 'probe:1', { operatorReminderSeconds: input.operatorReminderSeconds });
  return runFlow<ProbeResult>(flow, async () => {
    const outcomes: string[] = [];
    for (const step of input.steps) {
      const result = await flow.step(step, () => probe.work(step), { compensate: () => probe.undo(step) });
      outcomes.push(result.done ? result.value : 'skipped');
    }
    await flow.ask({ step: 'finish-or-compensate', kind: 'invalid-data', message: 'steps done', details: {}, allowed: ['retry', 'compensate'] });
    return { status: 'finished', outcomes };
  }, { aborted: (undone) => ({ status: 'compensated', undone }) });
}
