import type { AppConfig } from '../config/env';
import type { Connection } from '../connections/connection';
import type { ProductSeed } from '../erp/catalogue';
import { seedShopifyCatalogue, seedWoocommerceCatalogue } from './catalogue';
import type { LocalSecrets } from './secrets';
import type { StackInfo } from './stack-info';

/**
 * The vendor simulators `npm start` runs in place of the real vendors: one for each vendor a configured connection
 * uses, so `SHOP=woocommerce` starts WooCommerce's and not Shopify's. The workers and the relay are pointed at them
 * through the vendor's base-URL setting.
 */
export interface SimulatorPlan {
  vendor: string;
  /** How the start-up messages name it. */
  piece: string;
  /** The child process's name in the log, and its entry point (connectors/<vendor>/simulator/main). */
  process: string;
  script: string;
  port: number;
  portSetting: keyof AppConfig;
  baseUrlSetting: keyof AppConfig;
  url: string;
  /** Shops get the demo catalogue's products. */
  seed?: (url: string, products: ProductSeed[]) => Promise<unknown>;
}

type Kind = Omit<SimulatorPlan, 'port' | 'url'>;

// In this order, so the default stack lists HubSpot, Shopify, Stripe as it always has.
const KINDS: readonly Kind[] = [
  { vendor: 'hubspot', piece: 'HubSpot simulator', process: 'hubspot-sim', script: 'connectors/hubspot/simulator/main', portSetting: 'HUBSPOT_SIM_PORT', baseUrlSetting: 'HUBSPOT_BASE_URL' },
  {
    vendor: 'shopify', piece: 'Shopify simulator', process: 'shopify-sim', script: 'connectors/shopify/simulator/main',
    portSetting: 'SHOPIFY_SIM_PORT', baseUrlSetting: 'SHOPIFY_BASE_URL', seed: seedShopifyCatalogue,
  },
  {
    vendor: 'woocommerce', piece: 'WooCommerce simulator', process: 'woo-sim', script: 'connectors/woocommerce/simulator/main',
    portSetting: 'WOOCOMMERCE_SIM_PORT', baseUrlSetting: 'WOOCOMMERCE_BASE_URL', seed: seedWoocommerceCatalogue,
  },
  { vendor: 'stripe', piece: 'Stripe simulator', process: 'stripe-sim', script: 'connectors/stripe/simulator/main', portSetting: 'STRIPE_SIM_PORT', baseUrlSetting: 'STRIPE_BASE_URL' },
];

export function simulatorPlans(config: AppConfig, connections: readonly Connection[]): SimulatorPlan[] {
  if (!config.RUN_SIMULATORS) return [];
  const vendors = new Set(connections.map((c) => c.vendor));
  return KINDS.filter((kind) => vendors.has(kind.vendor)).map((kind) => {
    const port = config[kind.portSetting] as number;
    return { ...kind, port, url: `http://127.0.0.1:${port}` };
  });
}

/** What stack.json tells the demo and people about each simulator: its URL and the credentials it accepts. */
export function simulatorsInfo(plans: SimulatorPlan[], secrets: LocalSecrets, config: AppConfig): StackInfo['simulators'] {
  const url = (vendor: string) => plans.find((p) => p.vendor === vendor)?.url;
  const running = <T>(vendor: string, details: (url: string) => T): T | null => {
    const found = url(vendor);
    return found ? details(found) : null;
  };
  return {
    hubspot: running('hubspot', (u) => ({ url: u, accessToken: secrets.HUBSPOT_ACCESS_TOKEN })),
    shopify: running('shopify', (u) => ({ url: u, accessToken: secrets.SHOPIFY_ACCESS_TOKEN, apiVersion: config.SHOPIFY_API_VERSION })),
    woocommerce: running('woocommerce', (u) => ({ url: u, consumerKey: secrets.WOOCOMMERCE_CONSUMER_KEY, consumerSecret: secrets.WOOCOMMERCE_CONSUMER_SECRET })),
    stripe: running('stripe', (u) => ({ url: u, apiKey: secrets.STRIPE_API_KEY })),
  };
}
