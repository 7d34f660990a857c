import type { z } from 'zod';

/**
 * Validation of a vendor's answer, shared by connectors: the error names the vendor and the first offending
 * field (e.g. `line_items.0.subtotal`), so a bad order reads as a data problem, not a stack trace.
 */

export class MappingError extends Error {
  override readonly name = 'MappingError';
  constructor(readonly vendor: string, readonly field: string, detail: string) {
    super(`${vendor} data has an unexpected shape at ${field}: ${detail}`);
  }
}

export function parseWith<T>(vendor: string, schema: z.ZodType<T>, raw: unknown): T {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new MappingError(vendor, issue?.path.map(String).join('.') || '(object)', issue?.message ?? 'invalid');
}
