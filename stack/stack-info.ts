import { join } from 'node:path';
import { writePrivateFile } from './private-file';

/**
 * What `npm start` started, for people and for `npm run demo` and the ops CLI: URLs, and the local webhook secrets
 * and tokens. It holds secrets, so only its owner may read it, like secrets.json.
 */
export interface StackInfo {
  startedAt: string;
  temporal: { address: string; namespace: string; taskQueue: string; uiUrl: string | null; embedded: boolean };
  databaseUrl: string;
  relay: { url: string; webhooks: Record<'hubspot' | 'shopify' | 'stripe', string> };
  simulators: {
    hubspot: { url: string; accessToken: string } | null;
    shopify: { url: string; accessToken: string; apiVersion: string } | null;
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
