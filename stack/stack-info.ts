import { join } from 'node:path';
import type { Connection } from '../connections/connection';
import { writePrivateFile } from './private-file';

/**
 * What `npm start` started, for people and for `npm run demo` and the ops CLI: URLs, and the local webhook secrets
 * and tokens. It holds secrets, so only its owner may read it, like secrets.json.
 */
export interface StackInfo {
  startedAt: string;
  temporal: { address: string; namespace: string; taskQueue: string; uiUrl: string | null; embedded: boolean };
  databaseUrl: string;
  /** The connections in use (SHOP or SHOPS, CRM, PAYMENTS): workflow ids and webhook paths carry their ids. */
  connections: Connection[];
  /** Each connection's webhook endpoint, by connection id. */
  relay: { url: string; webhooks: Record<string, string> };
  /** Prometheus endpoints: the relay's, the worker's and the Temporal SDK's in the worker (null: off). */
  metrics?: { relay: string; worker: string | null; temporalSdk: string | null };
  /** The monitoring dashboard; `token` is null when it is bound to loopback without one. */
  dashboard: { url: string; token: string | null };
  /** The simulators running, by vendor; null when that vendor is not in use or RUN_SIMULATORS=false. */
  simulators: {
    hubspot: { url: string; accessToken: string } | null;
    shopify: { url: string; accessToken: string; apiVersion: string } | null;
    woocommerce: { url: string; consumerKey: string; consumerSecret: string } | null;
    stripe: { url: string; apiKey: string } | null;
  };
  catalogue: Array<{ sku: string; name: string; unitPriceMinor: number; currency: string; onHand: number }>;
  secrets: Record<string, string>;
}

export const STACK_INFO_FILE = 'stack.json';

export function writeStackInfo(dataDir: string, info: StackInfo): string {
  const file = join(dataDir, STACK_INFO_FILE);
  writePrivateFile(file, JSON.stringify(info, null, 2));
  return file;
}
