import { createHash } from 'node:crypto';
import { Client, type QueryConfig } from 'pg';

/** A query config object, not a submittable (a cursor or stream, which must keep its own prototype). */
const isPlainConfig = (value: unknown): value is QueryConfig =>
  typeof value === 'object' && value !== null && typeof (value as QueryConfig).text === 'string' && typeof (value as { submit?: unknown }).submit !== 'function';

// The engine has a few hundred statements; a text built per call (an IN list, say) must not prepare without end.
const MAX_PREPARED = 1000;

/**
 * A pg client that prepares each parameterised statement once per connection (a named statement, the name a hash
 * of its text) instead of having PostgreSQL parse and analyse it on every call. Statements without parameters
 * (BEGIN, COMMIT, migrations, DDL) stay unnamed: they are few and some change the schema the others were prepared on.
 */
export class PreparingClient extends Client {
  private static readonly names = new Map<string, string>();

  /** The statement's name, or undefined once MAX_PREPARED texts have names (each connection keeps what it prepared). */
  static statementName(text: string): string | undefined {
    let name = PreparingClient.names.get(text);
    if (!name && PreparingClient.names.size < MAX_PREPARED) {
      name = `s${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
      PreparingClient.names.set(text, name);
    }
    return name;
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  override query(...args: any[]): any {
    const [first, second] = args;
    if (typeof first === 'string' && Array.isArray(second) && second.length > 0) {
      const name = PreparingClient.statementName(first);
      if (name) args.splice(0, 2, { text: first, values: second, name } satisfies QueryConfig);
    } else if (isPlainConfig(first) && !first.name && Array.isArray(first.values) && first.values.length > 0) {
      const name = PreparingClient.statementName(first.text);
      if (name) args[0] = { ...first, name };
    }
    return (super.query as (...a: unknown[]) => unknown)(...args);
  }
}
