import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Child services of the local stack: their output prefixed with their name, and a stop that waits for exit. */
export interface ChildService {
  name: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function startChild(name: string, script: string, env: NodeJS.ProcessEnv, onExit: (name: string, code: number | null) => void): ChildService {
  // Our own node flags too: a stack run from TypeScript (the tests' `-r` loader) runs its services the same way.
  const child = spawn(process.execPath, [...process.execArgv, script], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tag = `[${name}]`.padEnd(12);
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${tag} ${line}\n`));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    onExit(name, code);
    resolve(code);
  }));
  return {
    name,
    child,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Polls an HTTP URL until it answers 2xx, or fails with the service's name. */
export async function waitForHttp(name: string, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} did not become healthy at ${url} within ${timeoutMs / 1000} s`);
}
