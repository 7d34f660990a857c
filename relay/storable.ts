import type { InboundEvent, ParseResult } from '../domain/webhooks/events';

/**
 * What PostgreSQL cannot keep, found before we try: a NUL character (text and jsonb refuse it), a lone UTF-16
 * surrogate (valid in a JavaScript string and in JSON's `\ud800` escape, refused by jsonb, silently replaced in
 * text) and nesting deeper than any real vendor payload. An authentic delivery carrying one is unprocessable: it
 * goes to quarantine with a reason (a 400), not to a failed insert answered 503 that the vendor would retry for days.
 * Found by the relay's fuzzing (test/integration/fuzz-endpoints.test.ts).
 */

export const MAX_PAYLOAD_DEPTH = 256;

// eslint-disable-next-line no-control-regex -- finding NUL is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSTORABLE_ALL = new RegExp(UNSTORABLE.source, 'g');
// What any unstorable text contains: a cheap test that rules out nearly every string before the exact one.
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const SUSPECT = /[\u0000\ud800-\udfff]/;
const unstorableText = (text: string) => SUSPECT.test(text) && UNSTORABLE.test(text);

/**
 * Whether `value` (at `depth`) can be stored as it is: the quick pass the relay makes for every event, with no paths
 * built. It recurses at most MAX_PAYLOAD_DEPTH levels; only when it finds something does `unstorableIn` word it.
 */
export function isStorable(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return !unstorableText(value);
  if (value === null || typeof value !== 'object') return true;
  if (depth >= MAX_PAYLOAD_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (!isStorable(item, depth + 1)) return false;
    return true;
  }
  for (const key of Object.keys(value)) {
    if (unstorableText(key) || !isStorable((value as Record<string, unknown>)[key], depth + 1)) return false;
  }
  return true;
}

/** The first place in `value` PostgreSQL cannot store, as `path: problem`, or null. Iterative: depth is what we check. */
export function unstorableIn(value: unknown, root: string): string | null {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: root, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop()!;
    if (typeof v === 'string') {
      if (UNSTORABLE.test(v)) return `${path}: contains a NUL character or a lone UTF-16 surrogate, which cannot be stored`;
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_PAYLOAD_DEPTH) return `${path}: nested deeper than ${MAX_PAYLOAD_DEPTH} levels`;
    for (const [key, child] of Object.entries(v)) {
      if (UNSTORABLE.test(key)) return `${path}: a key contains a NUL character or a lone UTF-16 surrogate, which cannot be stored`;
      stack.push({ value: child, path: `${path}.${key}`, depth: depth + 1 });
    }
  }
  return null;
}

function unstorableEvent(e: InboundEvent, index: number): string | null {
  for (const [name, text] of [['event id', e.eventId], ['topic', e.topic], ['business key', e.businessKey]] as const) {
    if (UNSTORABLE.test(text)) return `event ${index}: its ${name} contains a NUL character or a lone UTF-16 surrogate, which cannot be stored`;
  }
  return unstorableIn(e.payload, `event ${index}`);
}

/** A parse result the inbox can store as it is; otherwise a refusal whose reason quarantine can store too. */
export function storable(parsed: ParseResult): ParseResult {
  if (!parsed.ok) return { ok: false, reason: printable(parsed.reason) };
  for (const [index, event] of parsed.events.entries()) {
    if (!unstorableText(event.eventId) && !unstorableText(event.topic) && !unstorableText(event.businessKey) && isStorable(event.payload)) continue;
    const problem = unstorableEvent(event, index);
    if (problem) return { ok: false, reason: printable(`unprocessable payload: ${problem}`) };
  }
  return parsed;
}

/** A reason echoes field names from the body: what PostgreSQL cannot store in text becomes U+FFFD. */
export const printable = (reason: string) => reason.replace(UNSTORABLE_ALL, '\ufffd').slice(0, 2000);
