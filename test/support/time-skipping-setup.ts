import { ensureTestServer } from './time-skipping';

/**
 * Global setup of the workflow tests: provisions the time-skipping test server once, before the test workers start.
 * A failure (no Java, no Maven) is only reported here: each workflow test file then fails with the same message,
 * naming what to install, while the other projects of the run still run.
 */
export default async function timeSkippingSetup(): Promise<void> {
  try {
    await ensureTestServer();
  } catch (err) {
    process.stderr.write(`[time-skipping] ${(err as Error).message}\n`);
  }
}
