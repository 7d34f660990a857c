import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { Logger } from '../config/logger';
import type { RunningService } from '../config/service';
import { Dispatcher, type DispatchTuning } from './dispatcher';
import { InboxHousekeeping } from './housekeeping';
import type { Connection } from '../connections/connection';
import { registerConnections } from '../engine/connections';
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
  /** The connections whose webhooks this relay receives and routes. */
  connections: readonly Connection[];
  secrets: RelaySecrets;
  routes: Omit<RouteContext, 'connections'>;
  pollMs: number;
  dispatch?: DispatchTuning;
  /** Dispatched and ignored inbox rows older than this are deleted (`INBOX_RETENTION_DAYS`). */
  retentionDays?: number;
  pruneEveryMs?: number;
}

export async function startRelay(opts: RelayOptions): Promise<RunningService & { dispatcher: Dispatcher }> {
  // Inbox rows refer to their connection: it must be registered before the first webhook is stored.
  await registerConnections(opts.pool, opts.connections);
  const routes: RouteContext = { ...opts.routes, connections: new Map(opts.connections.map((c) => [c.id, c])) };
  const dispatcher = new Dispatcher({ ...opts.dispatch, pool: opts.pool, client: opts.client, routes, logger: opts.logger, pollMs: opts.pollMs });
  const housekeeping = new InboxHousekeeping({
    pool: opts.pool, logger: opts.logger, retentionDays: opts.retentionDays ?? 30, everyMs: opts.pruneEveryMs ?? 3_600_000,
  });
  const app = await buildRelayServer({
    pool: opts.pool,
    connections: opts.connections,
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
  housekeeping.start();
  return {
    name: 'relay',
    url: `http://${opts.host}:${port}`,
    dispatcher,
    async close() {
      await app.close();
      await dispatcher.stop();
      await housekeeping.stop();
    },
  };
}
