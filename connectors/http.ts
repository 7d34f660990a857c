import { classifyStatus, parseRetryAfter, type StatusClass } from '../domain/http-status';
import { noteVendorRequest } from '../observability/vendor-calls';

/**
 * The small JSON-over-HTTP client every connector uses. Every failure comes out as one error type carrying
 * the shared retry classification; there is no retry loop here because Temporal activities do the retrying.
 */

export class VendorHttpError extends Error {
  override readonly name = 'VendorHttpError';
  readonly vendor: string;
  /** HTTP status, or 0 when no answer came (timeout, network failure). */
  readonly status: number;
  readonly method: string;
  /** Path without the query string, which may hold personal data. */
  readonly path: string;
  readonly body: unknown;
  readonly retryAfterMs?: number;
  readonly statusClass: StatusClass;

  constructor(init: { vendor: string; status: number; method: string; path: string; body?: unknown; retryAfterMs?: number; statusClass: StatusClass; detail: string }) {
    super(`${init.vendor} ${init.method} ${init.path} failed${init.status ? ` with HTTP ${init.status}` : ''}: ${init.detail}`);
    this.vendor = init.vendor;
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    this.body = init.body;
    this.statusClass = init.statusClass;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
  }
}

export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number>;

export interface JsonHttpClientOptions {
  vendor: string;
  baseUrl: string;
  headers?: Record<string, string>;
  /** Per request, covering the answer's body too; default 10 s. */
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

export interface JsonRequest {
  query?: Record<string, QueryValue>;
  body?: unknown;
  headers?: Record<string, string>;
  timeoutMs?: number;
  /** The caller's cancellation (e.g. a cancelled activity): rethrown as is, not turned into a VendorHttpError. */
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

export class JsonHttpClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly opts: JsonHttpClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = opts.fetchImpl ?? fetch;
  }

  get<T = unknown>(path: string, req?: JsonRequest): Promise<T> {
    return this.request<T>('GET', path, req);
  }
  post<T = unknown>(path: string, body: unknown, req?: JsonRequest): Promise<T> {
    return this.request<T>('POST', path, { ...req, body });
  }
  patch<T = unknown>(path: string, body: unknown, req?: JsonRequest): Promise<T> {
    return this.request<T>('PATCH', path, { ...req, body });
  }
  put<T = unknown>(path: string, body: unknown, req?: JsonRequest): Promise<T> {
    return this.request<T>('PUT', path, { ...req, body });
  }
  delete<T = unknown>(path: string, req?: JsonRequest): Promise<T> {
    return this.request<T>('DELETE', path, req);
  }

  /** Resolves with the parsed JSON (undefined for an empty body); rejects with VendorHttpError. */
  async request<T = unknown>(method: string, path: string, req: JsonRequest = {}): Promise<T> {
    const url = this.baseUrl + path + queryString(req.query);
    const at: VendorCall = { vendor: this.opts.vendor, method, path };
    return withDeadline({ ...at, timeoutMs: req.timeoutMs ?? this.opts.timeoutMs, signal: req.signal }, async (signal) => {
      const headers: Record<string, string> = { accept: 'application/json', ...this.opts.headers, ...req.headers };
      if (req.body !== undefined) headers['content-type'] = 'application/json';
      const res = await this.fetchImpl(url, {
        method, headers, signal, body: req.body === undefined ? undefined : JSON.stringify(req.body),
      });
      const text = await res.text();
      if (!res.ok) throw responseError(at, { status: res.status, statusText: res.statusText, text, retryAfter: res.headers.get('retry-after') });
      return jsonAnswer(at, res.status, text) as T;
    });
  }
}

/** Which vendor call failed: what every VendorHttpError names. */
export interface VendorCall { vendor: string; method: string; path: string }

/**
 * Runs one vendor call under a deadline and the caller's cancellation, both delivered to the call as one
 * AbortSignal. The caller's cancellation (e.g. a cancelled activity) is rethrown as is; a timeout, or any failure
 * that is not already a VendorHttpError (network, TLS, a library's own error), becomes a retryable status 0.
 */
export async function withDeadline<T>(
  ctx: VendorCall & { timeoutMs?: number; signal?: AbortSignal }, call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  if (ctx.signal?.aborted) throw ctx.signal.reason;
  noteVendorRequest(ctx.vendor);
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(ctx.signal?.reason);
  ctx.signal?.addEventListener('abort', onCallerAbort, { once: true });
  const timeoutMs = ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  try {
    return await call(controller.signal);
  } catch (err) {
    if (err instanceof VendorHttpError) throw err;
    if (ctx.signal?.aborted) throw ctx.signal.reason;
    const detail = timedOut ? `no answer within ${timeoutMs} ms` : networkDetail(err);
    throw new VendorHttpError({ ...ctx, status: 0, detail, statusClass: 'retryable' });
  } finally {
    clearTimeout(timer);
    ctx.signal?.removeEventListener('abort', onCallerAbort);
  }
}

/** A non-2xx answer as a VendorHttpError: classified by status, with the vendor's reason and Retry-After. */
export function responseError(at: VendorCall, res: { status: number; statusText?: string; text: string; retryAfter?: string | null }): VendorHttpError {
  const parsed = parseBody(res.text);
  return new VendorHttpError({
    ...at,
    status: res.status,
    statusClass: classifyStatus(res.status),
    detail: describe(parsed, res.text, res.statusText ?? ''),
    body: parsed.ok ? parsed.value : res.text,
    retryAfterMs: parseRetryAfter(res.retryAfter, Date.now()),
  });
}

/** A 2xx answer's JSON (undefined when empty). One we cannot read is the vendor's hiccup, worth another try. */
export function jsonAnswer(at: VendorCall, status: number, text: string): unknown {
  const parsed = parseBody(text);
  if (!parsed.ok) throw new VendorHttpError({ ...at, status, detail: 'answer is not valid JSON', body: text.slice(0, 500), statusClass: 'retryable' });
  return parsed.value;
}

function queryString(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value as ReadonlyArray<string | number>) params.append(key, String(item));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function parseBody(text: string): { ok: true; value: unknown } | { ok: false } {
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Vendors put a readable reason in `message` (HubSpot) or `error(s)` (Shopify, Stripe). */
function describe(parsed: { ok: true; value: unknown } | { ok: false }, text: string, statusText: string): string {
  const value = parsed.ok ? (parsed.value as Record<string, unknown> | undefined) : undefined;
  const candidate = value?.message ?? (value?.error as { message?: unknown } | undefined)?.message ?? value?.errors ?? value?.error;
  const detail = typeof candidate === 'string' ? candidate : candidate !== undefined ? JSON.stringify(candidate) : text || statusText;
  return detail.length > 300 ? `${detail.slice(0, 300)}…` : detail || 'no details';
}

function networkDetail(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return [`network error: ${(err as Error).message ?? String(err)}`, cause?.code ?? cause?.message].filter(Boolean).join(' - ');
}
