import { randomUUID } from 'node:crypto';
import type { Client, WorkflowClientInterceptor } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { createTimeSkippingEnv } from '../../support/time-skipping';
import type { FakeActivities } from './fake-activities';
import { replayHistories, runHistory, type RunHistory } from '../../../client/history-replay';

/**
 * One time-skipping test server and one workflow bundle per test file; each test runs its own worker, on its own
 * task queue, with its own fake activities.
 */

// Failing activities are the point of these tests: keep the SDK's log to errors unless asked.
Runtime.install({ logger: new DefaultLogger((process.env.TEST_WORKER_LOG_LEVEL as 'ERROR' | undefined) ?? 'ERROR') });

export interface WorkflowTest { client: Client; taskQueue: string; env: TestWorkflowEnvironment }

/**
 * Skips the test server's clock to `atMs` (its own time, as fake activities record it). For "not yet at t − 1 s,
 * then at t": the real time a test takes to see a flow waiting runs on the server's clock too, and on a slow machine
 * it alone can exceed that one second, so a sleep counted from "now" could overshoot the deadline.
 */
export async function skipTo(t: WorkflowTest, atMs: number): Promise<void> {
  await t.env.sleep(Math.max(0, atMs - await t.env.currentTimeMs()));
}

/** The first run of each workflow the tests start, by task queue (the test server cannot list them). */
class StartedRuns {
  private readonly byQueue = new Map<string, Array<{ workflowId: string; runId: string }>>();

  readonly interceptor: WorkflowClientInterceptor = {
    start: async (input, next) => this.note(input.options.taskQueue, input.options.workflowId, await next(input)),
    signalWithStart: async (input, next) => this.note(input.options.taskQueue, input.options.workflowId, await next(input)),
  };

  of(taskQueue: string): Array<{ workflowId: string; runId: string }> {
    return this.byQueue.get(taskQueue) ?? [];
  }

  private note(taskQueue: string, workflowId: string, runId: string): string {
    this.byQueue.set(taskQueue, [...this.of(taskQueue), { workflowId, runId }]);
    return runId;
  }
}

export class WorkflowTestEnv {
  private constructor(readonly env: TestWorkflowEnvironment, private readonly bundle: WorkflowBundleWithSourceMap, private readonly started: StartedRuns) {}

  static async start(): Promise<WorkflowTestEnv> {
    // One after the other: the server's 5 s start deadline must not compete with the bundler for the CPU.
    const started = new StartedRuns();
    const env = await createTimeSkippingEnv(undefined, { interceptors: { workflow: [started.interceptor] } });
    try {
      const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./workflows'), logger: new DefaultLogger('WARN') });
      return new WorkflowTestEnv(env, bundle, started);
    } catch (err) {
      await env.teardown();
      throw err;
    }
  }

  /** Runs `body` while a worker with these fakes serves a fresh task queue. */
  async withWorker<T>(fakes: FakeActivities, body: (t: WorkflowTest) => Promise<T>): Promise<T> {
    const taskQueue = `wf-test-${randomUUID()}`;
    fakes.clock = () => this.env.currentTimeMs();
    const worker = await Worker.create({
      connection: this.env.nativeConnection,
      taskQueue,
      workflowBundle: this.bundle,
      activities: fakes.activities,
      // Cancellation reaches a heartbeating activity at once, not after the default throttle of many seconds.
      maxHeartbeatThrottleInterval: '50 milliseconds',
    });
    const result = await worker.runUntil(body({ client: this.env.client, taskQueue, env: this.env }));
    await this.replayRunsOf(taskQueue);
    return result;
  }

  /**
   * Determinism guard, as the integration tests' harness has it (test/support/replay-check.ts): every run the test
   * started on its task queue, and each run it continued as new into, replays on the workflow code under test.
   */
  private async replayRunsOf(taskQueue: string): Promise<void> {
    const histories: RunHistory[] = [];
    for (const first of this.started.of(taskQueue)) {
      for (let runId: string | undefined = first.runId; runId;) {
        const run = await runHistory(this.env.client, first.workflowId, runId);
        histories.push(run);
        runId = run.history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
      }
    }
    const { replayed, failures } = await replayHistories(histories, this.bundle);
    if (failures.length > 0) throw new Error(`${failures.length} of ${replayed} workflow histories do not replay:\n${failures.map((f) => `${f.run}: ${f.error}`).join('\n')}`);
  }

  /** Replays a recorded history on the workflow code under test; rejects as a worker would (nondeterminism, ...). */
  replay(workflowId: string, history: unknown): Promise<void> {
    return Worker.runReplayHistory({ workflowBundle: this.bundle, replayName: workflowId }, history);
  }

  async teardown(): Promise<void> {
    await this.env.teardown();
  }
}
