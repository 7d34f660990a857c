import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { ALL_SEARCH_ATTRIBUTES, cliTypeName } from '../domain/search-attributes';

/**
 * Registers our custom search attributes on a Temporal server we did not start (self-hosted or Cloud, where the
 * API key may lack the right: then a clear message says what to register by hand). Existing ones are left alone.
 */
export async function ensureSearchAttributes(client: Client, namespace: string): Promise<string[]> {
  const { IndexedValueType } = temporal.api.enums.v1;
  const existing = await client.connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set(Object.keys(existing.customAttributes ?? {}));
  const missing = ALL_SEARCH_ATTRIBUTES.filter((key) => !known.has(key.name));
  if (missing.length === 0) return [];
  const searchAttributes = Object.fromEntries(missing.map((key) => [
    key.name,
    { Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL, Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD, KeywordList: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST }[cliTypeName(key)],
  ]));
  try {
    await client.connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (err) {
    const list = missing.map((k) => `${k.name}(${cliTypeName(k)})`).join(', ');
    throw new Error(`Could not register search attributes ${list} in namespace ${namespace}: ${(err as Error).message}. Register them with \`temporal operator search-attribute create\` or in the Cloud UI.`);
  }
  return missing.map((k) => k.name);
}
