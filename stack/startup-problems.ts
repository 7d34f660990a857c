import { configuredConnections, type AppConfig } from '../config/env';
import { simulatorPlans } from './simulators';

/**
 * Why `npm start` cannot start, as one line that names the cause and what to do. Pure functions over facts that
 * stack/preflight.ts gathers (ports, postmaster.pid, PG_VERSION, folder modes) or over a server's own output.
 */
export class StartupProblem extends Error {
  override name = 'StartupProblem';
}

/** A port a piece of the stack listens on, and the setting that moves it. */
export interface PortClaim {
  port: number;
  host: string;
  piece: string;
  setting: keyof AppConfig;
}

/** The ports this configuration's pieces listen on: embedded servers unless external ones are given, and the simulators in use. */
export function stackPorts(config: AppConfig): PortClaim[] {
  const local = (port: number, piece: string, setting: keyof AppConfig): PortClaim => ({ port, host: '127.0.0.1', piece, setting });
  return [
    ...(config.DATABASE_URL ? [] : [local(config.EMBEDDED_PG_PORT, 'PostgreSQL', 'EMBEDDED_PG_PORT')]),
    ...(config.TEMPORAL_ADDRESS ? [] : [
      local(config.TEMPORAL_DEV_PORT, 'Temporal', 'TEMPORAL_DEV_PORT'),
      local(config.TEMPORAL_UI_PORT, 'Temporal UI', 'TEMPORAL_UI_PORT'),
    ]),
    { port: config.RELAY_PORT, host: config.RELAY_HOST, piece: 'webhook relay', setting: 'RELAY_PORT' },
    { port: config.DASHBOARD_PORT, host: config.DASHBOARD_HOST, piece: 'monitoring dashboard', setting: 'DASHBOARD_PORT' },
    ...simulatorPlans(config, configuredConnections(config).all).map((sim) => local(sim.port, sim.piece, sim.portSetting)),
  ];
}

/** Two pieces configured onto the same port would fight over it. */
export function clashingPortsProblem(claims: PortClaim[]): string | undefined {
  const clash = claims.find((claim, i) => claims.findIndex((other) => other.port === claim.port) !== i);
  if (!clash) return undefined;
  const first = claims.find((claim) => claim.port === clash.port)!;
  return `${first.piece} and ${clash.piece} are both set to port ${clash.port}: give ${clash.setting} another value`;
}

export function portsInUseProblem(busy: PortClaim[]): string | undefined {
  if (busy.length === 0) return undefined;
  const seeWho = `\`ss -ltnp 'sport = :${busy[0]!.port}'\` shows who`;
  if (busy.length === 1) {
    const [claim] = busy as [PortClaim];
    return `port ${claim.port} (${claim.piece}) is already in use, perhaps by an earlier \`npm start\`: stop that program ` +
      `(${seeWho}) or set ${claim.setting} to a free port`;
  }
  const list = busy.map((claim) => `${claim.port} (${claim.piece}, ${claim.setting})`).join(', ');
  return `ports already in use, perhaps by an earlier \`npm start\`: ${list}: stop what holds them (${seeWho}) or set those variables to free ports`;
}

/** The process id on the first line of postmaster.pid. */
export function pidInPidFile(text: string): number | undefined {
  const pid = Number(text.split('\n', 1)[0]?.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

export type PidFileVerdict = 'stale' | 'running' | 'unclear';

/**
 * postmaster.pid left by a server that is gone (crash, kill -9, reboot) is stale and safe to remove, and so is one
 * whose pid now belongs to a program that is no postgres. A postgres with that pid on this data folder is running.
 * Anything else (a postgres elsewhere, a command line we cannot read) is left to PostgreSQL's own check.
 * `commandLine` is the pid's command line, null when no such process runs, undefined when unknown.
 */
export function judgePidFile(commandLine: string | null | undefined, dataDir: string): PidFileVerdict {
  if (commandLine === null) return 'stale';
  if (commandLine === undefined) return 'unclear';
  if (!/postgres/.test(commandLine)) return 'stale';
  return commandLine.includes(dataDir) ? 'running' : 'unclear';
}

export function postgresStillRunningProblem(pid: number, shownDataDir: string): string {
  return `PostgreSQL (pid ${pid}) is still running on ${shownDataDir}, from another \`npm start\` or one that crashed: ` +
    `stop that stack with Ctrl-C, or \`kill ${pid}\` (a clean shutdown), then start again`;
}

/** The major version of a PG_VERSION file or a server version ("16", "9.6", "18.4" -> "18"). */
export function majorVersion(version: string): string {
  const [first, second] = version.trim().split('.');
  return Number(first) < 10 && second !== undefined ? `${first}.${second}` : (first ?? '');
}

export function versionMismatchProblem(dataVersion: string, serverVersion: string, shownDataDir: string): string | undefined {
  const data = majorVersion(dataVersion);
  const server = majorVersion(serverVersion);
  if (data === server) return undefined;
  return `${shownDataDir} holds a PostgreSQL ${data} database, but the embedded server is PostgreSQL ${server}: move the folder ` +
    `aside (\`mv ${shownDataDir} ${shownDataDir}-pg${data}\`) to start with a fresh one, or set DATABASE_URL to a PostgreSQL ${data} server`;
}

export interface FolderFacts {
  path: string;
  mode: number;
  uid: number;
  gid: number;
}

/** The first folder on the way that the user may not enter (no search permission for it as owner, group or other). */
export function firstBlockedFolder(chain: FolderFacts[], user: { uid: number; gid: number } | undefined): string | undefined {
  const canEnter = (folder: FolderFacts) => {
    if (user?.uid === 0) return true;
    if (user && folder.uid === user.uid) return (folder.mode & 0o100) !== 0;
    if (user && folder.gid === user.gid) return (folder.mode & 0o010) !== 0;
    return (folder.mode & 0o001) !== 0;
  };
  return chain.find((folder) => !canEnter(folder))?.path;
}

export function unreachableAsRootProblem(blocked: string, what: string): string {
  return `running as root, so PostgreSQL runs as the system user "postgres", which may not enter ${blocked} (on the way to ${what}): ` +
    'put the project in a folder every user can enter (for example /srv or /opt, not /root), run `npm start` as a normal user, ' +
    'or set DATABASE_URL to an existing PostgreSQL';
}

/** Reads PostgreSQL's own start-up output for a known cause; undefined when it names none. */
export function diagnosePostgresOutput(output: string, ctx: { port: number; shownDataDir: string }): string | undefined {
  if (/could not bind .*Address already in use|could not create any TCP\/IP sockets/.test(output)) {
    return portsInUseProblem([{ port: ctx.port, host: '127.0.0.1', piece: 'PostgreSQL', setting: 'EMBEDDED_PG_PORT' }]);
  }
  const otherPostmaster = /Is another postmaster \(PID (\d+)\) running/.exec(output);
  if (otherPostmaster) return postgresStillRunningProblem(Number(otherPostmaster[1]), ctx.shownDataDir);
  const versions = /initialized by PostgreSQL version ([\d.]+), which is not compatible with this version ([\d.]+)/.exec(output);
  if (versions) return versionMismatchProblem(versions[1]!, versions[2]!, ctx.shownDataDir);
  if (/pre-existing shared memory block .* is still in use/.test(output)) {
    return `server processes of an earlier PostgreSQL still run on ${ctx.shownDataDir}: stop them (\`ps -u postgres -f\` lists them), then start again`;
  }
  const denied = /could not (?:access|open|change) (?:directory|file) "([^"]+)"[^\n]*Permission denied/.exec(output);
  if (denied) {
    return `PostgreSQL may not open ${denied[1]} (permission denied): give its data folder ${ctx.shownDataDir} back to the user ` +
      'that runs it (`chown -R`), or move the folder aside to start with a fresh one';
  }
  return undefined;
}

/** The Temporal CLI's own words for a port it could not bind ("listen tcp 127.0.0.1:7233: bind: address already in use"). */
export function diagnoseTemporalOutput(output: string, claims: PortClaim[]): string | undefined {
  const bind = /listen tcp [^\s:]*:(\d+): bind: address already in use/i.exec(output);
  if (!bind) return undefined;
  const port = Number(bind[1]);
  const claim = claims.find((c) => c.port === port) ?? { port, host: '127.0.0.1', piece: 'Temporal', setting: 'TEMPORAL_DEV_PORT' };
  return portsInUseProblem([claim]);
}

/** One line for any start-up error, also for a rejection without an Error (which once printed "undefined"). */
export function startupFailureLine(err: unknown): string {
  if (err instanceof StartupProblem) return `start-up failed: ${err.message}`;
  const message = err instanceof Error ? err.message : err === undefined ? '' : String(err);
  return `start-up failed: ${message.trim() || 'a piece stopped without saying why (see the lines above)'}`;
}
