import { loadConfig, requireSetting } from '../../../config/env';
import { createLogger } from '../../../config/logger';
import { onShutdown } from '../../../stack/shutdown';
import { relayWebhookUrl } from '../../../simulators/relay-target';
import { startStripeSimulator } from './server';

/** Runs the Stripe simulator as its own process, sending signed events to the relay like a Stripe webhook endpoint. */
export async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('stripe-simulator', config.LOG_LEVEL);
  const webhookTargetUrl = relayWebhookUrl(config, 'stripe');
  const sim = await startStripeSimulator({
    port: config.STRIPE_SIM_PORT,
    apiKey: config.STRIPE_API_KEY ?? 'sk_test_sim',
    webhookSecret: requireSetting(config, 'STRIPE_WEBHOOK_SECRET'),
    webhookTargetUrl,
    logger,
  });
  logger.info({ url: sim.url, webhookTarget: webhookTargetUrl }, 'Stripe simulator listening');

  onShutdown(logger, () => sim.close());
}

if (require.main === module) {
  main().catch((err: unknown) => {
    // Config errors carry their own readable message; print it rather than a stack.
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
