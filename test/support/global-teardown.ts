/** Stops what global setup started, in reverse order. */
export default async function globalTeardown(): Promise<void> {
  const stops = (globalThis as { __engineTestStops?: Array<() => Promise<void>> }).__engineTestStops ?? [];
  for (const stop of [...stops].reverse()) await stop().catch((err: unknown) => process.stderr.write(`teardown: ${String(err)}\n`));
}
