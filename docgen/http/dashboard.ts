import { z } from 'zod';
import type { Pool } from 'pg';
import { issuesQuery, kpisQuery, waitingQuery, windowQuery } from '../../dashboard/api';
import { buildDashboardServer } from '../../dashboard/server';
import { documented, routesOf, type QueryOnly, type RouteDoc, type ServiceRoutes } from './routes';

/**
 * The monitoring dashboard's HTTP API: routes from the real dashboard app (dashboard/server.ts), query parameters
 * from the zod schemas its routes validate with (dashboard/api.ts), answers described here.
 */

const reason = z.string().describe('why, naming the parameter');
export const badRequest = z.object({ error: z.literal('bad_request'), reason });
export const unauthorized = z.object({ error: z.literal('unauthorized'), reason });
export const dashboardHealth = z.object({ ok: z.literal(true) });

const guarded = (summary: string, query: z.ZodType, result: string): RouteDoc => ({
  summary,
  query,
  security: 'bearer-token',
  responses: {
    200: { description: `the panel's data: ${result} in dashboard/queries.ts (instants ISO UTC, durations in ms)`, contentType: 'application/json' },
    400: { description: 'a query parameter is unknown or out of range: the reason names it', schema: badRequest },
    401: { description: 'a token is configured (DASHBOARD_TOKEN) and the request does not carry it', schema: unauthorized },
  },
});

export const DASHBOARD_ROUTE_DOCS: Record<string, RouteDoc> = {
  'GET /': {
    summary: 'The dashboard page',
    description: 'One self-contained HTML page (inline script, style and SVG charts; nothing loads from elsewhere) that refreshes its panels itself every DASHBOARD_REFRESH_SECONDS. Open it with `?token=` when a token is configured.',
    security: 'bearer-token',
    responses: { 200: { description: 'the page', contentType: 'text/html; charset=utf-8' }, 401: { description: 'token missing or wrong', schema: unauthorized } },
  },
  'GET /health': { summary: 'Liveness for process supervisors (no data, no token)', responses: { 200: { description: 'running', schema: dashboardHealth } } },
  'GET /api/kpis': guarded('The three KPIs with their trends: sync accuracy, order processing time, payment reconciliation time', kpisQuery, '`kpis()`'),
  'GET /api/issues': guarded('Issues by flow, kind and age, each with its Temporal UI link', issuesQuery, '`issuesPanel()`'),
  'GET /api/inbox': guarded('Webhook inbox backlog and quarantine', windowQuery, '`inboxPanel()`'),
  'GET /api/vendors': guarded('Vendor error and throttle rates', windowQuery, '`vendorsPanel()`'),
  'GET /api/waiting': guarded('Flows waiting for a person, with their Temporal UI links', waitingQuery, '`waitingPanel()`'),
};

/** The dashboard app as it runs, on loopback, with or without a token; no database call happens while routes are read. */
export function buildDocumentedDashboard(pool: QueryOnly, token?: string) {
  return buildDashboardServer({
    pool: pool as unknown as Pool, logger: false, host: '127.0.0.1', port: 0, token, refreshSeconds: 15,
    ui: { baseUrl: 'http://127.0.0.1:8233', namespace: 'default' },
  });
}

export async function dashboardRoutes(): Promise<ServiceRoutes> {
  const app = await buildDocumentedDashboard({ query: async () => ({ rows: [] }) });
  try {
    return {
      title: 'Monitoring dashboard',
      server: { url: 'http://127.0.0.1:3100', description: 'under `npm start`; DASHBOARD_HOST, DASHBOARD_PORT' },
      routes: documented('the dashboard (dashboard/server.ts)', 'docgen/http/dashboard.ts', await routesOf(app), DASHBOARD_ROUTE_DOCS),
    };
  } finally {
    await app.close();
  }
}
