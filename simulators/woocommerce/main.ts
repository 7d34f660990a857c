import { ConfigError, loadConfig } from '../../config/env';
import { createLogger } from '../../config/logger';
import { loadWoocommerceSettings } from '../../connectors/woocommerce/settings';
import { onShutdown } from '../../stack/shutdown';
import { startWoocommerceSimulator } from './server';

/** Runs the WooCommerce simulator as its own process, sending order webhooks to the relay like a real store would. */
export async function main(): Promise<void> {
  const config = loadConfig();
  const woo = loadWoocommerceSettings();
  if (!woo.WOOCOMMERCE_WEBHOOK_SECRET) throw new ConfigError('Missing required setting WOOCOMMERCE_WEBHOOK_SECRET');
  const logger = createLogger('woocommerce-simulator', config.LOG_LEVEL);
  const relayUrl = (config.RELAY_PUBLIC_URL ?? `http://${config.RELAY_HOST}:${config.RELAY_PORT}`).replace(/\/+$/, '');
  const webhookTargetUrl = `${relayUrl}/webhooks/woocommerce`;
  const sim = await startWoocommerceSimulator({
    port: woo.WOOCOMMERCE_SIM_PORT,
    consumerKey: woo.WOOCOMMERCE_CONSUMER_KEY ?? 'ck_sim',
    consumerSecret: woo.WOOCOMMERCE_CONSUMER_SECRET ?? 'cs_sim',
    webhookSecret: woo.WOOCOMMERCE_WEBHOOK_SECRET,
    webhookTargetUrl,
    logger,
  });
  logger.info({ url: sim.url, webhookTarget: webhookTargetUrl }, 'WooCommerce simulator listening');

  onShutdown(logger, () => sim.close());
}

if (require.main === module) {
  main().catch((err: unknown) => {
    // Config errors carry their own readable message; print it rather than a stack.
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
