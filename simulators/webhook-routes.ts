import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { webhookConfigSchema } from './control';
import type { FaultPlan } from './faults';
import type { DeliveryConfig, WebhookSender } from './webhook-sender';

/**
 * Control routes for a simulator that keeps a log of the webhooks it emitted: delivery settings, the log, the
 * sender's attempts, and "resend" of the very same webhook (same id, same body) the way vendors' dashboards do.
 */

export interface WebhookLog<W> {
  webhooks: WebhookSender;
  /** Every webhook emitted, oldest first. */
  sent: W[];
  idOf: (webhook: W) => string;
  deliver: (batch: W[]) => void;
  /** The vendor's error body. */
  errorBody: (message: string) => unknown;
}

const redeliverBody = z.object({ count: z.number().int().min(1).max(100).default(1), id: z.string().min(1).optional() }).strict();

/** POST /__sim/webhooks/config, POST /__sim/webhooks/redeliver, GET /__sim/webhooks, GET /__sim/deliveries. */
export function registerWebhookRoutes<W>(app: FastifyInstance, log: WebhookLog<W>): void {
  app.post('/__sim/webhooks/config', async (request) => {
    const { targetUrl, ...rest } = webhookConfigSchema.parse(request.body ?? {});
    return { config: log.webhooks.configure({ ...rest, ...(targetUrl !== undefined ? { targetUrl: targetUrl ?? undefined } : {}) }) };
  });
  app.post('/__sim/webhooks/redeliver', async (request, reply) => {
    const { count, id } = redeliverBody.parse(request.body ?? {});
    if (!log.webhooks.config.targetUrl) return reply.code(409).send(log.errorBody('no webhook target configured'));
    const batch = id ? log.sent.filter((w) => log.idOf(w) === id) : log.sent.slice(-count);
    if (id && batch.length === 0) return reply.code(404).send(log.errorBody(`no webhook ${id}`));
    log.deliver(batch);
    return { ids: batch.map(log.idOf) };
  });
  app.get('/__sim/webhooks', async () => ({ webhooks: log.sent }));
  app.get('/__sim/deliveries', async () => ({ deliveries: log.webhooks.deliveries() }));
}

/** Keeps the newest entries only, so a long demo does not grow the log without bound. */
export function appendCapped<W>(log: W[], entries: readonly W[], max = 10_000): void {
  log.push(...entries);
  if (log.length > max) log.splice(0, log.length - max);
}

/** What every simulator's /__sim/reset does besides its own state: no faults, no counts, fresh delivery settings. */
export function resetPlumbing(
  faults: FaultPlan, webhooks: WebhookSender, initialConfig: Partial<DeliveryConfig>, sent: unknown[] = [],
): void {
  sent.length = 0;
  faults.clear();
  faults.resetCounts();
  webhooks.clearLog();
  webhooks.configure({ ...initialConfig });
}
