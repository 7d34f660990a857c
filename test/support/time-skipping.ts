import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { ClientOptionsForTestEnv } from '@temporalio/testing/lib/client';
import { temporal } from '@temporalio/proto';
import { SearchAttributeType } from '@temporalio/common';
import { ALL_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import { isExecutable, onPath, toolCacheDir } from '../../stack/go-install';
import { CDS_ARCHIVE, JVM_OPTIONS, trainClassDataArchive } from './time-skipping-cds';

/**
 * Temporal's time-skipping test server without internet. The TypeScript SDK would download a native build of it;
 * the same server is published on Maven Central as the Java SDK's `io.temporal:temporal-test-server`. We resolve it
 * with Maven once per machine into ~/.cache/integration-engine/temporal-test-server/<version>/lib, write a launcher
 * beside it, and hand that launcher to the SDK, which runs it as `<launcher> <port> [extra args]`.
 */

export const TEST_SERVER_VERSION = '1.38.0';
const MAIN_CLASS = 'io.temporal.testserver.TestServer';
const LAUNCHER = 'temporal-test-server';
/** Written last: a cache folder without it is incomplete and is provisioned again. */
const READY_MARK = '.ready';

type Log = (line: string) => void;
const stderrLog: Log = (line) => process.stderr.write(`[time-skipping] ${line}\n`);

export const testServerCacheDir = (): string => toolCacheDir('temporal-test-server', TEST_SERVER_VERSION);

/** JAVA_HOME's java when it has one, else java on PATH (the launcher looks it up the same way). */
function findJava(): string | undefined {
  const home = process.env.JAVA_HOME;
  if (home && isExecutable(join(home, 'bin', 'java'))) return join(home, 'bin', 'java');
  return onPath('java');
}

function requireTool(found: string | undefined, what: string): string {
  if (found) return found;
  throw new Error(`The workflow tests run Temporal's time-skipping test server, which needs ${what}. Install it and run the tests again.`);
}

/** The launcher of the cached test server, provisioned with Maven first when the cache is missing or incomplete. */
export async function ensureTestServer(log: Log = stderrLog): Promise<string> {
  const java = requireTool(findJava(), 'Java 17 or later (Debian: apt-get install openjdk-17-jre-headless; or set JAVA_HOME)');
  const dir = testServerCacheDir();
  if (!existsSync(join(dir, READY_MARK))) {
    const mvn = requireTool(onPath('mvn'), 'Maven to fetch it from Maven Central once (Debian: apt-get install maven)');
    await provision(mvn, java, dir, log);
  }
  // Made in place: the archive is only valid for the class path it was made with.
  await trainClassDataArchive(java, dir, MAIN_CLASS, log);
  return join(dir, LAUNCHER);
}

/** Resolves into a scratch folder renamed into place, so that a concurrent or interrupted run never leaves half a cache. */
async function provision(mvn: string, java: string, dir: string, log: Log): Promise<void> {
  mkdirSync(dirname(dir), { recursive: true });
  const scratch = mkdtempSync(`${dir}.build-`);
  const javaVersion = spawnSync(java, ['-version'], { encoding: 'utf8' }).stderr.split('\n')[0]?.trim();
  log(`Temporal test server ${TEST_SERVER_VERSION} not cached: fetching io.temporal:temporal-test-server with Maven into ${dir}`);
  log(`This happens once per machine (about 40 jars, under a minute); it will run on ${javaVersion}.`);
  const started = Date.now();
  try {
    writeFileSync(join(scratch, 'pom.xml'), pom());
    await copyDependencies(mvn, scratch, log);
    writeFileSync(join(scratch, LAUNCHER), launcher(), { mode: 0o755 });
    chmodSync(join(scratch, LAUNCHER), 0o755);
    writeFileSync(join(scratch, READY_MARK), `${new Date().toISOString()}\n`);
    chmodSync(scratch, 0o755);
    moveIntoPlace(scratch, dir);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  log(`Temporal test server ready in ${Math.round((Date.now() - started) / 1000)} s: ${join(dir, LAUNCHER)}`);
}

function moveIntoPlace(scratch: string, dir: string): void {
  try {
    renameSync(scratch, dir);
  } catch (err) {
    // Another test process provisioned it meanwhile: theirs is as good as ours.
    if (existsSync(join(dir, READY_MARK))) return;
    if (!existsSync(dir)) throw err;
    // A folder left by hand or by an older layout, never marked ready: replace it.
    rmSync(dir, { recursive: true, force: true });
    renameSync(scratch, dir);
  }
}

async function copyDependencies(mvn: string, folder: string, log: Log): Promise<void> {
  const args = ['-B', 'dependency:copy-dependencies', '-DincludeScope=runtime', '-DoutputDirectory=lib', '-f', join(folder, 'pom.xml')];
  const child = spawn(mvn, args, { cwd: folder, stdio: ['ignore', 'pipe', 'pipe'] });
  let downloads = 0;
  let tail = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString();
    downloads += (text.match(/Downloaded from/g) ?? []).length;
    tail = (tail + text).slice(-4000);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const started = Date.now();
  const ticker = setInterval(() => log(`  … Maven still resolving (${Math.round((Date.now() - started) / 1000)} s, ${downloads} files downloaded)`), 10_000);
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`mvn ${args.join(' ')} failed (exit ${code}); is Maven Central reachable?\n${tail}`);
  } finally {
    clearInterval(ticker);
  }
}

function pom(): string {
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.integration-engine</groupId>
  <artifactId>temporal-test-server-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>${TEST_SERVER_VERSION}</version>
    </dependency>
  </dependencies>
</project>
`;
}

/** `exec` so that the SDK's kill at teardown reaches the JVM itself; the class-data archive is used when it is there. */
function launcher(): string {
  return `#!/bin/sh
# Temporal's time-skipping test server ${TEST_SERVER_VERSION} (Maven Central: io.temporal:temporal-test-server).
# Usage, as the Temporal SDK calls it: temporal-test-server <port> [--enable-time-skipping]
here=$(cd "$(dirname "$0")" && pwd)
java=java
if [ -n "$JAVA_HOME" ] && [ -x "$JAVA_HOME/bin/java" ]; then java="$JAVA_HOME/bin/java"; fi
cds=
if [ -f "$here/${CDS_ARCHIVE}" ]; then cds="-XX:SharedArchiveFile=$here/${CDS_ARCHIVE}"; fi
exec "$java" ${JVM_OPTIONS.join(' ')} $cds -cp "$here/lib/*" ${MAIN_CLASS} "$@"
`;
}

/** A time-skipping environment on the cached server, with our search attributes registered. */
export async function createTimeSkippingEnv(log: Log = stderrLog, client?: ClientOptionsForTestEnv): Promise<TestWorkflowEnvironment> {
  const path = await ensureTestServer(log);
  const env = await startServer(path, log, client);
  await registerSearchAttributes(env);
  return env;
}

/** The SDK gives the server 5 s to answer; on a machine busy with other tests a start may miss that, so try again. */
async function startServer(path: string, log: Log, client?: ClientOptionsForTestEnv, attempts = 3): Promise<TestWorkflowEnvironment> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path } }, client });
    } catch (err) {
      const slowStart = err instanceof Error && /did not start within/.test(err.message);
      if (!slowStart || attempt >= attempts) throw err;
      log(`the test server did not answer within the SDK's 5 s (attempt ${attempt} of ${attempts}; machine busy?): starting it again`);
    }
  }
}

const INDEXED_TYPES: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.KEYWORD]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.BOOL]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.KEYWORD_LIST]: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  const searchAttributes = Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, INDEXED_TYPES[key.type]!]));
  await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace ?? 'default', searchAttributes });
}
