import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../config/logger';
import { verifyHubspotV3 } from '../connectors/hubspot/signature';
import { GroupCommit } from '../db/group-commit';
import { createPool } from '../db/pool';
import { registerConnections } from '../engine/connections';
import { InboxBatcher } from '../relay/inbox-batcher';
import { buildRelayServer } from '../relay/server';

/**
 * One server of the webhook intake benchmark, forked as a process of its own (the parent tells it what to be):
 *  - `relay`: the relay's real HTTP side (relay/server.ts: signature, parsing, group-committed inbox insert),
 *    without the dispatcher, which hands rows to Temporal after they are acknowledged;
 *  - `insert`: baseline (a), a bare node:http server doing the same HubSpot v3 check and one plain INSERT (its
 *    own commit) per request before answering;
 *  - `bare`: baseline (b), the same server without the INSERT (the bound: HTTP plus HMAC only);
 *  - `grouped`: (c), the bare server with the relay's group commit (db/group-commit.ts) into (a)'s table: the least
 *    a server that stores each delivery in PostgreSQL before its 2xx can cost here, whatever else it does.
 */

export type IntakeServerKind = 'relay' | 'insert' | 'grouped' | 'bare';

export interface ServerOrder {
  kind: IntakeServerKind;
  databaseUrl: string;
  secret: string;
  /** The public URL the deliveries are signed for. */
  publicUrl: string;
  poolSize: number;
  /** The group commit of `relay` and `grouped`: flushes under way at once (its default when absent). */
  relayFlushes?: number;
}

/** What the parent learns: where to send the load, then the server's CPU time once asked. */
export type ServerMessage = { port: number } | { cpuSeconds: number; inbox?: InboxBatcher['stats'] };

// The group commit's batches so far (relay and grouped), for the parent's report.
let groupStats: (() => InboxBatcher['stats']) | undefined;

export const NAIVE_TABLE = `CREATE TABLE IF NOT EXISTS public.bench_naive_intake (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, raw_body bytea NOT NULL, headers jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`;

async function startRelayIntake(order: ServerOrder): Promise<number> {
  const pool = createPool(order.databaseUrl, order.poolSize);
  const connections = [{ id: 'hubspot', role: 'crm', vendor: 'hubspot' }] as const;
  await registerConnections(pool, connections);
  const relayInbox = new InboxBatcher(pool, order.relayFlushes ? { maxConcurrentFlushes: order.relayFlushes } : {});
  groupStats = () => relayInbox.stats;
  const app = await buildRelayServer({
    pool, connections, secrets: { hubspot: order.secret }, logger: createLogger('bench-relay', 'warn'),
    bodyLimitBytes: 1_048_576, publicUrl: order.publicUrl,
    inbox: relayInbox,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as AddressInfo).port;
}

// (a): prepared once per connection, as (c)'s statement and the relay's are, so that each gets its best case.
const NAIVE_INSERT = { name: 'bench-naive-insert', text: 'INSERT INTO public.bench_naive_intake (raw_body, headers) VALUES ($1, $2)' };

// (c) writes what (a) writes, a group per statement: the rows travel as one JSON parameter, as the relay's do.
const GROUPED_INSERT = {
  name: 'bench-grouped-insert',
  text: `INSERT INTO public.bench_naive_intake (raw_body, headers) SELECT decode(r->>0, 'base64'), r->1 FROM jsonb_array_elements($1::jsonb) AS r`,
};

/** How a baseline stores one delivery: (a) its own INSERT, (c) a share of a group's; (b) stores nothing. */
function storeFor(order: ServerOrder): ((rawBody: Buffer, headersJson: string) => Promise<unknown>) | undefined {
  if (order.kind === 'bare') return undefined;
  const pool = createPool(order.databaseUrl, order.poolSize);
  if (order.kind === 'insert') return (rawBody, headersJson) => pool.query({ ...NAIVE_INSERT, values: [rawBody, headersJson] });
  const rows = new GroupCommit<string, void>({
    write: async (group) => {
      await pool.query({ ...GROUPED_INSERT, values: [`[${group.join(',')}]`] });
      return group.map(() => undefined);
    },
    maxConcurrentWrites: order.relayFlushes,
  });
  groupStats = () => ({ flushes: rows.stats.writes, deliveries: rows.stats.items, rows: rows.stats.items });
  return (rawBody, headersJson) => rows.submit(`["${rawBody.toString('base64')}",${headersJson}]`);
}

async function startBaseline(order: ServerOrder): Promise<number> {
  const store = storeFor(order);
  const uri = order.publicUrl.replace(/\/+$/, '') + '/webhooks/hubspot';
  const answer = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const header = (name: string) => {
      const value = req.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const verdict = verifyHubspotV3({
      secret: order.secret, method: req.method ?? 'POST', uri, rawBody,
      signature: header('x-hubspot-signature-v3'), timestamp: header('x-hubspot-request-timestamp'), nowMs: Date.now(),
    });
    if (!verdict.ok) return answer(res, 401, JSON.stringify({ error: 'invalid_signature', reason: verdict.reason }));
    if (store) {
      const headers = { 'content-type': header('content-type'), 'x-hubspot-signature-v3': header('x-hubspot-signature-v3'), 'x-hubspot-request-timestamp': header('x-hubspot-request-timestamp') };
      await store(rawBody, JSON.stringify(headers));
    }
    answer(res, 200, '{"received":1}');
  };
  const server = createServer((req, res) => {
    handle(req, res).catch(() => answer(res, 503, '{"error":"unavailable"}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

if (require.main === module) {
  // A clean exit on SIGTERM, so that a CPU profile (--cpu-prof) is written.
  process.once('SIGTERM', () => process.exit(0));
  process.once('message', (order: ServerOrder) => {
    (order.kind === 'relay' ? startRelayIntake(order) : startBaseline(order)).then(
      (port) => {
        process.send!({ port } satisfies ServerMessage);
        // Asked again at the end: CPU time spent, which tells a busy server from a starved one on a shared machine,
        // and for the relay its batches so far.
        process.on('message', () => {
          const { user, system } = process.cpuUsage();
          process.send!({ cpuSeconds: (user + system) / 1e6, inbox: groupStats?.() } satisfies ServerMessage);
        });
      },
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
}
