import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../config/paths';
import { ensureGoTool, toolCacheDir, type GoTool } from './go-install';
import { TEMPORAL_CLI } from './temporal-cli';

/**
 * Every tool we build with Go (see go-install.ts): the Temporal CLI for the dev server, and for the service tests
 * stripe-mock and our compose checker. STRIPE_MOCK_PATH and COMPOSE_CHECK_PATH override the cache.
 * `node dist/stack/provision-tools.js` builds them ahead of time (CI does, to show the timings).
 */

export const STRIPE_MOCK_VERSION = 'v0.203.0'; // .ci/run pre-builds the same version

export const STRIPE_MOCK: GoTool = {
  label: `stripe-mock ${STRIPE_MOCK_VERSION}`,
  binary: 'stripe-mock',
  cacheDir: toolCacheDir('stripe-mock', STRIPE_MOCK_VERSION),
  source: { module: 'github.com/stripe/stripe-mock', version: STRIPE_MOCK_VERSION },
  expectedTime: 'about 10 seconds, up to a minute while Go\'s own caches are empty',
};

const COMPOSE_CHECK_DIR = join(PROJECT_ROOT, 'test', 'support', 'compose-check');

/** Cached by the hash of its sources, so an edit to the program or its pinned modules builds it again. */
function sourceHash(dir: string): string {
  const hash = createHash('sha256');
  for (const file of ['main.go', 'go.mod', 'go.sum']) hash.update(file).update(readFileSync(join(dir, file)));
  return hash.digest('hex').slice(0, 12);
}

/** A function, not a constant: its sources are only in a clone, not in the Docker image that also holds this file. */
export const composeCheckTool = (): GoTool => ({
  label: 'compose-check (test/support/compose-check)',
  binary: 'compose-check',
  cacheDir: toolCacheDir('compose-check', sourceHash(COMPOSE_CHECK_DIR)),
  source: { localDir: COMPOSE_CHECK_DIR },
  expectedTime: 'a few seconds, about 20 while Go\'s own caches are empty',
});

type Log = (line: string) => void;
const stderrLog: Log = (line) => process.stderr.write(`[test tools] ${line}\n`);

export async function stripeMockPath(log: Log = stderrLog): Promise<string> {
  return process.env.STRIPE_MOCK_PATH || ensureGoTool(STRIPE_MOCK, log);
}

export async function composeCheckPath(log: Log = stderrLog): Promise<string> {
  return process.env.COMPOSE_CHECK_PATH || ensureGoTool(composeCheckTool(), log);
}

export const GO_TOOLS: Record<string, () => GoTool> = {
  'temporal-cli': () => TEMPORAL_CLI,
  'stripe-mock': () => STRIPE_MOCK,
  'compose-check': composeCheckTool,
};
