import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { MIGRATIONS_DIR } from '../../config/paths';
import { dropDatabase, ensureDatabase } from '../../db/admin';
import { migrate, readMigrations } from '../../db/migrate';
import { createPool } from '../../db/pool';

/**
 * Migration 0020 on a database that reconciled before it: every first match moves onto the line of its balance
 * transaction (or becomes a line of its own), a transaction two payouts listed is one line, a record is settled by
 * one line, and erp.reconciliation_match reads the same facts as before.
 */

let pool: Pool;
let database: string;
let before: string;
beforeAll(async () => {
  const adminUrl = process.env.TEST_PG_ADMIN_URL!;
  database = `engine_test_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(adminUrl, database);
  pool = createPool(adminUrl.replace(/\/[^/]*$/, `/${database}`), 2);
  before = mkdtempSync(join(tmpdir(), 'migrations-0019-'));
  for (const m of readMigrations().filter((m) => m.version < 20)) copyFileSync(join(MIGRATIONS_DIR, m.name), join(before, m.name));
  await migrate(pool, before);
});
afterAll(async () => {
  await pool.end();
  await dropDatabase(process.env.TEST_PG_ADMIN_URL!, database).catch(() => undefined);
  rmSync(before, { recursive: true, force: true });
});

test('first matches move onto their lines, or become lines; one line per transaction; one line per record', async () => {
  const id = async (sql: string, values: unknown[] = []) => Number((await pool.query(`${sql} RETURNING id`, values)).rows[0].id);
  const payment = (ref: string) => id(
    `INSERT INTO erp.payment (provider, provider_payment_id, status, currency, amount_minor, fee_minor, net_minor, captured_at, provider_captured_at)
     VALUES ('stripe', $1, 'captured', 'USD', 1000, 59, 941, now(), now() - interval '2 days')`, [ref]);
  const [paid, legacy, twice, unreconciled] = [await payment('pi_paid'), await payment('pi_legacy'), await payment('pi_twice'), await payment('pi_open')];
  const refund = await id(
    `INSERT INTO erp.refund (provider, provider_refund_id, payment_id, currency, amount_minor, status, refunded_at)
     VALUES ('stripe', 're_1', $1, 'USD', 300, 'succeeded', now())`, [paid]);
  const payout = (ref: string) => id(
    `INSERT INTO erp.payout (provider, provider_payout_id, currency, amount_minor, status) VALUES ('stripe', $1, 'USD', 641, 'paid')`, [ref]);
  const [po1, po2] = [await payout('po_1'), await payout('po_2')];
  const line = (payoutId: number, kind: string, txn: string, ref: { payment?: number; refund?: number }, net: number) => pool.query(
    `INSERT INTO erp.payout_line (payout_id, kind, payment_id, refund_id, provider_balance_txn_id, amount_minor, gross_minor, fee_minor)
     VALUES ($1, $2, $3, $4, $5, $6, $6, 0)`, [payoutId, kind, ref.payment ?? null, ref.refund ?? null, txn, net]);
  await line(po1, 'payment', 'txn_paid', { payment: paid }, 941);
  await line(po1, 'refund', 'txn_re_1', { refund }, -300);
  await line(po1, 'payment', 'txn_twice', { payment: twice }, 941);
  await line(po2, 'payment', 'txn_twice', { payment: twice }, 941);   // listed by two payouts
  await line(po2, 'payment', 'txn_twice_again', { payment: twice }, 941); // a second line claiming the same payment
  await line(po2, 'payment', 'txn_open', { payment: unreconciled }, 941);
  const reconciledAt = new Date('2026-11-02T00:00:00.000Z');
  await pool.query(
    `INSERT INTO erp.reconciliation_match (kind, erp_id, run_id, provider_txn_id, reconciled_at)
     VALUES ('payment', $1, 7, 'txn_paid', $4), ('refund', $2, 7, 'txn_re_1', $4), ('payment', $3, NULL, NULL, $4), ('payment', $5, 8, 'txn_twice', $4)`,
    [paid, refund, legacy, reconciledAt, twice]);

  await migrate(pool);

  const lines = (await pool.query(
    `SELECT provider_balance_txn_id AS txn, payout_id::int, payment_id::int, refund_id::int, run_id::int, reconciled_at, amount_minor::int AS net
       FROM erp.payout_line ORDER BY provider_balance_txn_id`)).rows;
  expect(lines).toEqual([
    { txn: `legacy:payment:${legacy}`, payout_id: null, payment_id: legacy, refund_id: null, run_id: null, reconciled_at: reconciledAt, net: 941 },
    { txn: 'txn_open', payout_id: po2, payment_id: unreconciled, refund_id: null, run_id: null, reconciled_at: null, net: 941 },
    { txn: 'txn_paid', payout_id: po1, payment_id: paid, refund_id: null, run_id: 7, reconciled_at: reconciledAt, net: 941 },
    { txn: 'txn_re_1', payout_id: po1, payment_id: null, refund_id: refund, run_id: 7, reconciled_at: reconciledAt, net: -300 },
    { txn: 'txn_twice', payout_id: po2, payment_id: twice, refund_id: null, run_id: 8, reconciled_at: reconciledAt, net: 941 },
    { txn: 'txn_twice_again', payout_id: po2, payment_id: null, refund_id: null, run_id: null, reconciled_at: null, net: 941 },
  ]);
  const matches = (await pool.query('SELECT kind, erp_id::int, run_id::int, provider_txn_id FROM erp.reconciliation_match ORDER BY kind, erp_id')).rows;
  expect(matches).toEqual([
    { kind: 'payment', erp_id: paid, run_id: 7, provider_txn_id: 'txn_paid' },
    { kind: 'payment', erp_id: legacy, run_id: null, provider_txn_id: `legacy:payment:${legacy}` },
    { kind: 'payment', erp_id: twice, run_id: 8, provider_txn_id: 'txn_twice' },
    { kind: 'refund', erp_id: refund, run_id: 7, provider_txn_id: 'txn_re_1' },
  ]);
  expect((await pool.query('SELECT count(*)::int AS n FROM erp.payment_reconciliation_time')).rows[0].n).toBe(3);
  await expect(pool.query(`UPDATE erp.payout_line SET payment_id = $1 WHERE provider_balance_txn_id = 'txn_twice_again'`, [twice])).rejects.toThrow('duplicate key');
  await expect(pool.query('DELETE FROM erp.payment WHERE id = $1', [unreconciled])).rejects.toThrow('still referenced');
});
