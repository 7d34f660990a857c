import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/**
 * Fault injection shared by our vendor simulators: tests and demos add rules over the control API to make the
 * next matching calls fail, get rate-limited or answer slowly, so connectors and retry policies meet real trouble.
 */

export type FaultKind = 'status' | 'rate-limit' | 'delay';

export interface FaultRule {
  id: string;
  /** Upper-case HTTP method; absent matches any. */
  method?: string;
  /** Regex source tested against the path (query string excluded); absent matches any. */
  pathPattern?: string;
  kind: FaultKind;
  status?: number;
  retryAfterSeconds?: number;
  delayMs?: number;
  /** How many more matching requests this rule still affects. */
  remaining: number;
}

export const faultRuleInputSchema = z
  .object({
    method: z.string().regex(/^[A-Za-z]+$/).transform((m) => m.toUpperCase()).optional(),
    pathPattern: z.string().min(1).refine(isValidRegex, 'must be a valid regular expression').optional(),
    kind: z.enum(['status', 'rate-limit', 'delay']),
    status: z.number().int().min(400).max(599).optional(),
    retryAfterSeconds: z.number().min(0).max(86_400).optional(),
    delayMs: z.number().int().min(0).max(600_000).optional(),
    remaining: z.number().int().min(1).max(1_000_000).default(1),
  })
  .strict()
  .refine((r) => r.kind !== 'status' || r.status !== undefined, { message: "kind 'status' needs a status", path: ['status'] })
  .refine((r) => r.kind !== 'delay' || r.delayMs !== undefined, { message: "kind 'delay' needs delayMs", path: ['delayMs'] });
export type FaultRuleInput = z.input<typeof faultRuleInputSchema>;

function isValidRegex(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** Builds the vendor's error body for an injected status, so clients parse it as they would a real one. */
export type FaultErrorBody = (status: number, kind: FaultKind) => unknown;

const genericErrorBody: FaultErrorBody = (status, kind) => ({
  error: { status, message: kind === 'rate-limit' ? 'Too many requests (injected fault)' : `Injected fault ${status}` },
});

export interface FaultPlanOptions {
  /** Requests under this prefix are the simulator's own control API: never faulted, never counted. */
  controlPrefix?: string;
  errorBody?: FaultErrorBody;
}

export class FaultPlan {
  private rules: FaultRule[] = [];
  private nextId = 1;
  private readonly seen = new Map<string, number>();
  private readonly sleeping = new Set<() => void>();
  private readonly controlPrefix: string;
  private readonly errorBody: FaultErrorBody;

  constructor(opts: FaultPlanOptions = {}) {
    this.controlPrefix = opts.controlPrefix ?? '/__sim/';
    this.errorBody = opts.errorBody ?? genericErrorBody;
  }

  /** Validates and appends rules; throws a ZodError on bad input (the control route turns it into a 400). */
  add(inputs: FaultRuleInput[]): string[] {
    const parsed = inputs.map((input) => faultRuleInputSchema.parse(input));
    return parsed.map((rule) => {
      const id = `fault-${this.nextId++}`;
      this.rules.push({ id, ...rule });
      return id;
    });
  }

  clear(): number {
    const count = this.rules.length;
    this.rules = [];
    return count;
  }

  list(): FaultRule[] {
    return this.rules.map((r) => ({ ...r }));
  }

  /** Finds the first live rule for this request and uses up one of its occurrences. */
  take(method: string, path: string): FaultRule | undefined {
    const rule = this.rules.find(
      (r) => r.remaining > 0 && (!r.method || r.method === method.toUpperCase()) && (!r.pathPattern || new RegExp(r.pathPattern).test(path)),
    );
    if (rule) rule.remaining -= 1;
    return rule ? { ...rule } : undefined;
  }

  /** Requests seen per route, keyed `METHOD /route/:pattern` (the raw path when no route matched). */
  requestCounts(): Record<string, number> {
    return Object.fromEntries(this.seen);
  }

  requestCount(method: string, route: string): number {
    return this.seen.get(`${method.toUpperCase()} ${route}`) ?? 0;
  }

  resetCounts(): void {
    this.seen.clear();
  }

  /** Ends every pending delay at once so closing the server leaves no timers behind. */
  wakeAll(): void {
    for (const wake of [...this.sleeping]) wake();
  }

  /** Registers the hook; register it before auth so injected faults behave like a gateway in front of the API. */
  install(app: FastifyInstance): void {
    app.addHook('onRequest', (request, reply) => this.onRequest(request, reply));
    app.addHook('preClose', async () => this.wakeAll());
  }

  private async onRequest(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const path = request.url.split('?', 1)[0] ?? request.url;
    if (path.startsWith(this.controlPrefix)) return undefined;
    const key = `${request.method} ${request.routeOptions.url ?? path}`;
    this.seen.set(key, (this.seen.get(key) ?? 0) + 1);
    const rule = this.take(request.method, path);
    if (!rule) return undefined;
    if (rule.kind === 'delay') {
      // The request still runs after the pause even if the caller gave up, as on a slow real server.
      await this.sleep(rule.delayMs ?? 0);
      return undefined;
    }
    const status = rule.kind === 'rate-limit' ? 429 : (rule.status ?? 500);
    const retryAfter = rule.retryAfterSeconds ?? (rule.kind === 'rate-limit' ? 1 : undefined);
    if (retryAfter !== undefined) reply.header('retry-after', String(retryAfter));
    reply.header('x-sim-fault-id', rule.id);
    reply.code(status).type('application/json').send(this.errorBody(status, rule.kind));
    return reply;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleeping.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleeping.add(wake);
    });
  }
}
