import { loadConfig, requireSetting } from '../../config/env';
import { createLogger } from '../../config/logger';
import { startHubspotSimulator } from './server';

/** Runs the HubSpot simulator as its own process, sending webhooks to the relay like real HubSpot would. */
export async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('hubspot-simulator', config.LOG_LEVEL);
  const relayUrl = (config.RELAY_PUBLIC_URL ?? `http://${config.RELAY_HOST}:${config.RELAY_PORT}`).replace(/\/+$/, '');
  const sim = await startHubspotSimulator({
    port: config.HUBSPOT_SIM_PORT,
    accessToken: config.HUBSPOT_ACCESS_TOKEN ?? 'sim-token',
    clientSecret: requireSetting(config, 'HUBSPOT_CLIENT_SECRET'),
    webhookTargetUrl: `${relayUrl}/webhooks/hubspot`,
    logger,
  });
  logger.info({ url: sim.url, webhookTarget: `${relayUrl}/webhooks/hubspot` }, 'HubSpot simulator listening');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping HubSpot simulator');
    sim.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'HubSpot simulator did not close cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

if (require.main === module) {
  main().catch((err: unknown) => {
    // Config errors carry their own readable message; print it rather than a stack.
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
