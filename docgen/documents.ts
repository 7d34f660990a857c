import { renderArchitecture } from './architecture';
import { readCodeModel, type CodeModel } from './code-model';
import { renderRunbook } from './runbook';

/** Every generated document: its path from the project root and how it is made from the code. */
export interface GeneratedDocument { path: string; render(model: CodeModel): string }

export const DOCUMENTS: readonly GeneratedDocument[] = [
  { path: 'docs/architecture.md', render: renderArchitecture },
  { path: 'docs/runbook.md', render: renderRunbook },
];

/** Renders every document in memory (no file is written). */
export function renderAll(): Array<{ path: string; text: string }> {
  const model = readCodeModel();
  return DOCUMENTS.map((d) => ({ path: d.path, text: d.render(model) }));
}
