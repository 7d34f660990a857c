import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ALL_SEARCH_ATTRIBUTES } from '../domain/search-attributes';
import { findTemporalCli } from './temporal-cli';

/** A local Temporal dev server (`temporal server start-dev`) with our search attributes and the Web UI. */

export interface DevServerHandle {
  address: string;
  namespace: string;
  uiUrl: string | undefined;
  cli: string;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  port: number;
  uiPort?: number;
  dbFilename?: string;
  namespace?: string;
  cliPath?: string;
  log: (line: string) => void;
}

export async function startDevServer(opts: DevServerOptions): Promise<DevServerHandle> {
  const found = await findTemporalCli({ explicitPath: opts.cliPath, log: opts.log });
  if (!found) opts.log('No Temporal CLI and no Go toolchain here: asking the Temporal SDK to download its dev server.');
  const namespace = opts.namespace ?? 'default';
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: found ? { type: 'existing-path', path: found.path } : { type: 'cached-download' },
        ip: '127.0.0.1',
        port: opts.port,
        ui: opts.uiPort !== undefined,
        uiPort: opts.uiPort,
        dbFilename: opts.dbFilename,
        namespace,
        searchAttributes: ALL_SEARCH_ATTRIBUTES,
        log: { format: 'json', level: 'warn' },
      },
    });
  } catch (err) {
    throw new Error(
      `Could not start a Temporal dev server (${found ? `CLI ${found.path}` : 'SDK download'}): ${(err as Error).message}\n` +
        'Set TEMPORAL_CLI_PATH to a Temporal CLI binary, install Go to build one, or set TEMPORAL_ADDRESS to an existing server.',
    );
  }
  return {
    address: env.address,
    namespace,
    uiUrl: opts.uiPort !== undefined ? `http://127.0.0.1:${opts.uiPort}` : undefined,
    cli: found?.path ?? 'sdk-download',
    stop: () => env.teardown(),
  };
}
