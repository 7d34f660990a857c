import type { Logger } from 'pino';

/**
 * Delivers signed webhooks the way vendors do, warts included: retries with backoff when the receiver fails,
 * and on request duplicates, delays and reorders, so the relay's deduplication and ordering get exercised.
 * Vendor-neutral: the simulator supplies the body and a `sign` callback. Never throws into its caller.
 */

export interface DeliveryConfig {
  /** Where to POST; deliveries are skipped while unset. */
  targetUrl?: string;
  /** Copies of each message sent (1 = no duplicates). */
  duplicates: number;
  /** Sends a batch of messages in random order, and with `delayMs`, each after its own random pause. */
  shuffle: boolean;
  /** Pause before the first attempt (an upper bound when shuffling). */
  delayMs: number;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per-attempt timeout; an unanswered attempt counts as a failure. */
  timeoutMs: number;
}

export interface OutgoingMessage {
  /** The body, or a function of the attempt number (1-based) for vendors that stamp it into the payload. */
  body: unknown | ((attempt: number) => unknown);
  /** Event ids carried, kept in the delivery log. */
  ids?: string[];
  headers?: Record<string, string>;
}

export interface DeliveryRecord {
  seq: number;
  url: string;
  ids: string[];
  attempt: number;
  /** HTTP status, or 0 when the target was unreachable, timed out or the message could not be built. */
  status: number;
  ok: boolean;
  error?: string;
  at: string;
}

export interface WebhookSenderOptions {
  sign: (rawBody: string, url: string) => Record<string, string>;
  config?: Partial<DeliveryConfig>;
  retry?: Partial<RetryPolicy>;
  logger?: Logger;
  /** Injected for deterministic shuffling in tests. */
  random?: () => number;
  /** Oldest records are dropped beyond this. */
  maxLogEntries?: number;
}

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 200, maxDelayMs: 5_000, timeoutMs: 5_000 };

export class WebhookSender {
  private cfg: DeliveryConfig;
  private readonly retry: RetryPolicy;
  private readonly log: DeliveryRecord[] = [];
  private seq = 0;
  private closed = false;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly waits = new Set<() => void>();
  private readonly aborts = new Set<AbortController>();
  private readonly random: () => number;
  private readonly maxLog: number;

  constructor(private readonly opts: WebhookSenderOptions) {
    this.cfg = { duplicates: 1, shuffle: false, delayMs: 0, ...opts.config };
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.random = opts.random ?? Math.random;
    this.maxLog = opts.maxLogEntries ?? 1000;
  }

  get config(): DeliveryConfig {
    return { ...this.cfg };
  }

  configure(patch: Partial<DeliveryConfig>): DeliveryConfig {
    this.cfg = { ...this.cfg, ...patch };
    this.cfg.duplicates = Math.max(1, Math.floor(this.cfg.duplicates));
    this.cfg.delayMs = Math.max(0, this.cfg.delayMs);
    return this.config;
  }

  deliveries(): DeliveryRecord[] {
    return this.log.map((r) => ({ ...r, ids: [...r.ids] }));
  }

  clearLog(): void {
    this.log.length = 0;
  }

  /** Fisher-Yates with the injected random source; used by simulators that also reorder events inside a body. */
  shuffled<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.random() * (i + 1));
      [out[i], out[j]] = [out[j] as T, out[i] as T];
    }
    return out;
  }

  /** Starts delivering; the promise settles (never rejects) once every copy succeeded or gave up. */
  send(messages: OutgoingMessage[]): Promise<void> {
    const url = this.cfg.targetUrl;
    if (this.closed || !url || messages.length === 0) return Promise.resolve();
    const { duplicates, shuffle, delayMs } = this.cfg;
    const copies = messages.flatMap((m) => Array.from({ length: duplicates }, () => m));
    const ordered = shuffle ? this.shuffled(copies) : copies;
    const run = async () => {
      if (shuffle && delayMs > 0) {
        await Promise.all(ordered.map(async (m) => {
          await this.wait(Math.floor(this.random() * delayMs));
          await this.deliver(url, m);
        }));
        return;
      }
      if (delayMs > 0) await this.wait(delayMs);
      for (const m of ordered) await this.deliver(url, m);
    };
    const task = run().catch((err: unknown) => this.opts.logger?.error({ err }, 'webhook delivery crashed'));
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
    return task;
  }

  /** Resolves once nothing is being delivered; tests use it instead of sleeping. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** Stops: pending pauses end at once, open requests are aborted, no further attempts start. */
  async close(): Promise<void> {
    this.closed = true;
    for (const wake of [...this.waits]) wake();
    for (const controller of this.aborts) controller.abort();
    await this.idle();
  }

  private async deliver(url: string, message: OutgoingMessage): Promise<void> {
    for (let attempt = 1; attempt <= this.retry.maxAttempts && !this.closed; attempt++) {
      const result = await this.attempt(url, message, attempt);
      this.record({ url, ids: message.ids ?? [], attempt, ...result });
      if (result.ok || result.final) return;
      if (attempt < this.retry.maxAttempts) {
        await this.wait(Math.min(this.retry.maxDelayMs, this.retry.baseDelayMs * 2 ** (attempt - 1)));
      }
    }
  }

  private async attempt(url: string, message: OutgoingMessage, attempt: number): Promise<{ status: number; ok: boolean; error?: string; final?: boolean }> {
    let raw: string;
    let headers: Record<string, string>;
    try {
      const body = typeof message.body === 'function' ? (message.body as (n: number) => unknown)(attempt) : message.body;
      raw = typeof body === 'string' ? body : JSON.stringify(body);
      headers = { 'content-type': 'application/json', ...message.headers, ...this.opts.sign(raw, url) };
    } catch (err) {
      // A message we cannot build or sign will not get better on retry.
      return { status: 0, ok: false, error: `could not build message: ${(err as Error).message}`, final: true };
    }
    const controller = new AbortController();
    this.aborts.add(controller);
    const timer = setTimeout(() => controller.abort(), this.retry.timeoutMs);
    try {
      const res = await fetch(url, { method: 'POST', headers, body: raw, signal: controller.signal });
      await res.arrayBuffer().catch(() => undefined);
      return { status: res.status, ok: res.ok, error: res.ok ? undefined : `target answered ${res.status}` };
    } catch (err) {
      const code = (err as { cause?: { code?: string } }).cause?.code;
      const reason = this.closed ? 'sender closed' : controller.signal.aborted ? 'timed out' : `${(err as Error).message}${code ? ` (${code})` : ''}`;
      return { status: 0, ok: false, error: reason };
    } finally {
      clearTimeout(timer);
      this.aborts.delete(controller);
    }
  }

  private record(entry: Omit<DeliveryRecord, 'seq' | 'at'> & { final?: boolean }): void {
    const { final: _final, ...rest } = entry;
    const record: DeliveryRecord = { seq: ++this.seq, at: new Date().toISOString(), ...rest };
    if (record.error === undefined) delete record.error;
    this.log.push(record);
    if (this.log.length > this.maxLog) this.log.splice(0, this.log.length - this.maxLog);
    const level = record.ok ? 'debug' : 'warn';
    this.opts.logger?.[level]({ url: record.url, status: record.status, attempt: record.attempt, ids: record.ids, error: record.error }, 'webhook delivery');
  }

  private wait(ms: number): Promise<void> {
    if (ms <= 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.waits.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waits.add(wake);
    });
  }
}
