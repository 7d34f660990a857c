import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Pool } from 'pg';
import { z } from 'zod';
import { issueWorkflowId, temporalWorkflowUrl, type TemporalUi } from './links';
import { inboxPanel, issuesPanel, kpis, vendorsPanel, waitingPanel, type IssueListItem } from './queries';
import { exactWindow, parseDuration, timeWindow } from './series';
import type { VendorCallsSampler } from './vendor-calls';

/**
 * The dashboard's JSON API, one route per panel. Query parameters are validated (unknown ones too, so that a typo
 * is a 400 rather than a silently different answer); every instant is ISO UTC, every duration milliseconds.
 */

export interface DashboardApiOptions {
  pool: Pool;
  ui: TemporalUi;
  /** The workers' vendor call counters, when their /metrics are configured (DASHBOARD_METRICS_URLS). */
  vendorCalls?: VendorCallsSampler;
  now?: () => Date;
}

// `token` may ride along on any request (the page passes it on when it was opened with ?token=).
const base = z.object({ token: z.string().optional() });
const hours = z.coerce.number().int('must be a whole number of hours').min(1, 'must be at least 1').max(2160, 'must be at most 2160 (90 days)');
const name = z.string().regex(/^[a-z][a-z0-9-]{0,63}$/, 'must be a lower-case name such as order or step-failed');

export const kpisQuery = base.extend({ hours: hours.default(24), bucket: z.enum(['hour', 'day']).optional() }).strict();
export const windowQuery = base.extend({ hours: hours.default(24) }).strict();
export const issuesQuery = base.extend({
  status: z.enum(['open', 'resolved', 'all']).default('open'),
  flow: name.optional(),
  kind: name.optional(),
  olderThan: z.string().refine((v) => parseDuration(v) !== undefined, 'must be a duration such as 90s, 45m, 2h, 3d or 1w').optional(),
  limit: z.coerce.number().int().min(1, 'must be at least 1').max(500, 'must be at most 500').default(50),
}).strict();
export const waitingQuery = base.extend({ limit: z.coerce.number().int().min(1, 'must be at least 1').max(500, 'must be at most 500').default(50) }).strict();

/** The first problem with a request's query, naming the parameter. */
export function queryProblem(error: z.ZodError): string {
  const issue = error.issues[0]!;
  if (issue.code === 'unrecognized_keys') return `unknown query parameter ${issue.keys.join(', ')}`;
  return `${issue.path.join('.') || 'query'}: ${issue.message}`;
}

function parse<S extends z.ZodType>(schema: S, query: unknown, reply: FastifyReply): z.infer<S> | undefined {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  void reply.code(400).send({ error: 'bad_request', reason: queryProblem(parsed.error) });
  return undefined;
}

export function registerDashboardApi(app: FastifyInstance, opts: DashboardApiOptions): void {
  const now = opts.now ?? (() => new Date());
  const withLink = (issue: IssueListItem) => {
    const workflowId = issueWorkflowId(issue);
    return { ...issue, temporalUrl: workflowId ? temporalWorkflowUrl(opts.ui, workflowId) : null };
  };

  app.get('/api/kpis', async (req, reply) => {
    const q = parse(kpisQuery, req.query, reply);
    if (!q) return reply;
    return kpis(opts.pool, timeWindow(now(), q.hours, q.bucket));
  });

  app.get('/api/issues', async (req, reply) => {
    const q = parse(issuesQuery, req.query, reply);
    if (!q) return reply;
    const panel = await issuesPanel(opts.pool, {
      status: q.status, flow: q.flow, kind: q.kind, limit: q.limit, olderThanMs: q.olderThan ? parseDuration(q.olderThan) : undefined,
    });
    return { ...panel, issues: panel.issues.map(withLink) };
  });

  app.get('/api/inbox', async (req, reply) => {
    const q = parse(windowQuery, req.query, reply);
    if (!q) return reply;
    return inboxPanel(opts.pool, exactWindow(now(), q.hours));
  });

  app.get('/api/vendors', async (req, reply) => {
    const q = parse(windowQuery, req.query, reply);
    if (!q) return reply;
    const window = exactWindow(now(), q.hours);
    const [panel, calls] = await Promise.all([vendorsPanel(opts.pool, window), opts.vendorCalls?.report(window.from) ?? null]);
    return { ...panel, calls };
  });

  app.get('/api/waiting', async (req, reply) => {
    const q = parse(waitingQuery, req.query, reply);
    if (!q) return reply;
    const panel = await waitingPanel(opts.pool, q.limit);
    return { ...panel, waiting: panel.waiting.map(withLink) };
  });
}
