import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { auditSchedule, configuredConnections, inventoryResyncSchedule, loadConfig, reconciliationSchedule } from '../config/env';
import { dataDir } from '../config/paths';
import { createPool } from '../db/pool';
import { acknowledgeIssue } from '../engine/issues';
import { latestAccuracy, type AccuracyRow } from '../erp/audit/run';
import { inventoryWorkflowId, resyncSignal } from '../workflows/inventory/api';
import { markShippedUpdate } from '../workflows/order/api';
import { RECONCILIATION_WORKFLOW, type ReconciliationInput } from '../workflows/reconciliation/api';
import { decideUpdate, progressQuery } from '../workflows/shared/operator-api';
import { connectTemporalClient } from './temporal-connection';
import { parseDecision } from './decision-args';
import { parseInboxArgs, parseQuarantineArgs } from './inbox-commands';
import { inboxCommand, issuesCommand, kpisCommand, quarantineCommand, temporalUi } from './ops-reports';
import { inventoryResyncScheduleIdOf } from '../workers/inventory-resync-schedule';

/**
 * The operator's command line, next to the Temporal UI: what needs a decision, and sending that decision.
 *   npm run ops -- issues [list] [--all | --status open|resolved|all] [--flow F] [--kind K] [--older-than 2h] [--limit N] [--json]
 *   npm run ops -- kpis [--hours N] [--json]                 (the three KPIs, as the dashboard shows them)
 *   npm run ops -- acknowledge <issueId> [--note TEXT]      (an issue that waits for no decision, once dealt with)
 *   npm run ops -- decide <workflowId> <retry|skip|compensate|create-new|link=C-1001> [--issue N] [--operator NAME]
 *   npm run ops -- progress <workflowId>
 *   npm run ops -- inbox [--json | replay <id>|--failed | prune [--days N]]   (replays of many rows show progress on stderr)
 *   npm run ops -- quarantine [--json | replay <id>|--all]
 *   npm run ops -- ship <order workflowId> [--tracking N] [--carrier NAME]
 *   npm run ops -- reconcile trigger|pause|unpause|backfill <from> <to>   (the payment reconciliation's schedule)
 *   npm run ops -- inventory resync <shop>                   (a full resync now, besides the periodic one)
 *   npm run ops -- inventory pause|unpause <shop>            (the shop's periodic resync schedule)
 *   npm run ops -- audit trigger | show [--json]            (the data synchronisation audit: run now, or its latest accuracy)
 *   npm run ops -- replay-check [--query Q]                  (before a deploy: every running flow's history replays on this checkout's workflows)
 */

const USAGE = `usage: npm run ops -- <issues [list] [--all | --status S] [--flow F] [--kind K] [--older-than 2h] [--limit N] [--json] | kpis [--hours N] [--json] | acknowledge <issueId> [--note TEXT] | decide <workflowId> <decision> [--issue N] [--operator NAME] | progress <workflowId> | inbox [--json | replay <id>|--failed | prune [--days N]] | quarantine [--json | replay <id>|--all] | ship <workflowId> [--tracking N] [--carrier NAME] | reconcile trigger|pause|unpause|backfill <from> <to> | inventory resync|pause|unpause <shop> | audit trigger|show [--json] | replay-check [--query Q]>`;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/** Addresses from the environment, else from the running local stack's .data/stack.json. */
function endpoints(): { databaseUrl: string; temporalAddress: string } {
  const config = loadConfig();
  let stack: { databaseUrl?: string; temporal?: { address?: string } } = {};
  try {
    stack = JSON.parse(readFileSync(join(dataDir(config.DATA_DIR), 'stack.json'), 'utf8'));
  } catch {
    // no local stack: the environment must say where things are
  }
  const databaseUrl = config.DATABASE_URL ?? stack.databaseUrl;
  const temporalAddress = config.TEMPORAL_ADDRESS ?? stack.temporal?.address;
  if (!databaseUrl || !temporalAddress) throw new Error('DATABASE_URL and TEMPORAL_ADDRESS: set them, or start the local stack with `npm start`');
  return { databaseUrl, temporalAddress };
}

/** Runs one call against a workflow; a refused update comes back as the workflow's own reason. */
async function withWorkflow<T>(workflowId: string, call: (handle: WorkflowHandle) => Promise<T>): Promise<T> {
  const client = await connectTemporalClient(loadConfig(), endpoints().temporalAddress);
  try {
    return await call(client.workflow.getHandle(workflowId));
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new Error(`refused: ${err.cause?.message ?? err.message}`);
    throw err;
  } finally {
    await client.connection.close();
  }
}

async function withPool<T>(work: (pool: ReturnType<typeof createPool>) => Promise<T>): Promise<T> {
  const pool = createPool(endpoints().databaseUrl, 1);
  try {
    return await work(pool);
  } finally {
    await pool.end();
  }
}

/** The reconciliation schedule: run now, pause, resume, or reconcile a given UTC window (ISO instants) once. */
async function reconcile([action, from, to]: string[]): Promise<string> {
  const config = loadConfig();
  const settings = reconciliationSchedule(config, configuredConnections(config).payments.id);
  const client = await connectTemporalClient(config, endpoints().temporalAddress);
  const schedule = client.schedule.getHandle(settings.scheduleId);
  try {
    switch (action) {
      case 'trigger':
        await schedule.trigger();
        return `${settings.scheduleId}: a run was started.`;
      case 'pause':
        await schedule.pause(`paused by ${process.env.USER ?? 'operator'}`);
        return `${settings.scheduleId}: paused.`;
      case 'unpause':
        await schedule.unpause(`resumed by ${process.env.USER ?? 'operator'}`);
        return `${settings.scheduleId}: running again.`;
      case 'backfill': {
        if (!from || !to || Number.isNaN(Date.parse(from)) || Number.isNaN(Date.parse(to))) throw new Error(`backfill: expected <from> <to> as ISO instants\n${USAGE}`);
        const input: ReconciliationInput = { payments: settings.payments, policy: settings.policy, window: { from, to } };
        const workflowId = `${settings.scheduleId}-backfill-${from}-${to}`;
        await client.workflow.start(RECONCILIATION_WORKFLOW, { workflowId, taskQueue: settings.taskQueue, args: [input] });
        return `${workflowId}: reconciling ${from} .. ${to}.`;
      }
      default:
        throw new Error(`reconcile: expected trigger, pause, unpause or backfill <from> <to>\n${USAGE}`);
    }
  } finally {
    await client.connection.close();
  }
}

/** A shop's periodic inventory resync schedule: pause it (e.g. during a stock take) or resume it. */
async function resyncSchedule(action: 'pause' | 'unpause', shop: string): Promise<string> {
  const config = loadConfig();
  const shops = configuredConnections(config).shops.map((c) => c.id);
  if (!shops.includes(shop)) throw new Error(`shop: "${shop}" is not a configured shop connection (${shops.join(', ')})`);
  const scheduleId = inventoryResyncScheduleIdOf(inventoryResyncSchedule(config, shops), shop);
  const client = await connectTemporalClient(config, endpoints().temporalAddress);
  try {
    const schedule = client.schedule.getHandle(scheduleId);
    if (action === 'pause') await schedule.pause(`paused by ${process.env.USER ?? 'operator'}`);
    else await schedule.unpause(`resumed by ${process.env.USER ?? 'operator'}`);
    return `${scheduleId}: ${action === 'pause' ? 'paused' : 'running again'}.`;
  } finally {
    await client.connection.close();
  }
}

/** The audit's latest accuracy per entity, as a table for people or JSON for scripts. */
function accuracyReport(rows: AccuracyRow[], json: boolean): string {
  if (json) return JSON.stringify({ accuracy: rows }, null, 2);
  if (rows.length === 0) return 'No audit yet: npm run ops -- audit trigger';
  const lines = rows.map((r) =>
    `${r.entity.padEnd(10)} ${(r.accuracy * 100).toFixed(2).padStart(7)}%  ${String(r.matching).padStart(7)} / ${String(r.compared).padEnd(7)} run ${r.runId} at ${r.measuredAt}`);
  return [`${'entity'.padEnd(10)} ${'accuracy'.padStart(8)}  matching / compared`, ...lines].join('\n');
}

/** The audit schedule: run now, or show the latest accuracy (integration.audit_accuracy). */
async function auditCommand([action, ...flags]: string[]): Promise<string> {
  const unknown = flags.find((f) => f !== '--json');
  if (unknown) throw new Error(`audit: unknown option "${unknown}" (only --json)\n${USAGE}`);
  switch (action) {
    case 'trigger': {
      const config = loadConfig();
      const { scheduleId } = auditSchedule(config, configuredConnections(config));
      const client = await connectTemporalClient(config, endpoints().temporalAddress);
      try {
        await client.schedule.getHandle(scheduleId).trigger();
      } finally {
        await client.connection.close();
      }
      return `${scheduleId}: an audit run was started (npm run ops -- audit show, once it completed).`;
    }
    case 'show':
      return accuracyReport(await withPool((pool) => latestAccuracy(pool)), flags.includes('--json'));
    default:
      throw new Error(`audit: expected trigger or show [--json], got "${action ?? ''}"\n${USAGE}`);
  }
}

/** Every flow still running: a deploy changes the code they replay on. */
const RUNNING_FLOWS = `ExecutionStatus = 'Running'`;

/** Replays the histories the query finds on this checkout's workflows: a failure is a flow the new code would stop. */
async function replayCheck(query: string): Promise<{ text: string; ok: boolean }> {
  // Loaded here: the SDK's worker and the bundler would cost every other command of this CLI a slower start.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { installReplayOnlyRuntime, replayWorkflowHistories } = require('./history-replay') as typeof import('./history-replay');
  const { bundleEngineWorkflows } = require('../observability/workflow-bundle') as typeof import('../observability/workflow-bundle');
  /* eslint-enable @typescript-eslint/no-require-imports */
  installReplayOnlyRuntime();
  const client = await connectTemporalClient(loadConfig(), endpoints().temporalAddress);
  try {
    const { replayed, failures } = await replayWorkflowHistories(client, query, { code: await bundleEngineWorkflows() });
    const lines = failures.map((f) => `  ${f.run}: ${f.error}`);
    const verdict = failures.length === 0
      ? `${replayed} workflow histories (${query}) replay on this checkout's workflows.`
      : `${failures.length} of ${replayed} workflow histories (${query}) do not replay on this checkout's workflows: deploying it would stop them.`;
    return { text: [verdict, ...lines].join('\n'), ok: failures.length === 0 };
  } finally {
    await client.connection.close();
  }
}

async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  switch (command) {
    case 'issues': {
      console.log(await withPool((pool) => issuesCommand(pool, rest, temporalUi(loadConfig()))));
      return 0;
    }
    case 'kpis': {
      console.log(await withPool((pool) => kpisCommand(pool, rest)));
      return 0;
    }
    case 'acknowledge': {
      const [idText] = rest;
      if (!idText || !/^\d+$/.test(idText)) throw new Error(`issueId: expected an issue number, got "${idText ?? ''}"\n${USAGE}`);
      await withPool((pool) => acknowledgeIssue(pool, Number(idText), process.env.USER ?? 'operator', option(rest, '--note') ?? null));
      console.log(`Issue #${idText} acknowledged.`);
      return 0;
    }
    case 'decide': {
      const [workflowId, decisionText] = rest;
      if (!workflowId) throw new Error(`workflowId: missing\n${USAGE}`);
      const parsed = parseDecision(decisionText);
      if (!parsed.ok) throw new Error(parsed.error);
      const issueText = option(rest, '--issue');
      if (issueText !== undefined && !/^\d+$/.test(issueText)) throw new Error(`--issue: expected an issue number, got "${issueText}"`);
      const result = await withWorkflow(workflowId, (handle) => handle.executeUpdate(decideUpdate, {
        args: [{ decision: parsed.decision, operator: option(rest, '--operator') ?? process.env.USER ?? 'operator', issueId: issueText ? Number(issueText) : undefined }],
      }));
      console.log(`Decision "${parsed.decision.action}" accepted for issue #${result.issueId} of ${workflowId}.`);
      return 0;
    }
    case 'progress': {
      const [workflowId] = rest;
      if (!workflowId) throw new Error(`workflowId: missing\n${USAGE}`);
      console.log(JSON.stringify(await withWorkflow(workflowId, (handle) => handle.query(progressQuery)), null, 2));
      return 0;
    }
    case 'ship': {
      const [workflowId] = rest;
      if (!workflowId) throw new Error(`workflowId: missing\n${USAGE}`);
      await withWorkflow(workflowId, (handle) => handle.executeUpdate(markShippedUpdate, {
        args: [{ trackingNumber: option(rest, '--tracking') ?? `MANUAL-${Date.now()}`, carrier: option(rest, '--carrier') ?? 'manual' }],
      }));
      console.log(`${workflowId}: shipment recorded; the shop is being told.`);
      return 0;
    }
    case 'inbox': {
      const command = parseInboxArgs(rest.filter((a) => a !== '--json'));
      const defaults = { retentionDays: loadConfig().INBOX_RETENTION_DAYS, operator: process.env.USER ?? 'operator' };
      console.log(await withPool((pool) => inboxCommand(pool, command, defaults, rest.includes('--json'))));
      return 0;
    }
    case 'quarantine': {
      const command = parseQuarantineArgs(rest.filter((a) => a !== '--json'));
      console.log(await withPool((pool) => quarantineCommand(pool, command, rest.includes('--json'))));
      return 0;
    }
    case 'reconcile': {
      console.log(await reconcile(rest));
      return 0;
    }
    case 'inventory': {
      const [action, shop] = rest;
      if (!['resync', 'pause', 'unpause'].includes(action ?? '') || !shop) throw new Error(`inventory: expected resync|pause|unpause <shop>\n${USAGE}`);
      if (action !== 'resync') {
        console.log(await resyncSchedule(action as 'pause' | 'unpause', shop));
        return 0;
      }
      const workflowId = inventoryWorkflowId(shop);
      await withWorkflow(workflowId, (handle) => handle.signal(resyncSignal));
      console.log(`${workflowId}: full resync requested (see npm run ops -- progress ${workflowId}).`);
      return 0;
    }
    case 'audit': {
      console.log(await auditCommand(rest));
      return 0;
    }
    case 'replay-check': {
      const { text, ok } = await replayCheck(option(rest, '--query') ?? RUNNING_FLOWS);
      console.log(text);
      return ok ? 0 : 1;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exit(1);
  },
);
