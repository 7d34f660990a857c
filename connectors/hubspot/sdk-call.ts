import * as http from 'node:http';
import * as https from 'node:https';
import type { Client } from '@hubspot/api-client';
import { jsonAnswer, responseError, withDeadline, type VendorCall } from '../http';

/**
 * How one call through the official HubSpot SDK (@hubspot/api-client) keeps our transport rules. The SDK sends
 * through node-fetch without an AbortSignal or timeout, and turns every non-2xx answer into its own ApiException
 * with a body re-shaped into its Error model (fields such as `errorType` and `policyName` dropped). So each call
 * gets, through the SDK's per-call middleware option:
 * - its own socket agent, destroyed when the deadline passes or the caller cancels, so the request really stops;
 * - a response step that reads the raw answer first: a non-2xx becomes our VendorHttpError (status, Retry-After,
 *   HubSpot's own error body) and a 2xx that is not JSON a retryable one, before the SDK deserialises anything.
 */

type ContactsApi = Client['crm']['contacts']['basicApi'];
/** The SDK's per-call options (`_options`, the last parameter of every generated API method). */
export type SdkCallOptions = NonNullable<Parameters<ContactsApi['getById']>[6]>;
type SdkMiddleware = NonNullable<SdkCallOptions['middleware']>[number];

export interface SdkCallContext extends VendorCall {
  baseUrl: string;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const isSuccess = (status: number) => status >= 200 && status < 300;

/** Runs `call` with per-call options that carry our deadline and error classification. */
export function callThroughSdk<T>(ctx: SdkCallContext, call: (options: SdkCallOptions) => Promise<T>): Promise<T> {
  return withDeadline(ctx, async (signal) => {
    // keepAlive off: the agent lives for this call only, so nothing is left open when it is destroyed.
    const agent = ctx.baseUrl.startsWith('https:') ? new https.Agent({ keepAlive: false }) : new http.Agent({ keepAlive: false });
    const stop = () => agent.destroy();
    signal.addEventListener('abort', stop, { once: true });
    try {
      return await call({ middleware: [rawAnswerMiddleware(ctx, agent)], middlewareMergeStrategy: 'append' });
    } finally {
      signal.removeEventListener('abort', stop);
      agent.destroy();
    }
  });
}

function rawAnswerMiddleware(at: VendorCall, agent: http.Agent): SdkMiddleware {
  return {
    async pre(request) {
      request.setAgent(agent);
      return request;
    },
    async post(response) {
      const status = response.httpStatusCode;
      const text = await response.body.text();
      if (!isSuccess(status)) throw responseError(at, { status, text, retryAfter: response.headers['retry-after'] });
      jsonAnswer(at, status, text);
      // The body stream is spent; hand the SDK the text it would have read.
      response.body = { text: async () => text, binary: async () => Buffer.from(text) };
      return response;
    },
  };
}
