import { configuredConnections, type AppConfig } from '../config/env';

/**
 * Where a simulator sends its webhooks: the relay serves each connection at its own id, so a simulator of a vendor
 * posts to the endpoint of the connection that vendor serves (`SHOPS=us=woocommerce` posts to /webhooks/us).
 */
export function relayWebhookUrl(config: AppConfig, vendor: string): string {
  const relayUrl = (config.RELAY_PUBLIC_URL ?? `http://${config.RELAY_HOST}:${config.RELAY_PORT}`).replace(/\/+$/, '');
  const connection = configuredConnections(config).all.find((c) => c.vendor === vendor)?.id ?? vendor;
  return `${relayUrl}/webhooks/${connection}`;
}
