import type { LeadPolicy } from '../../domain/lead';
import type { AuditEntity, DiscrepancyKind, EntityTallies, HealAction } from '../../domain/audit';
import type { OrderPolicy } from '../order/api';

/** The scheduled data synchronisation audit's ids, steps, input and result, defined once for the workflow, the worker and our tools. */

export const AUDIT_WORKFLOW = 'syncAudit';
export const AUDIT_FLOW = 'sync-audit';
export const DEFAULT_AUDIT_SCHEDULE_ID = 'sync-audit';
/** One audit covers every connection: the engine's whole picture against the ERP. */
export const AUDIT_BUSINESS_KEY = 'engine:sync-audit';

export const AUDIT_STEPS = {
  startRun: 'start-run',
  readCrm: 'read-crm',
  readOrders: 'read-orders',
  readPayments: 'read-payments',
  readStock: 'read-stock',
  compare: 'compare',
  heal: 'heal',
  finish: 'finish',
  report: 'report-discrepancies',
} as const;

export interface AuditPolicy {
  /** Records touched within this long are compared (stock: all of it). */
  lookbackSeconds: number;
  /** Records touched this recently are still in flight (a webhook on its way): the next run looks at them. */
  settleSeconds: number;
  /** Whether the run heals what it safely can (start missing flows, push stock again), or only reports. */
  heal: boolean;
}

export const DEFAULT_AUDIT_POLICY: AuditPolicy = { lookbackSeconds: 7 * 86_400, settleSeconds: 5 * 60, heal: true };

/** The connections the audit compares with the ERP. */
export interface AuditScope { crm: string; shops: string[]; payments: string }

export interface AuditInput {
  scope: AuditScope;
  policy: AuditPolicy;
  /** How flows the audit starts to heal behave (the relay's policies). */
  leadPolicy: LeadPolicy;
  orderPolicy: OrderPolicy;
}

/** A discrepancy as the result and the issue show it. */
export interface DiscrepancyBrief { entity: AuditEntity; connection: string; subject: string; kind: DiscrepancyKind; erp: unknown; vendor: unknown; heal: HealAction | null }

export interface AuditFindings { tallies: EntityTallies; discrepancies: number; sample: DiscrepancyBrief[] }

export interface AuditAccuracy { compared: number; matching: number; accuracy: number }

export type AuditOutcome =
  | {
    status: 'audited'; runId: number; window: { from: string; to: string }; accuracy: Record<AuditEntity | 'overall', AuditAccuracy>;
    discrepancies: number; healed: number; issueId: number | null;
  }
  | { status: 'compensated'; reason: string; undone: string[] };
