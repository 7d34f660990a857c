import { accuracyOf, AUDIT_ENTITIES, overall, type AuditEntity } from '../../domain/audit';
import { FlowRuntime, runFlow } from '../shared/flow-runtime';
import {
  AUDIT_BUSINESS_KEY, AUDIT_FLOW, AUDIT_STEPS as STEP, type AuditAccuracy, type AuditFindings, type AuditInput, type AuditOutcome,
} from './api';
import { erp, heal, vendors } from './proxies';

/**
 * The scheduled data synchronisation audit, with the ERP as the reference: it reads each connected system through
 * its port (the CRM's contacts, each shop's orders of the look-back window and its whole stock, the provider's
 * payments of the window), compares them with the ERP in one set-based pass, records every difference with both
 * sides and the accuracy KPI, heals what it safely can through the flows that own the records, and raises what is
 * left as one issue per run for a person.
 */
export async function syncAudit(input: AuditInput): Promise<AuditOutcome> {
  const flow = new FlowRuntime(AUDIT_FLOW, AUDIT_BUSINESS_KEY, {
    operatorReminderSeconds: input.leadPolicy.operatorReminderSeconds, rateLimitBudgetSeconds: input.leadPolicy.rateLimitBudgetSeconds,
  });
  return runFlow(flow, () => runAudit(flow, input), { aborted: (undone, reason) => ({ status: 'compensated', reason, undone }) });
}

async function runAudit(flow: FlowRuntime, input: AuditInput): Promise<AuditOutcome> {
  const { scope, policy } = input;
  const must = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
    const result = await flow.step(name, run, { allowed: ['retry', 'compensate'] });
    if (!result.done) throw new Error(`unreachable: ${name} cannot be skipped`);
    return result.value;
  };

  flow.setState('starting');
  const { runId, window } = await must(STEP.startRun, () => erp.startAuditRun(policy));
  flow.registerCompensation(STEP.startRun, () => erp.failAuditRun(runId));
  flow.setErpRecord(`audit-run-${runId}`);

  // Reads that go wrong for good may be skipped: that system is then left out of this run's figures.
  flow.setState('reading', `run ${runId}: ${window.from} .. ${window.to}`);
  await flow.step(`${STEP.readCrm}:${scope.crm}`, () => vendors.readCrmContacts(runId, scope.crm, input.leadPolicy));
  for (const shop of scope.shops) await flow.step(`${STEP.readOrders}:${shop}`, () => vendors.readShopOrders(runId, shop, window));
  await flow.step(`${STEP.readPayments}:${scope.payments}`, () => vendors.readProviderPayments(runId, scope.payments, window));
  const stockShops: string[] = [];
  for (const shop of scope.shops) {
    const read = await flow.step(`${STEP.readStock}:${shop}`, () => vendors.auditShopStock(runId, shop));
    if (read.done && read.value.audited) stockShops.push(shop);
  }

  flow.setState('comparing', `run ${runId}`);
  const findings = await must(STEP.compare, () => erp.compareWithErp(runId, scope, stockShops));

  if (policy.heal && findings.discrepancies > 0) {
    flow.setState('healing', `run ${runId}: ${findings.discrepancies} discrepancies`);
    await flow.step(STEP.heal, () => heal.healDiscrepancies(runId, { leadPolicy: input.leadPolicy, orderPolicy: input.orderPolicy }), { allowed: ['retry', 'skip'] });
  }
  const { healed } = await must(STEP.finish, () => erp.finishAuditRun(runId));
  const issueId = findings.discrepancies > 0 ? await flow.notify(summaryIssue(runId, window, findings, healed)) : null;

  const accuracy = accuracyByEntity(findings);
  flow.setState('audited', `run ${runId}: accuracy ${accuracy.overall.accuracy.toFixed(4)}, ${findings.discrepancies} discrepancies, ${healed} healed`);
  return { status: 'audited', runId, window, accuracy, discrepancies: findings.discrepancies, healed, issueId };
}

function accuracyByEntity(findings: AuditFindings): Record<AuditEntity | 'overall', AuditAccuracy> {
  const of = (t: { compared: number; matching: number }): AuditAccuracy => ({ ...t, accuracy: accuracyOf(t) });
  const entries = AUDIT_ENTITIES.map((e) => [e, of(findings.tallies[e])] as const);
  return { ...Object.fromEntries(entries), overall: of(overall(findings.tallies)) } as Record<AuditEntity | 'overall', AuditAccuracy>;
}

/**
 * One issue per run (a run's differences are one finding, not dozens of issues), superseding the previous run's: the
 * counts per entity and kind, and the differences with both sides (all of them are in the run's table).
 */
function summaryIssue(runId: number, window: { from: string; to: string }, findings: AuditFindings, healed: number) {
  const kinds = new Map<string, number>();
  for (const d of findings.sample) kinds.set(`${d.entity}/${d.kind}`, (kinds.get(`${d.entity}/${d.kind}`) ?? 0) + 1);
  const counts = [...kinds].map(([k, n]) => `${k} ${n}`).join(', ');
  return {
    step: STEP.report, kind: 'sync-audit' as const,
    message: `sync audit run ${runId} (${window.from} .. ${window.to}): ${findings.discrepancies} discrepancy(ies) (${counts}); ${healed} healed. ` +
      `All in integration.audit_discrepancy WHERE run_id = ${runId}`,
    details: { runId, window, tallies: findings.tallies, healed, discrepancies: findings.sample },
  };
}
