import { Pool, types } from 'pg';
import { PreparingClient } from './prepared-client';

// bigint (int8) columns hold money in minor units and ids: parse to JS numbers only when safe, else fail loudly.
types.setTypeParser(types.builtins.INT8, (value: string) => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${value} exceeds the safe integer range`);
  return n;
});

export function createPool(connectionString: string, max = 10): Pool {
  const pool = new Pool({ connectionString, max, application_name: 'integration-engine', Client: PreparingClient });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  return pool;
}
