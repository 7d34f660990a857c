import { z } from 'zod';
import { ConfigError } from '../../config/env';

/**
 * The WooCommerce settings, validated like config/env.ts does it (a wrong value names the variable). Kept here
 * until they join envSchema; the names and defaults are the ones to use there.
 */

export const woocommerceEnvFields = {
  /** The WordPress site, e.g. https://shop.example.com; with RUN_SIMULATORS the simulator's URL is used instead. */
  WOOCOMMERCE_BASE_URL: z.string().url().optional(),
  /** REST API key with Read/Write permission (WooCommerce > Settings > Advanced > REST API). */
  WOOCOMMERCE_CONSUMER_KEY: z.string().min(1).optional(),
  WOOCOMMERCE_CONSUMER_SECRET: z.string().min(1).optional(),
  /** The secret of the order.created/updated/deleted webhooks pointing at RELAY_PUBLIC_URL/webhooks/woocommerce. */
  WOOCOMMERCE_WEBHOOK_SECRET: z.string().min(1).optional(),
  WOOCOMMERCE_SIM_PORT: z.coerce.number().int().min(1).max(65535).default(4040),
};

const woocommerceEnvSchema = z.object(woocommerceEnvFields);
export type WoocommerceSettings = z.infer<typeof woocommerceEnvSchema>;

export function loadWoocommerceSettings(env: NodeJS.ProcessEnv = process.env): WoocommerceSettings {
  const present = Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('WOOCOMMERCE_') && v !== undefined && v !== ''));
  const parsed = woocommerceEnvSchema.safeParse(present);
  if (parsed.success) return parsed.data;
  throw new ConfigError(`Invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
}
