import { spawn } from 'node:child_process';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { freePort } from '../../stack/free-port';
import { join } from 'node:path';

/**
 * A class-data-sharing archive of the test server's startup classes: the JVM then starts it in about 0.2 s instead
 * of 0.8 s, which matters because the SDK gives the server only 5 s to answer, on 2 cores busy with tests. Made once
 * by a training start of the server; a missing or outdated archive (e.g. after a JDK update) only costs that time.
 */

export const CDS_ARCHIVE = 'test-server.jsa';

/** Serial GC and C1 only: the server is small, and they start fastest. */
export const JVM_OPTIONS = ['-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Xlog:cds=off'];

/** Makes the archive in `dir` when it is missing; never fails (the server works without it). */
export async function trainClassDataArchive(java: string, dir: string, mainClass: string, log: (line: string) => void): Promise<void> {
  const archive = join(dir, CDS_ARCHIVE);
  if (existsSync(archive)) return;
  const scratch = `${archive}.${process.pid}.tmp`;
  const port = await freePort();
  // The same JVM options as the launcher's: an archive is only used by a JVM started like the one that made it.
  const args = [...JVM_OPTIONS, `-XX:ArchiveClassesAtExit=${scratch}`, '-cp', join(dir, 'lib', '*'), mainClass, String(port)];
  const child = spawn(java, args, { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    await untilListening(port, exited);
  } catch (err) {
    log(`${(err as Error).message}`);
  } finally {
    // A normal exit (SIGTERM runs the shutdown hooks) is when the JVM writes the archive.
    child.kill('SIGTERM');
    await exited;
  }
  if (existsSync(scratch)) renameSync(scratch, archive);
  else log('could not make a class-data archive of the test server: it starts without one (slower)');
  rmSync(scratch, { force: true });
}

/** Resolves once the port accepts a connection; rejects if the process exits first or after a minute. */
async function untilListening(port: number, exited: Promise<number | null>): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (const deadline = Date.now() + 60_000; Date.now() < deadline && !gone;) {
    if (await accepts(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the test server did not listen on port ${port} during its training start (for its class-data archive)`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
