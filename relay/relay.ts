import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Logger } from '../config/logger';
import type { RunningService } from '../config/service';
import { Dispatcher } from './dispatcher';
import type { RouteContext } from './routes';
import { buildRelayServer, type RelaySecrets } from './server';

/** The relay service: HTTP intake plus the dispatcher that hands stored events to Temporal. */

export interface RelayOptions {
  pool: Pool;
  client: Client;
  logger: Logger;
  host: string;
  port: number;
  bodyLimitBytes: number;
  publicUrl?: string;
  secrets: RelaySecrets;
  routes: RouteContext;
  pollMs: number;
}

export async function startRelay(opts: RelayOptions): Promise<RunningService & { dispatcher: Dispatcher }> {
  const dispatcher = new Dispatcher({ pool: opts.pool, client: opts.client, routes: opts.routes, logger: opts.logger, pollMs: opts.pollMs });
  const app = await buildRelayServer({
    pool: opts.pool,
    secrets: opts.secrets,
    logger: opts.logger,
    bodyLimitBytes: opts.bodyLimitBytes,
    publicUrl: opts.publicUrl,
    onStored: () => dispatcher.kick(),
  });
  await app.listen({ host: opts.host, port: opts.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  await dispatcher.start();
  return {
    name: 'relay',
    url: `http://${opts.host}:${port}`,
    dispatcher,
    async close() {
      await app.close();
      await dispatcher.stop();
    },
  };
}
