import { createAdminApiClient, type AdminApiClient } from '@shopify/admin-api-client';
import { responseError, VendorHttpError, withDeadline, type VendorCall } from '../http';
import type { CostExtension } from './cost-pacer';
import type { GraphqlOperation } from './queries';

/**
 * Sends one Admin GraphQL operation through Shopify's official client (@shopify/admin-api-client) and hands back
 * the answer's envelope. Transport failures come out as VendorHttpError: a non-2xx with its status, body and
 * Retry-After; no answer (network, timeout) as a retryable status 0; the caller's cancellation as itself.
 * GraphQL errors inside an HTTP 200 are the caller's to classify (client.ts).
 */

export interface GraphqlError { message?: string; extensions?: { code?: string; [key: string]: unknown }; path?: unknown }
export interface GraphqlEnvelope { data?: Record<string, unknown>; errors?: GraphqlError[]; extensions?: { cost?: CostExtension } }

export interface ShopifyTransportOptions {
  /** `https://<shop>.myshopify.com`, or the simulator's URL. */
  baseUrl: string;
  accessToken: string;
  apiVersion: string;
  timeoutMs?: number;
  /** Where the client's notices go (unsupported API version, deprecated fields); default process warnings. */
  warn?: (message: string) => void;
}

export class ShopifyTransport {
  readonly path: string;
  private readonly client: AdminApiClient;

  constructor(private readonly opts: ShopifyTransportOptions) {
    const base = new URL(opts.baseUrl);
    const baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.path = `/admin/api/${opts.apiVersion}/graphql.json`;
    this.client = createAdminApiClient({
      storeDomain: base.host,
      apiVersion: opts.apiVersion,
      accessToken: opts.accessToken,
      retries: 0, // Temporal retries; THROTTLED and 429 carry their wait to the activity instead.
      logger: noticeLogger(opts.warn ?? ((message) => process.emitWarning(message, 'ShopifyApiNotice'))),
      // The client always calls https://{storeDomain}{path}. The configured base URL stays the one truth: each request
      // is re-aimed at it with the same path, which is the very same URL for a real shop and plain http for the simulator.
      customFetchApi: (url, init) => fetch(baseUrl + new URL(url).pathname, init),
    });
  }

  send(operation: GraphqlOperation, variables: Record<string, unknown>, signal?: AbortSignal): Promise<GraphqlEnvelope> {
    const at: VendorCall = { vendor: 'shopify', method: 'POST', path: this.path };
    return withDeadline({ ...at, timeoutMs: this.opts.timeoutMs, signal }, async (deadline) => {
      const { data, errors, extensions } = await this.client.request<Record<string, unknown>>(operation.query, { variables, signal: deadline });
      // Shopify's cost extension always carries the whole throttleStatus; the client types every field optional.
      const envelope: GraphqlEnvelope = { data, errors: errors?.graphQLErrors, extensions: extensions as GraphqlEnvelope['extensions'] };
      if (!errors || errors.graphQLErrors) return envelope;
      const response = errors.response;
      // The client reports a network failure or our abort as a message without a status: withDeadline classifies it.
      if (!response) throw new Error(errors.message ?? 'no answer');
      if (!response.ok) {
        const text = await response.text().catch(() => '');
        throw responseError(at, { status: response.status, statusText: response.statusText, text, retryAfter: response.headers.get('retry-after') });
      }
      // A 2xx that is not JSON, or JSON with neither data nor errors: Shopify's hiccup, worth another try.
      throw new VendorHttpError({ ...at, status: 502, statusClass: 'retryable', detail: `${operation.name}: ${errors.message ?? 'unreadable answer'}` });
    });
  }
}

/** Passes each distinct notice on once: a deprecated field would otherwise warn on every request. */
function noticeLogger(warn: (message: string) => void) {
  const seen = new Set<string>();
  const once = (message: string) => {
    if (seen.has(message)) return;
    seen.add(message);
    warn(message);
  };
  return (log: { type: string; content: Record<string, unknown> }) => {
    if (log.type === 'Unsupported_Api_Version') {
      const { apiVersion, supportedApiVersions } = log.content as { apiVersion: string; supportedApiVersions: string[] };
      once(`Shopify API version ${apiVersion} is likely unsupported; supported: ${supportedApiVersions.join(', ')}`);
    }
    if (log.type === 'HTTP-Response-GraphQL-Deprecation-Notice') once(`Shopify deprecation: ${String(log.content.deprecationNotice)}`);
  };
}
