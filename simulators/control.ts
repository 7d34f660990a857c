import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { z } from 'zod';
import type { Logger } from '../config/logger';
import { FaultPlan, type FaultErrorBody, type FaultRuleInput } from './faults';

/** Pieces every simulator shares: its app with fault injection, the fault control routes, and serving it. */

/** A simulator's Fastify app with the shared fault injection installed on every route outside `/__sim/`. */
export function simulatorApp(
  logger: Logger | undefined, errorBody: FaultErrorBody, options: Pick<FastifyServerOptions, 'routerOptions'> = {},
): { app: FastifyInstance; faults: FaultPlan } {
  const faults = new FaultPlan({ controlPrefix: '/__sim/', errorBody });
  const app: FastifyInstance = Fastify({
    ...options, forceCloseConnections: true, ...(logger ? { loggerInstance: logger as FastifyBaseLogger } : { logger: false }),
  });
  faults.install(app);
  return { app, faults };
}

export interface RunningSimulator { name: string; url: string; port: number; close(): Promise<void> }

/** Listens, and returns the simulator's parts with its URL and a close that stops webhook delivery first. */
export async function serveSimulator<P extends object>(
  name: string, app: FastifyInstance, opts: { host?: string; port?: number }, webhooks: { close(): Promise<void> }, parts: P,
): Promise<P & RunningSimulator> {
  const { port, url } = await listenOn(app, opts);
  return {
    ...parts,
    name,
    url,
    port,
    async close() {
      await webhooks.close();
      await app.close();
    },
  };
}

/** POST/GET/DELETE /__sim/faults and GET /__sim/requests; a body may be one rule, a list, or { rules }. */
export function registerFaultRoutes(app: FastifyInstance, faults: FaultPlan): void {
  app.post('/__sim/faults', async (request, reply) => {
    const body = request.body as unknown;
    const rules = Array.isArray(body) ? body : Array.isArray((body as { rules?: unknown })?.rules) ? (body as { rules: unknown[] }).rules : [body];
    return reply.code(201).send({ ids: faults.add(rules as FaultRuleInput[]) });
  });
  app.get('/__sim/faults', async () => ({ faults: faults.list() }));
  app.delete('/__sim/faults', async () => ({ cleared: faults.clear() }));
  app.get('/__sim/requests', async () => ({ requests: faults.requestCounts() }));
}

/** Listens (port 0 picks a free one) and returns the port and a URL clients can use, even for 0.0.0.0. */
export async function listenOn(app: FastifyInstance, opts: { host?: string; port?: number }): Promise<{ port: number; url: string }> {
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ port: opts.port ?? 0, host });
  const port = (app.server.address() as AddressInfo).port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return { port, url: `http://${shownHost}:${port}` };
}

/** The body of POST /__sim/webhooks/config that every simulator accepts (a simulator may add its own fields). */
export const webhookConfigFields = {
  targetUrl: z.string().url().nullable().optional(),
  duplicates: z.number().int().min(1).max(10).optional(),
  shuffle: z.boolean().optional(),
  delayMs: z.number().int().min(0).max(60_000).optional(),
};
export const webhookConfigSchema = z.object(webhookConfigFields).strict();
