import { loadConfig, requireSetting } from '../../../config/env';
import { createLogger } from '../../../config/logger';
import { onShutdown } from '../../../stack/shutdown';
import { relayWebhookUrl } from '../../../simulators/relay-target';
import { startShopifySimulator } from './server';

/** Runs the Shopify simulator as its own process, sending order webhooks to the relay like a real shop would. */
export async function main(): Promise<void> {
  const config = loadConfig();
  const webhookTargetUrl = relayWebhookUrl(config, 'shopify');
  const logger = createLogger('shopify-simulator', config.LOG_LEVEL);
  const sim = await startShopifySimulator({
    port: config.SHOPIFY_SIM_PORT,
    accessToken: config.SHOPIFY_ACCESS_TOKEN ?? 'shpat_sim',
    webhookSecret: requireSetting(config, 'SHOPIFY_WEBHOOK_SECRET'),
    apiVersion: config.SHOPIFY_API_VERSION,
    webhookTargetUrl,
    logger,
  });
  logger.info({ url: sim.url, webhookTarget: webhookTargetUrl }, 'Shopify simulator listening');

  onShutdown(logger, () => sim.close());
}

if (require.main === module) {
  main().catch((err: unknown) => {
    // Config errors carry their own readable message; print it rather than a stack.
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
