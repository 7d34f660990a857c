import { invalidRequest } from './errors';

/**
 * Stripe's v1 request encoding: `application/x-www-form-urlencoded` (and query strings) with bracket notation,
 * `metadata[order_id]=42`, `expand[]=x` or `expand[0]=x`, and a strict reader for the parameters an endpoint
 * accepts, so the simulator refuses bad input with the same codes and messages Stripe uses.
 */

export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

const KEY = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

/** Parses `a[b][]=1&a[b][]=2` into `{ a: { b: ['1', '2'] } }`; objects keyed 0..n-1 become arrays. */
export function parseStripeForm(text: string): FormObject {
  const root: Record<string, unknown> = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const match = KEY.exec(rawKey);
    if (!match) throw invalidRequest(`Invalid parameter name: ${rawKey}`, { param: rawKey });
    const path = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)];
    if (path.some((part) => FORBIDDEN.has(part))) throw invalidRequest(`Invalid parameter name: ${rawKey}`, { param: rawKey });
    let node = root;
    for (let i = 0; i < path.length - 1; i++) {
      const part = path[i] === '' ? String(Object.keys(node).length) : path[i]!;
      const next = node[part];
      if (typeof next === 'string') throw invalidRequest(`Invalid ${path[0]}: cannot be both a value and a hash`, { param: path[0] });
      node = (next as Record<string, unknown> | undefined) ?? (node[part] = {});
    }
    const last = path[path.length - 1]!;
    node[last === '' ? String(Object.keys(node).length) : last] = value;
  }
  return arrays(root) as FormObject;
}

function arrays(value: unknown): FormValue {
  if (typeof value === 'string') return value;
  const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, arrays(v)] as const);
  const indexed = entries.length > 0 && entries.every(([k], i) => k === String(i));
  return indexed ? entries.map(([, v]) => v) : Object.fromEntries(entries);
}

// ---- parameter reader ---------------------------------------------------------

const missing = (name: string) => invalidRequest(`Missing required param: ${name}.`, { code: 'parameter_missing', param: name });

/** Reads an endpoint's parameters; unknown names are refused as Stripe does (`parameter_unknown`). */
export class Params {
  constructor(private readonly raw: FormObject, allowed: readonly string[]) {
    for (const name of Object.keys(raw)) {
      if (name !== 'expand' && !allowed.includes(name)) {
        throw invalidRequest(`Received unknown parameter: ${name}`, { code: 'parameter_unknown', param: name });
      }
    }
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  string(name: string, opts: { required: true; oneOf?: readonly string[] }): string;
  string(name: string, opts?: { required?: false; oneOf?: readonly string[] }): string | undefined;
  string(name: string, opts: { required?: boolean; oneOf?: readonly string[] } = {}): string | undefined {
    const value = this.raw[name];
    // An empty string means "unset" in Stripe's form encoding.
    if (value === undefined || value === '') {
      if (opts.required) throw missing(name);
      return undefined;
    }
    if (typeof value !== 'string') throw invalidRequest(`Invalid string: ${name}`, { param: name });
    if (opts.oneOf && !opts.oneOf.includes(value)) {
      throw invalidRequest(`Invalid ${name}: must be one of ${opts.oneOf.join(', ')}`, { code: 'parameter_invalid_string', param: name });
    }
    return value;
  }

  integer(name: string, opts: { required: true; min?: number }): number;
  integer(name: string, opts?: { required?: false; min?: number }): number | undefined;
  integer(name: string, opts: { required?: boolean; min?: number } = {}): number | undefined {
    const text = opts.required ? this.string(name, { required: true }) : this.string(name);
    if (text === undefined) return undefined;
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
      throw invalidRequest(`Invalid integer: ${text}`, { code: 'parameter_invalid_integer', param: name });
    }
    const value = Number(text);
    if (opts.min !== undefined && value < opts.min) {
      throw invalidRequest(`This value must be greater than or equal to ${opts.min}.`, { code: 'parameter_invalid_integer', param: name });
    }
    return value;
  }

  boolean(name: string): boolean | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    if (text !== 'true' && text !== 'false') throw invalidRequest(`Invalid boolean: ${text}`, { param: name });
    return text === 'true';
  }

  /** `metadata[key]=value`; an empty value deletes the key when updating, and `metadata=` (null) all keys, as in Stripe. */
  metadata(): Record<string, string> | null | undefined {
    const value = this.raw.metadata;
    if (value === undefined) return undefined;
    if (value === '') return null;
    if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest('Invalid object', { param: 'metadata' });
    const entries = Object.entries(value);
    if (entries.length > 50) throw invalidRequest('Metadata can have up to 50 keys.', { param: 'metadata' });
    for (const [key, v] of entries) {
      if (typeof v !== 'string') throw invalidRequest(`Invalid string: metadata[${key}]`, { param: `metadata[${key}]` });
      if (key.length > 40) throw invalidRequest('Metadata keys can be up to 40 characters long.', { param: `metadata[${key}]` });
      if (v.length > 500) throw invalidRequest('Metadata values can be up to 500 characters long.', { param: `metadata[${key}]` });
    }
    return value as Record<string, string>;
  }

  stringList(name: string): string[] {
    const value = this.raw[name];
    if (value === undefined || value === '') return [];
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((v): v is string => typeof v === 'string')) throw invalidRequest(`Invalid array: ${name}`, { param: name });
    return list;
  }

  /**
   * A timestamp filter as Stripe takes it: `created=123` (exactly), or `created[gte]=…&created[lt]=…` with any of
   * gt, gte, lt, lte. Returns a predicate over unix seconds, or undefined when the parameter is absent.
   */
  timeRange(name: string): ((unixSeconds: number) => boolean) | undefined {
    const value = this.raw[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'string') {
      const exact = this.integer(name);
      return (t) => t === exact;
    }
    if (Array.isArray(value)) throw invalidRequest(`Invalid ${name}`, { param: name });
    const bounds = new Params(value, ['gt', 'gte', 'lt', 'lte']);
    const [gt, gte, lt, lte] = (['gt', 'gte', 'lt', 'lte'] as const).map((op) => {
      try {
        return bounds.integer(op);
      } catch {
        throw invalidRequest(`Invalid integer: ${name}[${op}]`, { code: 'parameter_invalid_integer', param: `${name}[${op}]` });
      }
    });
    return (t) => (gt === undefined || t > gt) && (gte === undefined || t >= gte) && (lt === undefined || t < lt) && (lte === undefined || t <= lte);
  }

  expand(): string[] {
    return this.stringList('expand');
  }
}
