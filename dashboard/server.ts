import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import type { Logger } from '../config/logger';
import { registerDashboardApi } from './api';
import { bindingProblem, presentedToken, tokenMatches } from './auth';
import type { TemporalUi } from './links';
import { dashboardPage } from './page';
import { startVendorCallsSampler } from './vendor-calls';

/**
 * The monitoring dashboard's web server: the page at `/`, its JSON API under `/api/`, and `/health` (no data, no
 * token) for process supervisors. With a token configured every other request must present it; bound beyond
 * loopback without one, it does not start at all.
 */

export interface DashboardOptions {
  pool: Pool;
  logger: Logger | false;
  host: string;
  port: number;
  token?: string;
  refreshSeconds: number;
  ui: TemporalUi;
  /** The workers' Prometheus endpoints, for vendor call rates (optional). */
  metricsUrls?: readonly string[];
  now?: () => Date;
}

export class DashboardStartupError extends Error {
  override name = 'DashboardStartupError';
}

export async function buildDashboardServer(opts: DashboardOptions): Promise<FastifyInstance> {
  const problem = bindingProblem(opts.host, opts.token);
  if (problem) throw new DashboardStartupError(problem);
  const app = Fastify(opts.logger ? { loggerInstance: opts.logger as FastifyBaseLogger } : { logger: false });

  if (opts.token) {
    const token = opts.token;
    app.addHook('onRequest', async (req, reply) => {
      if (req.url === '/health') return;
      const presented = presentedToken(req.headers.authorization, (req.query as Record<string, unknown> | undefined)?.token);
      if (tokenMatches(token, presented)) return;
      // The bearer scheme tells clients what to send; the body tells people how.
      return reply.code(401).header('www-authenticate', 'Bearer realm="dashboard"').send({
        error: 'unauthorized', reason: presented === undefined ? 'send the dashboard token as Authorization: Bearer <token> or ?token=<token>' : 'the token is not the dashboard\'s',
      });
    });
  }

  app.get('/health', async () => ({ ok: true }));
  app.get('/', async (_req, reply) => reply
    .header('content-type', 'text/html; charset=utf-8')
    // The page is self-contained: nothing may load from elsewhere, and no other site may frame it.
    .header('content-security-policy', "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; frame-ancestors 'none'")
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-store')
    .send(dashboardPage({ refreshSeconds: opts.refreshSeconds })));
  const vendorCalls = opts.metricsUrls?.length ? startVendorCallsSampler(opts.metricsUrls) : undefined;
  if (vendorCalls) app.addHook('onClose', async () => vendorCalls.stop());
  registerDashboardApi(app, { pool: opts.pool, ui: opts.ui, vendorCalls, now: opts.now });
  return app;
}

export interface RunningDashboard {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

/** Builds and listens; `url` is where it listens (port 0 picks a free one). */
export async function startDashboard(opts: DashboardOptions): Promise<RunningDashboard> {
  const app = await buildDashboardServer(opts);
  await app.listen({ host: opts.host, port: opts.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return { url: `http://${host}:${port}`, app, close: () => app.close() };
}
