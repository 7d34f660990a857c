import { postgresRestartScenario } from './faults/postgres-restart';
import { temporalRestartScenario } from './faults/temporal-restart';
import { temporalUnreachableScenario } from './faults/temporal-unreachable';
import { vendorStormScenario } from './faults/vendor-storm';
import { webhookChaosScenario } from './faults/webhook-chaos';
import { webhooksLostScenario } from './faults/webhooks-lost';
import { workerKillScenario } from './faults/worker-kill';
import type { Scenario } from './scenario';

/** Every scenario by name, in the order `all` runs them. A fresh instance per run: scenarios keep run state. */
export const SCENARIOS: Record<string, () => Scenario> = {
  'worker-kill': workerKillScenario,
  'vendor-storm': vendorStormScenario,
  'webhook-chaos': webhookChaosScenario,
  'postgres-restart': postgresRestartScenario,
  'temporal-restart': temporalRestartScenario,
  'temporal-unreachable': temporalUnreachableScenario,
  'webhooks-lost': webhooksLostScenario,
};
