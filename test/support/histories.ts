import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../config/paths';

/**
 * With RECORD_HISTORIES=1, saves a finished workflow's event history under test/histories/ for the replay test,
 * which then proves that today's workflow code still replays what earlier code recorded. The export goes
 * through the Temporal CLI (`temporal workflow show -o json`), the same format an operator exports from production.
 */
export const HISTORIES_DIR = join(PROJECT_ROOT, 'test', 'histories');

export async function recordHistory(workflowId: string, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const cli = process.env.TEST_TEMPORAL_CLI;
  if (!cli || cli === 'sdk-download') throw new Error('recording histories needs the Temporal CLI (TEMPORAL_CLI_PATH)');
  const json = execFileSync(cli, ['workflow', 'show', '--workflow-id', workflowId, '--address', process.env.TEMPORAL_ADDRESS!, '--output', 'json'], { encoding: 'utf8' });
  mkdirSync(HISTORIES_DIR, { recursive: true });
  writeFileSync(join(HISTORIES_DIR, `${name}.json`), json);
}
