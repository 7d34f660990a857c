import type { Queryable } from '../../db/transaction';
import { forgetReadPositions } from './staging';
import { accuracyOf, AUDIT_ENTITIES, overall, type AuditEntity, type Discrepancy, type EntityTallies, type HealAction } from '../../domain/audit';

/** The audit run's record, its findings and the KPI rows (integration.audit_run, audit_discrepancy, audit_accuracy). */

export interface AuditWindow { from: string; to: string }
export interface StartedRun { runId: number; window: AuditWindow }

/**
 * Opens the run of this workflow run, or finds it again (a retried start): the window is fixed by the first attempt,
 * so every read of the run looks at the same records. Records touched in [now − lookback, now − settle) are compared.
 */
export async function startAuditRun(
  db: Queryable, owner: { workflowId: string; runId: string }, opts: { lookbackSeconds: number; settleSeconds: number },
): Promise<StartedRun> {
  const { rows } = await db.query(
    `INSERT INTO integration.audit_run (workflow_id, workflow_run, window_from, window_to)
     VALUES ($1, $2, now() - make_interval(secs => $3), now() - make_interval(secs => $4))
     ON CONFLICT (workflow_run) DO UPDATE SET workflow_id = EXCLUDED.workflow_id
     RETURNING id, window_from, window_to`,
    [owner.workflowId, owner.runId, opts.lookbackSeconds, opts.settleSeconds],
  );
  const r = rows[0]!;
  return { runId: Number(r.id), window: { from: (r.window_from as Date).toISOString(), to: (r.window_to as Date).toISOString() } };
}

/**
 * Records what the comparison found, all at once: the differences with both sides and the KPI per entity and
 * overall. A repeat (activity retry) replaces the earlier attempt's rows, so a run never counts twice.
 */
export async function recordFindings(db: Queryable, runId: number, found: readonly Discrepancy[], tallies: EntityTallies): Promise<void> {
  await db.query('DELETE FROM integration.audit_discrepancy WHERE run_id = $1', [runId]);
  await db.query('DELETE FROM integration.audit_accuracy WHERE run_id = $1', [runId]);
  await db.query(
    `INSERT INTO integration.audit_discrepancy (run_id, entity, connection, subject, kind, erp, vendor, heal)
     SELECT $1, d.entity, d.connection, d.subject, d.kind, d.erp, d.vendor, d.heal
       FROM jsonb_to_recordset($2::jsonb) AS d(entity text, connection text, subject text, kind text, erp jsonb, vendor jsonb, heal text)
     ON CONFLICT (run_id, entity, connection, subject, kind) DO NOTHING`,
    [runId, JSON.stringify(found.map((d) => ({ ...d, erp: d.erp ?? null, vendor: d.vendor ?? null })))],
  );
  const rows = [...AUDIT_ENTITIES.map((entity) => ({ entity, ...tallies[entity] })), { entity: 'overall', ...overall(tallies) }]
    .map((t) => ({ ...t, accuracy: accuracyOf(t) }));
  await db.query(
    `INSERT INTO integration.audit_accuracy (run_id, entity, compared, matching, accuracy, measured_at)
     SELECT $1, t.entity, t.compared, t.matching,
            CASE WHEN t.compared = 0 THEN 1 ELSE round(t.matching::numeric / t.compared, 6) END, now()
       FROM jsonb_to_recordset($2::jsonb) AS t(entity text, compared int, matching int)`,
    [runId, JSON.stringify(rows)],
  );
  await db.query('UPDATE integration.audit_run SET discrepancies = $2 WHERE id = $1', [runId, found.length]);
}

export interface HealableDiscrepancy { id: number; entity: AuditEntity; connection: string; subject: string; heal: HealAction; vendor: unknown }

/** The run's differences the engine may heal by itself and has not healed yet. */
export async function healableDiscrepancies(db: Queryable, runId: number): Promise<HealableDiscrepancy[]> {
  const { rows } = await db.query(
    `SELECT id, entity, connection, subject, heal, vendor FROM integration.audit_discrepancy
      WHERE run_id = $1 AND heal IS NOT NULL AND NOT healed ORDER BY id`,
    [runId],
  );
  return rows.map((r) => ({ id: Number(r.id), entity: r.entity, connection: r.connection, subject: r.subject, heal: r.heal, vendor: r.vendor }));
}

export async function markHealed(db: Queryable, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query('UPDATE integration.audit_discrepancy SET healed = true, healed_at = now() WHERE id = ANY($1::bigint[]) AND NOT healed', [ids]);
}

/**
 * Closes the run: its healed count from its rows (repeatable), and its staged vendor rows go. The issues of earlier
 * runs are superseded: this run has looked again, and raises what is still different (or nothing, when clean).
 */
export async function finishAuditRun(db: Queryable, runId: number): Promise<{ healed: number; discrepancies: number }> {
  await db.query(
    `UPDATE integration.issue SET status = 'resolved', resolved_at = now(), resolved_by = 'engine',
            resolution = jsonb_build_object('action', 'superseded', 'byAuditRun', $1::bigint)
      WHERE kind = 'sync-audit' AND status = 'open' AND (details->>'runId')::bigint < $1`,
    [runId],
  );
  const { rows } = await db.query(
    `UPDATE integration.audit_run r
        SET status = 'completed', finished_at = COALESCE(r.finished_at, now()),
            healed = (SELECT count(*) FROM integration.audit_discrepancy d WHERE d.run_id = r.id AND d.healed)
      WHERE id = $1 RETURNING healed, discrepancies`,
    [runId],
  );
  await db.query('DELETE FROM integration.audit_vendor_record WHERE run_id = $1', [runId]);
  await forgetReadPositions(db, runId);
  return { healed: rows[0]?.healed ?? 0, discrepancies: rows[0]?.discrepancies ?? 0 };
}

/** A run that could not complete (its flow was compensated): its partial figures are not a KPI. */
export async function failAuditRun(db: Queryable, runId: number): Promise<void> {
  await db.query(`UPDATE integration.audit_run SET status = 'failed', finished_at = COALESCE(finished_at, now()) WHERE id = $1 AND status = 'running'`, [runId]);
  await db.query('DELETE FROM integration.audit_accuracy WHERE run_id = $1', [runId]);
  await db.query('DELETE FROM integration.audit_vendor_record WHERE run_id = $1', [runId]);
  await forgetReadPositions(db, runId);
}

export interface AccuracyRow { runId: number; entity: string; compared: number; matching: number; accuracy: number; measuredAt: string }

/** The latest completed run's KPI per entity (what `ops audit show` prints and the dashboard charts). */
export async function latestAccuracy(db: Queryable): Promise<AccuracyRow[]> {
  const { rows } = await db.query(
    `SELECT DISTINCT ON (a.entity) a.run_id, a.entity, a.compared, a.matching, a.accuracy, a.measured_at
       FROM integration.audit_accuracy a JOIN integration.audit_run r ON r.id = a.run_id AND r.status = 'completed'
      ORDER BY a.entity, a.measured_at DESC, a.run_id DESC`,
  );
  const order = [...AUDIT_ENTITIES, 'overall'] as string[];
  return rows
    .map((r) => ({
      runId: Number(r.run_id), entity: r.entity as string, compared: r.compared as number, matching: r.matching as number,
      accuracy: Number(r.accuracy), measuredAt: (r.measured_at as Date).toISOString(),
    }))
    .sort((a, b) => order.indexOf(a.entity) - order.indexOf(b.entity));
}
