import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeModel } from './code-model';
import { mainWorkflow } from './code-model';
import { cliTypeName } from '../domain/search-attributes';
import { code, fillTemplate, table } from './markdown';
import { repoRoot } from './repo';
import { SEARCH_ATTRIBUTE_DOCS } from './search-attribute-docs';

/** docs/architecture.md: the hand-written prose of docgen/templates/architecture.md around sections made from the code. */

export function template(name: string): string {
  return readFileSync(join(repoRoot(), 'docgen', 'templates', name), 'utf8');
}

const id = (prefix: string, name: string) => `${prefix}_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
const label = (...lines: string[]) => `"${lines.map((l) => l.replace(/"/g, '#quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')).join('<br/>')}"`;

/** The Mermaid diagram: connectors, relay, flows, ports and the two schemas, with the edges the code shows. */
export function diagram(model: CodeModel): string {
  const lines = ['```mermaid', 'flowchart LR'];
  lines.push('  subgraph connectors["connectors/ (connectors/registry.ts)"]');
  for (const c of model.connectors) lines.push(`    ${id('v', c.vendor)}[${label(c.name, `${c.role} · connectors/${c.vendor}/`)}]`);
  lines.push('  end');
  lines.push('  subgraph relay["relay/"]');
  lines.push(`    intake[${label('relay/server.ts', 'POST /webhooks/<connection id>', 'verify signature, store event')}]`);
  lines.push(`    dispatcher[${label('relay/dispatcher.ts', 'signal-with-start / update-with-start')}]`);
  lines.push('  end');
  lines.push(`  inbox[(${label('integration.*', 'webhook_inbox, quarantine, issue, flow_metric, …')})]`);
  lines.push(`  erp[(${label('erp.*', 'the system of record')})]`);
  lines.push('  subgraph flows["workflows/ on Temporal (workers/)"]');
  for (const f of model.flows) lines.push(`    ${id('f', f.folder)}[${label(f.workflowTypes.join(', '), `workflows/${f.folder}/`)}]`);
  lines.push('  end');
  lines.push('  subgraph ports["ports/"]');
  for (const p of model.ports) lines.push(`    ${id('p', p.name)}[${label(p.name, p.file)}]`);
  lines.push('  end');
  for (const c of model.connectors) lines.push(`  ${id('v', c.vendor)} -->|"signed webhooks"| intake`);
  lines.push('  intake -->|"INSERT … ON CONFLICT DO NOTHING"| inbox');
  lines.push('  dispatcher -->|"leased claims"| inbox');
  for (const edge of model.dispatch) {
    const flow = model.flows.find((f) => mainWorkflow(f) === edge.workflowType)!;
    lines.push(`  dispatcher -->|${label(edge.messages.join(', '))}| ${id('f', flow.folder)}`);
  }
  for (const f of model.flows) {
    for (const port of f.ports) if (model.ports.some((p) => p.name === port)) lines.push(`  ${id('f', f.folder)} -->|"activities"| ${id('p', port)}`);
    lines.push(`  ${id('f', f.folder)} -->|"activities"| erp`);
  }
  // Operators reach every flow through the messages of workflows/shared/operator-api.ts.
  lines.push(`  operators[${label('operators', 'Temporal Web UI, client/ops-cli.ts')}]`);
  lines.push(`  operators -->|${label(model.shared.map((m) => `${m.kind} ${m.name}`).join(', '))}| flows`);
  lines.push(`  flows -->|"issues (integration.issue)"| inbox`);
  for (const p of model.ports) {
    for (const impl of p.implementedBy) lines.push(`  ${id('p', p.name)} -.->|${label(impl.className)}| ${id('v', impl.vendor)}`);
  }
  lines.push('```');
  return lines.join('\n');
}

export function flowsTable(model: CodeModel): string {
  return table(
    ['flow', 'workflow types', 'ids and business keys', 'messages', 'ports used'],
    model.flows.map((f) => [
      code(`workflows/${f.folder}/`),
      f.workflowTypes.map(code).join(', '),
      f.ids.map((i) => code(i.pattern)).join(', ') || '–',
      f.messages.map((m) => `${m.kind} ${code(m.name)}`).join(', ') || '–',
      f.ports.map(code).join(', ') || '–',
    ]),
  );
}

export function stepsTable(model: CodeModel): string {
  return table(
    ['flow', 'steps (as issues, progress and results name them)'],
    model.flows.flatMap((f) => f.steps.map((s) => [`${code(`workflows/${f.folder}`)} ${code(s.constant)}`, s.steps.map(code).join(' → ')])),
  );
}

export function portsSection(model: CodeModel): string {
  return model.ports.map((p) => {
    const implementers = p.implementedBy.map((i) => `${code(i.className)} (${i.vendor})`).join(', ') || 'none in connectors/';
    return [
      `### ${code(p.name)} (${code(p.file)})`,
      '',
      `${p.doc || ''}${p.doc ? ' ' : ''}Implemented by ${implementers}.`.trim(),
      '',
      table(['member', 'what it does'], p.members.map((m) => [code(m.signature), m.doc || '–'])),
    ].join('\n');
  }).join('\n\n');
}

export function connectorsTable(model: CodeModel): string {
  return table(
    ['vendor', 'name', 'role', 'port classes'],
    model.connectors.map((c) => [
      code(c.vendor), c.name, code(c.role),
      c.implementations.map((i) => `${code(i.className)} (${code(i.file)}: ${i.implements.join(', ')})`).join(', ') || '–',
    ]),
  );
}

export function searchAttributesTable(model: CodeModel): string {
  return table(['attribute', 'type', 'set by', 'values'], model.searchAttributes.map((a) => {
    const doc = SEARCH_ATTRIBUTE_DOCS[a.name];
    if (!doc) throw new Error(`docgen: search attribute ${a.name} has no entry in docgen/search-attribute-docs.ts`);
    return [code(a.name), cliTypeName(a), doc.setBy, doc.values];
  }));
}

export function renderArchitecture(model: CodeModel): string {
  return fillTemplate('architecture.md', template('architecture.md'), {
    'flows': flowsTable(model),
    'diagram': diagram(model),
    'steps': stepsTable(model),
    'connectors': connectorsTable(model),
    'ports': portsSection(model),
    'search-attributes': searchAttributesTable(model),
  });
}
