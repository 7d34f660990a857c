import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Webhook secrets for local use: generated once, kept in .data/secrets.json, overridden by the environment. */
export interface LocalSecrets {
  HUBSPOT_CLIENT_SECRET: string;
  HUBSPOT_ACCESS_TOKEN: string;
  SHOPIFY_WEBHOOK_SECRET: string;
  STRIPE_WEBHOOK_SECRET: string;
}

export function loadOrCreateSecrets(dataDir: string, env: NodeJS.ProcessEnv): LocalSecrets {
  const file = join(dataDir, 'secrets.json');
  const stored: Partial<LocalSecrets> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const make = (prefix: string) => `${prefix}${randomBytes(24).toString('hex')}`;
  const secrets: LocalSecrets = {
    HUBSPOT_CLIENT_SECRET: stored.HUBSPOT_CLIENT_SECRET ?? make(''),
    HUBSPOT_ACCESS_TOKEN: stored.HUBSPOT_ACCESS_TOKEN ?? make('pat-local-'),
    SHOPIFY_WEBHOOK_SECRET: stored.SHOPIFY_WEBHOOK_SECRET ?? make(''),
    STRIPE_WEBHOOK_SECRET: stored.STRIPE_WEBHOOK_SECRET ?? make('whsec_'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return {
    HUBSPOT_CLIENT_SECRET: env.HUBSPOT_CLIENT_SECRET || secrets.HUBSPOT_CLIENT_SECRET,
    HUBSPOT_ACCESS_TOKEN: env.HUBSPOT_ACCESS_TOKEN || secrets.HUBSPOT_ACCESS_TOKEN,
    SHOPIFY_WEBHOOK_SECRET: env.SHOPIFY_WEBHOOK_SECRET || secrets.SHOPIFY_WEBHOOK_SECRET,
    STRIPE_WEBHOOK_SECRET: env.STRIPE_WEBHOOK_SECRET || secrets.STRIPE_WEBHOOK_SECRET,
  };
}
