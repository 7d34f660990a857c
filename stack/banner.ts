import { join } from 'node:path';
import type { AppConfig } from '../config/env';
import type { StackInfo } from './stack-info';

/** What `npm start` prints once everything runs: where each piece is, and what to do next. */
export function banner(config: AppConfig, info: StackInfo): string {
  const { hubspot, shopify, woocommerce, stripe } = info.simulators;
  const off = config.RUN_SIMULATORS ? '(not in use)' : '(off: RUN_SIMULATORS=false)';
  const shops = info.connections.filter((c) => c.role === 'shop').map((c) => (c.id === c.vendor ? c.id : `${c.id}=${c.vendor}`));
  const lines = [
    '',
    'Integration engine is running. Ctrl-C stops it.',
    `  Temporal UI            ${info.temporal.uiUrl ?? '(external Temporal: use its own UI)'}`,
    `  Temporal               ${info.temporal.address}  namespace ${info.temporal.namespace}, task queue ${info.temporal.taskQueue}`,
    `  Shops                  ${shops.join(', ')}  (SHOP or SHOPS chooses them)`,
    `  Webhook relay          ${info.relay.url}  (POST /webhooks/${Object.keys(info.relay.webhooks).join(' | ')})`,
    ...(info.metrics ? [
      `  Metrics (Prometheus)   relay ${info.metrics.relay}, worker ${info.metrics.worker ?? 'off'}, Temporal SDK ${info.metrics.temporalSdk ?? 'off'}`,
    ] : []),
    `  Monitoring dashboard   ${info.dashboard.url}${info.dashboard.token ? '/?token=<DASHBOARD_TOKEN>' : ''}`,
    `  HubSpot simulator      ${hubspot?.url ?? off}`,
    `  Shopify simulator      ${shopify ? `${shopify.url}/admin/api/${shopify.apiVersion}/graphql.json` : off}`,
    `  WooCommerce simulator  ${woocommerce ? `${woocommerce.url}/wp-json/wc/v3` : off}`,
    `  Stripe simulator       ${stripe?.url ?? off}`,
    `  Demo catalogue         ${info.catalogue.map((p) => p.sku).join(', ') || '(not seeded)'}`,
    `  PostgreSQL (ERP)       ${info.databaseUrl.replace(/:[^:@/]+@/, ':***@')}`,
    `  Everything above       ${join(config.DATA_DIR, 'stack.json')} (readable by you only: it holds the local secrets)`,
    '',
    'Watch flows: `npm run demo` feeds the simulators; `npm run ops -- issues` lists what needs a decision.',
    '',
  ];
  return lines.join('\n');
}
