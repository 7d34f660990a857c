import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Preloaded into a benchmark's worker process (`node -r`): on SIGWINCH (the Temporal SDK stops a worker on SIGUSR2) it collects garbage (when the process runs
 * with --expose-gc) and writes process.memoryUsage() to $MEMORY_PROBE_DIR/<pid>.json. The workflow sandboxes run in
 * worker threads whose heaps are not in heapUsed: RSS counts them.
 */
const dir = process.env.MEMORY_PROBE_DIR;
if (dir) {
  process.on('SIGWINCH', () => {
    (globalThis as { gc?: () => void }).gc?.();
    writeFileSync(join(dir, `${process.pid}.json`), JSON.stringify({ at: Date.now(), ...process.memoryUsage() }));
  });
}
