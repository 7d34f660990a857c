import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderApi } from './api-doc';
import { renderArchitecture } from './architecture';
import { renderDataMapping } from './data-mapping';
import { readCodeModel, type CodeModel } from './code-model';
import { dashboardRoutes } from './http/dashboard';
import { openApiDocument } from './http/openapi';
import { relayRoutes } from './http/relay';
import type { ServiceRoutes } from './http/routes';
import { renderRunbook } from './runbook';
import { repoRoot } from './repo';

/** Every generated document: its path from the project root and how it is made from the code. */

export interface DocsInput {
  model: CodeModel;
  /** The HTTP services and the OpenAPI file each one is documented in. */
  services: Array<{ service: ServiceRoutes; file: string }>;
  version: string;
}

export interface GeneratedDocument { path: string; render(input: DocsInput): string }

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export const DOCUMENTS: readonly GeneratedDocument[] = [
  { path: 'docs/architecture.md', render: ({ model }) => renderArchitecture(model) },
  { path: 'docs/data-mapping.md', render: () => renderDataMapping() },
  { path: 'docs/runbook.md', render: ({ model }) => renderRunbook(model) },
  { path: 'docs/openapi.json', render: ({ services, version }) => json(openApiDocument(services[0]!.service, version)) },
  { path: 'docs/openapi-dashboard.json', render: ({ services, version }) => json(openApiDocument(services[1]!.service, version)) },
  { path: 'docs/api.md', render: ({ model, services }) => renderApi(model, services) },
];

export async function readDocsInput(): Promise<DocsInput> {
  const version = (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  return {
    model: readCodeModel(),
    services: [{ service: await relayRoutes(), file: 'docs/openapi.json' }, { service: await dashboardRoutes(), file: 'docs/openapi-dashboard.json' }],
    version,
  };
}

/** Renders every document in memory (no file is written). */
export async function renderAll(): Promise<Array<{ path: string; text: string }>> {
  const input = await readDocsInput();
  return DOCUMENTS.map((d) => ({ path: d.path, text: d.render(input) }));
}
