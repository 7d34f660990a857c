import type { CustomerRecord } from '../domain/customer-matching';
import type { LeadCandidate } from '../domain/lead';
import type { Queryable } from '../db/transaction';
import type { RecordOwner } from './ownership';

/** ERP customers: lookup for matching, creation that cannot duplicate an email, and removal for compensation. */

const COLUMNS = `id, customer_number, display_name, email, phone_e164, name_key, company_key`;

const toRecord = (r: Record<string, unknown>): CustomerRecord => ({
  id: r.id as number,
  customerNumber: r.customer_number as string,
  displayName: r.display_name as string,
  email: r.email as string | null,
  phoneE164: r.phone_e164 as string | null,
  nameKey: r.name_key as string | null,
  companyKey: r.company_key as string | null,
});

/** Live customers that share the lead's email, phone or company: everything the matcher could pick. */
export async function matchCandidates(db: Queryable, lead: LeadCandidate): Promise<CustomerRecord[]> {
  const { rows } = await db.query(
    `SELECT ${COLUMNS} FROM erp.customer
      WHERE merged_into_id IS NULL AND (email = $1 OR phone_e164 = $2 OR company_key = $3)
      ORDER BY id LIMIT 200`,
    [lead.email, lead.phoneE164, lead.companyKey],
  );
  return rows.map(toRecord);
}

export async function customerById(db: Queryable, id: number): Promise<CustomerRecord | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM erp.customer WHERE id = $1`, [id]);
  return rows[0] && toRecord(rows[0]);
}

export async function customerByNumber(db: Queryable, customerNumber: string): Promise<CustomerRecord | undefined> {
  const { rows } = await db.query(`SELECT ${COLUMNS} FROM erp.customer WHERE customer_number = $1 AND merged_into_id IS NULL`, [customerNumber]);
  return rows[0] && toRecord(rows[0]);
}

/**
 * Creates the customer, or returns the live customer that already has this email: the partial unique index
 * decides races between concurrent conversions, so two can never both create one.
 */
export async function createOrGetByEmail(db: Queryable, lead: LeadCandidate, owner: RecordOwner): Promise<{ customer: CustomerRecord; created: boolean }> {
  const { rows } = await db.query(
    `INSERT INTO erp.customer (display_name, first_name, last_name, company, email, phone_e164, name_key, company_key, created_by, created_by_run)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (email) WHERE email IS NOT NULL AND merged_into_id IS NULL DO NOTHING
     RETURNING ${COLUMNS}`,
    [lead.displayName, lead.firstName, lead.lastName, lead.company, lead.email, lead.phoneE164, lead.nameKey, lead.companyKey, owner.workflowId, owner.runId],
  );
  if (rows[0]) return { customer: toRecord(rows[0]), created: true };
  const existing = await db.query(`SELECT ${COLUMNS} FROM erp.customer WHERE email = $1 AND merged_into_id IS NULL`, [lead.email]);
  return { customer: toRecord(existing.rows[0]), created: false };
}

/** Whether this run created the customer (and may therefore remove it again). */
export async function isCreatedByRun(db: Queryable, id: number, owner: RecordOwner): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM erp.customer WHERE id = $1 AND created_by = $2 AND created_by_run = $3', [id, owner.workflowId, owner.runId]);
  return (rowCount ?? 0) > 0;
}

/** The customers a run created: a guest buyer's customer has no binding to find it by. */
export async function customerIdsCreatedByRun(db: Queryable, owner: RecordOwner): Promise<number[]> {
  const { rows } = await db.query('SELECT id FROM erp.customer WHERE created_by = $1 AND created_by_run = $2 ORDER BY id', [owner.workflowId, owner.runId]);
  return rows.map((r) => r.id as number);
}

/**
 * Deletes a customer this run created, only while nothing else refers to it: no binding (other than
 * `exceptBindingId`, the one being undone with it), order, invoice or merged customer.
 */
export async function deleteOwnIfUnreferenced(db: Queryable, id: number, owner: RecordOwner, exceptBindingId: number | null = null): Promise<boolean> {
  const { rowCount } = await db.query(
    `DELETE FROM erp.customer c WHERE c.id = $1 AND c.created_by = $2 AND c.created_by_run = $3
       AND NOT EXISTS (SELECT 1 FROM erp.external_ref r WHERE r.erp_table = 'customer' AND r.erp_id = c.id AND r.id IS DISTINCT FROM $4)
       AND NOT EXISTS (SELECT 1 FROM erp.sales_order o WHERE o.customer_id = c.id)
       AND NOT EXISTS (SELECT 1 FROM erp.invoice i WHERE i.customer_id = c.id)
       AND NOT EXISTS (SELECT 1 FROM erp.customer m WHERE m.merged_into_id = c.id)`,
    [id, owner.workflowId, owner.runId, exceptBindingId],
  );
  return (rowCount ?? 0) > 0;
}
