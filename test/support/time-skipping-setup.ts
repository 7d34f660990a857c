import { ensureTestServer } from './time-skipping';

/** Global setup of the workflow tests: provisions the time-skipping test server once, before the test workers start. */
export default async function timeSkippingSetup(): Promise<void> {
  await ensureTestServer();
}
