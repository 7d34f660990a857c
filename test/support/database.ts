import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { dropDatabase, ensureDatabase } from '../../db/admin';
import { migrate } from '../../db/migrate';
import { createPool } from '../../db/pool';

/** A fresh, migrated ERP database on the shared test PostgreSQL, for tests that need no Temporal or simulators. */
export async function startDatabase(): Promise<{ pool: Pool; close(): Promise<void> }> {
  const adminUrl = process.env.TEST_PG_ADMIN_URL;
  if (!adminUrl) throw new Error('TEST_PG_ADMIN_URL is not set: run integration tests through jest (global setup)');
  const database = `engine_test_${randomBytes(4).toString('hex')}`;
  await ensureDatabase(adminUrl, database);
  const pool = createPool(adminUrl.replace(/\/[^/]*$/, `/${database}`), 5);
  await migrate(pool);
  return {
    pool,
    async close() {
      await pool.end();
      await dropDatabase(adminUrl, database).catch(() => undefined);
    },
  };
}

/** `startDatabase` for a whole test file: opened before its tests (and its own beforeAll hooks), closed after. */
export function useDatabase(): { pool(): Pool } {
  let db: Awaited<ReturnType<typeof startDatabase>> | undefined;
  beforeAll(async () => {
    db = await startDatabase();
  });
  afterAll(async () => db?.close());
  return {
    pool() {
      if (!db) throw new Error('the test database is not open yet: call pool() inside a test or hook');
      return db.pool;
    },
  };
}
