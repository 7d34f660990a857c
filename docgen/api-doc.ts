import { template } from './architecture';
import type { CodeModel } from './code-model';
import { mainWorkflow } from './code-model';
import { code, fillTemplate, table } from './markdown';
import type { ServiceRoutes } from './http/routes';

/** docs/api.md: the hand-written prose of docgen/templates/api.md around the HTTP routes and workflow messages the code defines. */

export function endpointsTable(service: ServiceRoutes, openApiFile: string): string {
  const rows = service.routes.map(({ method, path, doc }) => [
    `${code(`${method} ${path}`)}`,
    doc.summary,
    doc.query ? Object.keys((doc.query as unknown as { shape?: Record<string, unknown> }).shape ?? {}).map(code).join(', ') : '–',
    Object.keys(doc.responses).join(', '),
    doc.security ? 'token' : '–',
  ]);
  return [
    `${service.title} at ${service.server.url} (${service.server.description}). Operation ids and schemas: [${openApiFile}](${openApiFile.replace(/^docs\//, '')}).`,
    '',
    table(['route', 'what', 'query parameters', 'answers', 'auth'], rows),
  ].join('\n');
}

export function workflowMessages(model: CodeModel): string {
  const rows = model.flows.flatMap((f) => f.messages.map((m) => [
    code(mainWorkflow(f)), m.kind, code(m.name), code(m.args), m.result === '–' ? '–' : code(m.result), m.doc || '–',
  ]));
  const shared = model.shared.map((m) => [
    'every flow', m.kind, code(m.name), code(m.args), m.result === '–' ? '–' : code(m.result), m.doc || '–',
  ]);
  return table(['workflow', 'kind', 'name', 'arguments', 'answer', 'what it does'], [...shared, ...rows]);
}

export function workflowIds(model: CodeModel): string {
  return table(['workflow types', 'id or key', 'pattern', 'defined in'], model.flows.flatMap((f) => f.ids.map((i) => [
    f.workflowTypes.map(code).join(', '), code(i.name), code(i.pattern), code(`workflows/${f.folder}/api.ts`),
  ])));
}

export function renderApi(model: CodeModel, services: Array<{ service: ServiceRoutes; file: string }>): string {
  const [relay, dashboard] = services;
  return fillTemplate('api.md', template('api.md'), {
    'relay-endpoints': endpointsTable(relay!.service, relay!.file),
    'dashboard-endpoints': dashboard ? endpointsTable(dashboard.service, dashboard.file) : 'The dashboard is not part of this build.',
    'workflow-messages': workflowMessages(model),
    'workflow-ids': workflowIds(model),
  });
}
