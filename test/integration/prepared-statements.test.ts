import type { PoolClient } from 'pg';
import { PreparingClient } from '../../db/prepared-client';
import { useDatabase } from '../support/database';

/** The engine's pool prepares each parameterised statement once per connection, and nothing else. */

const db = useDatabase();

const prepared = async (client: PoolClient): Promise<Array<{ name: string; statement: string }>> =>
  (await client.query(`SELECT name, statement FROM pg_prepared_statements ORDER BY statement`)).rows;

test('a parameterised statement is prepared on first use and reused; one without parameters is not prepared', async () => {
  const client = await db.pool().connect();
  try {
    expect(client).toBeInstanceOf(PreparingClient);
    const text = 'SELECT $1::int + $2::int AS sum';
    expect((await client.query(text, [2, 3])).rows).toEqual([{ sum: 5 }]);
    expect((await client.query({ text, values: [4, 5] })).rows).toEqual([{ sum: 9 }]);
    expect((await client.query('SELECT 41 + 1 AS n')).rows).toEqual([{ n: 42 }]);
    // The connection may have prepared the migrator's statements before: only these two are looked at.
    const ours = async () => (await prepared(client)).filter((s) => [text, 'SELECT 41 + 1 AS n', 'SELECT $1::text AS t'].includes(s.statement));
    expect(await ours()).toEqual([{ name: PreparingClient.statementName(text), statement: text }]);
    // A statement the caller named keeps its name.
    await client.query({ name: 'callers-own', text: 'SELECT $1::text AS t', values: ['x'] });
    expect((await ours()).map((s) => s.name).sort()).toEqual(['callers-own', PreparingClient.statementName(text)].sort());
  } finally {
    client.release();
  }
});

test('pool.query goes through the same client, and an error in a prepared statement leaves it usable', async () => {
  const text = 'SELECT 10 / $1::int AS q';
  await expect(db.pool().query(text, [0])).rejects.toThrow(/division by zero/);
  expect((await db.pool().query(text, [5])).rows).toEqual([{ q: 2 }]);
});
