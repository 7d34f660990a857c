import { loadConfig, requireSetting } from '../../../config/env';
import { createLogger } from '../../../config/logger';
import { onShutdown } from '../../../stack/shutdown';
import { relayWebhookUrl } from '../../../simulators/relay-target';
import { startHubspotSimulator } from './server';

/** Runs the HubSpot simulator as its own process, sending webhooks to the relay like real HubSpot would. */
export async function main(): Promise<void> {
  const config = loadConfig();
  const webhookTargetUrl = relayWebhookUrl(config, 'hubspot');
  const logger = createLogger('hubspot-simulator', config.LOG_LEVEL);
  const sim = await startHubspotSimulator({
    port: config.HUBSPOT_SIM_PORT,
    accessToken: config.HUBSPOT_ACCESS_TOKEN ?? 'sim-token',
    clientSecret: requireSetting(config, 'HUBSPOT_CLIENT_SECRET'),
    webhookTargetUrl,
    logger,
  });
  logger.info({ url: sim.url, webhookTarget: webhookTargetUrl }, 'HubSpot simulator listening');

  onShutdown(logger, () => sim.close());
}

if (require.main === module) {
  main().catch((err: unknown) => {
    // Config errors carry their own readable message; print it rather than a stack.
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
