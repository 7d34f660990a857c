import type { EntityMapping } from '../connectors/mapping-table';
import { template } from './architecture';
import { code, fillTemplate, table } from './markdown';
import { loadMappings } from './mappings';
import { schemaColumns } from './schema';

/** docs/data-mapping.md: the prose of docgen/templates/data-mapping.md around each connector's mapping table. */

const show = (value: unknown) => code(JSON.stringify(value));

function example(field: EntityMapping['fields'][number]): string {
  if (!field.example) return '–';
  const at = field.example.path && field.example.path !== field.vendor ? `${code(field.example.path)} = ` : '';
  return `${at}${show(field.example.value)} → ${show(field.example.engine)}`;
}

export function mappingTable(mapping: EntityMapping, columns: Set<string>): string {
  return [
    `${mapping.entity} → \`${mapping.engineType}\`, by ${mapping.mapper}:`,
    '',
    table(['vendor field', `\`${mapping.engineType}\` field`, 'rule', 'ERP column', 'example'], mapping.fields.map((f) => {
      if (f.erp && !columns.has(f.erp.column)) throw new Error(`docgen: ${mapping.vendor} mapping names ${f.erp.column}, which no migration creates`);
      return [code(f.vendor), code(f.engine), f.rule, f.erp ? code(f.erp.column) : '–', example(f)];
    })),
  ].join('\n');
}

export function renderDataMapping(): string {
  const columns = schemaColumns();
  const mappings = loadMappings();
  const sections: Record<string, string> = {};
  for (const vendor of [...new Set(mappings.map((m) => m.vendor))]) {
    sections[`mapping-${vendor}`] = mappings.filter((m) => m.vendor === vendor).map((m) => mappingTable(m, columns)).join('\n\n');
  }
  return fillTemplate('data-mapping.md', template('data-mapping.md'), sections);
}
