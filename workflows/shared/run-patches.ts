import { patched } from '@temporalio/workflow';

/**
 * Which patches a run takes, decided through one baseline marker recorded in the run's first workflow task.
 *
 * Why not `patched()` where each change is used: Temporal's core tells a replaying workflow about the patch markers
 * of the workflow task it is replaying, and nothing later. When a local activity's result is the last event of one
 * task and the code after it ran in the next (which happens under load), the replay resolves that activity within
 * the first task; a `patched()` called right after it then answers false although the run took the new path, and
 * the replay fails (TMPRL1100, "patch marker encountered ... but there is no corresponding change command"). The
 * integration tests' replay of every history they produce (test/support/replay-check.ts) showed it.
 *
 * A run that starts with this code records its flow's baseline in its first activation, where no local activity
 * has resolved yet, and from then on has every patch the flow had: `has` asks nothing more. A run recorded before
 * the baseline asks each patch at the point it always did, so its history replays as it was made.
 * A change made later must not call `patched()` after a local activity either: it gets a marker of its own,
 * recorded at the start of the run like this one (`baselinePatch(flow, 2)`), and runs without it keep their path.
 */
export class RunPatches {
  /** Whether the run recorded the baseline: it started with this code, so behaviour that came with the baseline applies too. */
  readonly fromBaseline: boolean;

  /** Call while the run's first activation runs: in the flow's constructor, before anything is awaited. */
  constructor(baseline: string) {
    this.fromBaseline = patched(baseline);
  }

  /** Whether the run takes `patch`'s path. */
  has(patch: string): boolean {
    return this.fromBaseline || patched(patch);
  }
}

/** The marker a flow's runs record when they start with every patch the flow had at `generation`. */
export const baselinePatch = (flow: string, generation = 1): string => `${flow}-baseline-${generation}`;
