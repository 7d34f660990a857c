import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePrivateFile } from './private-file';

/** Webhook secrets and API credentials for local use (the simulators accept them): generated once, kept in .data/secrets.json, overridden by the environment. */
export interface LocalSecrets {
  HUBSPOT_CLIENT_SECRET: string;
  HUBSPOT_ACCESS_TOKEN: string;
  SHOPIFY_WEBHOOK_SECRET: string;
  SHOPIFY_ACCESS_TOKEN: string;
  STRIPE_WEBHOOK_SECRET: string;
  STRIPE_API_KEY: string;
  WOOCOMMERCE_WEBHOOK_SECRET: string;
  WOOCOMMERCE_CONSUMER_KEY: string;
  WOOCOMMERCE_CONSUMER_SECRET: string;
}

export function loadOrCreateSecrets(dataDir: string, env: NodeJS.ProcessEnv): LocalSecrets {
  const file = join(dataDir, 'secrets.json');
  const stored: Partial<LocalSecrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const make = (prefix: string) => `${prefix}${randomBytes(24).toString('hex')}`;
  const secrets: LocalSecrets = {
    HUBSPOT_CLIENT_SECRET: stored.HUBSPOT_CLIENT_SECRET ?? make(''),
    HUBSPOT_ACCESS_TOKEN: stored.HUBSPOT_ACCESS_TOKEN ?? make('pat-local-'),
    SHOPIFY_WEBHOOK_SECRET: stored.SHOPIFY_WEBHOOK_SECRET ?? make(''),
    SHOPIFY_ACCESS_TOKEN: stored.SHOPIFY_ACCESS_TOKEN ?? make('shpat_local_'),
    STRIPE_WEBHOOK_SECRET: stored.STRIPE_WEBHOOK_SECRET ?? make('whsec_'),
    STRIPE_API_KEY: stored.STRIPE_API_KEY ?? make('sk_test_local_'),
    WOOCOMMERCE_WEBHOOK_SECRET: stored.WOOCOMMERCE_WEBHOOK_SECRET ?? make(''),
    WOOCOMMERCE_CONSUMER_KEY: stored.WOOCOMMERCE_CONSUMER_KEY ?? make('ck_local_'),
    WOOCOMMERCE_CONSUMER_SECRET: stored.WOOCOMMERCE_CONSUMER_SECRET ?? make('cs_local_'),
  };
  writePrivateFile(file, JSON.stringify(secrets, null, 2));
  const fromEnv = Object.fromEntries(Object.keys(secrets).filter((k) => env[k]).map((k) => [k, env[k]]));
  return { ...secrets, ...fromEnv };
}
