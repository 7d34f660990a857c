import type { Queryable } from './db';

/** Authenticated input we could not understand, kept byte for byte for an operator to fix and replay. */
export async function quarantine(db: Queryable, source: string, reason: string, rawBody: Buffer, headers: Record<string, unknown>): Promise<number> {
  const { rows } = await db.query(
    'INSERT INTO integration.quarantine (source, reason, raw_body, headers) VALUES ($1, $2, $3, $4) RETURNING id',
    [source, reason, rawBody, JSON.stringify(headers)],
  );
  return rows[0].id as number;
}
