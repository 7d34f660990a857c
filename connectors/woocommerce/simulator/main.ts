import { loadConfig, requireSetting } from '../../../config/env';
import { createLogger } from '../../../config/logger';
import { onShutdown } from '../../../stack/shutdown';
import { relayWebhookUrl } from '../../../simulators/relay-target';
import { startWoocommerceSimulator } from './server';

/** Runs the WooCommerce simulator as its own process, sending order webhooks to the relay like a real store would. */
export async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('woocommerce-simulator', config.LOG_LEVEL);
  const webhookTargetUrl = relayWebhookUrl(config, 'woocommerce');
  const sim = await startWoocommerceSimulator({
    port: config.WOOCOMMERCE_SIM_PORT,
    consumerKey: config.WOOCOMMERCE_CONSUMER_KEY ?? 'ck_sim',
    consumerSecret: config.WOOCOMMERCE_CONSUMER_SECRET ?? 'cs_sim',
    webhookSecret: requireSetting(config, 'WOOCOMMERCE_WEBHOOK_SECRET'),
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
