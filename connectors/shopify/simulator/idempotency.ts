import { refuse } from './user-errors';

/**
 * Shopify's `@idempotent(key:)` for the mutations that require it: the first answer under a key is kept, and the
 * same key with the same input gets that answer again without running twice; the same key with other input is
 * refused (IDEMPOTENCY_KEY_PARAMETER_MISMATCH). Keys are per mutation; the simulator keeps them until reset.
 */

/** JSON with object keys sorted, so that equal inputs compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export class IdempotencyStore {
  private readonly answers = new Map<string, { input: string; answer: unknown }>();

  /** Runs `run` once per (mutation, key); `run` must return its answer, refusals included, rather than throw. */
  once<T>(mutation: string, key: string, input: unknown, run: () => T): T {
    const id = `${mutation}\u0000${key}`;
    const fingerprint = canonicalJson(input);
    const kept = this.answers.get(id);
    if (kept && kept.input !== fingerprint) {
      throw refuse(null, 'The same idempotency key cannot be used with different operation parameters.', 'IDEMPOTENCY_KEY_PARAMETER_MISMATCH');
    }
    if (kept) return kept.answer as T;
    const answer = run();
    this.answers.set(id, { input: fingerprint, answer });
    return answer;
  }

  clear(): void {
    this.answers.clear();
  }
}
