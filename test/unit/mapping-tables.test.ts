import type { EntityMapping, FieldMapping } from '../../connectors/mapping-table';
import { loadMappings } from '../../docgen/mappings';
import { readSource } from '../../docgen/repo';
import { schemaColumns } from '../../docgen/schema';

/**
 * The mapping tables next to each connector's mapper say what docs/data-mapping.md says: every example goes through
 * the real mapper, every engine field exists in its output, every ERP column exists in the migrations and is
 * written by the file the table names.
 */

const mappings = loadMappings();
const columns = schemaColumns();

/** `lines[].sku` → `lines.0.sku`. */
const concrete = (path: string) => path.replace(/\[\]/g, '.0');

function get(value: unknown, path: string): unknown {
  return concrete(path).split('.').reduce<unknown>((v, key) => (v === null || v === undefined ? undefined : (v as Record<string, unknown>)[key]), value);
}

function set(value: unknown, path: string, to: unknown): void {
  const keys = concrete(path).split('.');
  const parent = keys.slice(0, -1).reduce<Record<string, unknown>>((v, key) => v[key] as Record<string, unknown>, value as Record<string, unknown>);
  if (parent === undefined || parent === null) throw new Error(`the sample has no ${path}`);
  parent[keys[keys.length - 1]!] = to;
}

const rows = (m: EntityMapping) => m.fields.map((f): [string, FieldMapping] => [`${f.vendor} → ${f.engine}`, f]);

test('every connector in the registry has a mapping table', () => {
  expect(mappings.map((m) => m.vendor).sort()).toEqual(expect.arrayContaining(['hubspot', 'shopify', 'stripe', 'woocommerce']));
});

describe.each(mappings.map((m): [string, EntityMapping] => [`${m.vendor} ${m.entity}`, m]))('%s', (_name, mapping) => {
  const sampleOutput = mapping.map(structuredClone(mapping.sample));

  test.each(rows(mapping))('%s', (_row, field) => {
    expect({ field: field.engine, present: get(sampleOutput, field.engine) !== undefined }).toEqual({ field: field.engine, present: true });
    if (field.example) {
      const input = structuredClone(mapping.sample);
      set(input, field.example.path ?? field.vendor, field.example.value);
      expect(get(mapping.map(input), field.engine)).toEqual(field.example.engine);
    }
    if (field.erp) {
      expect({ column: field.erp.column, exists: columns.has(field.erp.column) }).toEqual({ column: field.erp.column, exists: true });
      const source = readSource(field.erp.file);
      const column = field.erp.column.split('.').pop()!;
      expect({ file: field.erp.file, writes: source.includes(column) }).toEqual({ file: field.erp.file, writes: true });
    }
  });
});
