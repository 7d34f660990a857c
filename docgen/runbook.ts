import type { CodeModel } from './code-model';
import { template } from './architecture';
import { issueKindsInCode, issueKindsInSchema } from './issue-kinds';
import { cliTypeName } from '../domain/search-attributes';
import { code, fillTemplate, table } from './markdown';
import { sourceFiles, readSource } from './repo';
import { DECISION_DOCS, RUNBOOK } from './runbook-entries';
import { unionTags } from './ts-source';
import { BUILT_IN_ATTRIBUTES, VISIBILITY_QUERIES } from './visibility-queries';

/** docs/runbook.md: each issue kind (what it means, how to resolve it, which decision), the decisions, the UI. */

export function issueKinds(): string[] {
  const inCode = issueKindsInCode().map((k) => k.value);
  const inSchema = issueKindsInSchema();
  const onlyCode = inCode.filter((k) => !inSchema.includes(k));
  const onlySchema = inSchema.filter((k) => !inCode.includes(k));
  if (onlyCode.length > 0 || onlySchema.length > 0) {
    throw new Error(`docgen: issue kinds differ between engine/issues.ts (IssueKind) and the migrations' CHECK on integration.issue.kind: ` +
      `only in code: ${onlyCode.join(', ') || 'none'}; only in the schema: ${onlySchema.join(', ') || 'none'}`);
  }
  return inCode;
}

/** Kinds without a runbook entry (and entries for kinds that no longer exist). */
export function runbookGaps(): { missing: string[]; stale: string[] } {
  const kinds = issueKinds();
  return { missing: kinds.filter((k) => !RUNBOOK[k]), stale: Object.keys(RUNBOOK).filter((k) => !kinds.includes(k)) };
}

export function decisionActions(): string[] {
  return unionTags('workflows/shared/operator-api.ts', 'OperatorDecision', 'action').map((t) => t.value);
}

/** Where each kind is raised: the workflow files that name it (every step can fail, through the flow runtime). */
function raisedIn(kind: string): string[] {
  const pattern = new RegExp(`kind: '${kind.replace(/[-]/g, '\\-')}'`);
  return ['workflows', 'activities', 'relay'].flatMap((folder) => sourceFiles(folder)).filter((f) => pattern.test(readSource(f)));
}

function decisionsTable(): string {
  return table(['decision', 'what it does', 'CLI', 'Temporal UI input'], decisionActions().map((action) => {
    const doc = DECISION_DOCS[action];
    if (!doc) throw new Error(`docgen: decision "${action}" (OperatorDecision) has no entry in DECISION_DOCS (docgen/runbook-entries.ts)`);
    const cli = action === 'link' ? 'link=C-1003' : action;
    const input = action === 'link' ? { decision: { action, customerNumber: 'C-1003' } } : { decision: { action } };
    return [code(action), doc, code(`npm run ops -- decide <workflowId> ${cli}`), code(JSON.stringify(input))];
  }));
}

function kindsSummary(): string {
  return table(['kind', 'answer with', 'raised in'], issueKinds().map((kind) => {
    const entry = RUNBOOK[kind]!;
    const answer = entry.decisions.map((d) => code(d.action)).join(', ');
    return [`[${code(kind)}](#${kind})`, answer, raisedIn(kind).map(code).join(', ') || '–'];
  }));
}

function kindDetails(): string {
  return issueKinds().map((kind) => {
    const entry = RUNBOOK[kind]!;
    const answer = { decision: 'A flow waits for a decision.', notice: 'A notice: nothing waits; acknowledge it once dealt with.', 'decision or notice': 'Usually a flow waits for a decision; raised as a notice where noted.' }[entry.answer];
    return [
      `### ${kind}`,
      '',
      `${entry.meaning} ${answer}`,
      '',
      'How to resolve it:',
      '',
      ...entry.resolve.map((r, i) => `${i + 1}. ${r}`),
      '',
      table(['send', 'when'], entry.decisions.map((d) => [code(d.action), d.when])),
    ].join('\n');
  }).join('\n\n');
}

function queriesBlock(model: CodeModel): string {
  const known = new Set([...model.searchAttributes.map((a) => a.name), ...BUILT_IN_ATTRIBUTES]);
  for (const { query } of VISIBILITY_QUERIES) {
    for (const [, name] of query.matchAll(/([A-Za-z]+)\s*(?:=|!=|>|<|IN\b|STARTS_WITH\b)/g)) {
      if (name && !['AND', 'OR', 'NOT'].includes(name) && !known.has(name)) throw new Error(`docgen: visibility query "${query}" names ${name}, which is no search attribute`);
    }
  }
  return table(['query', 'finds'], VISIBILITY_QUERIES.map((q) => [code(q.query), q.finds]));
}

function operatorMessages(model: CodeModel): string {
  return table(['message', 'kind', 'input', 'result', 'what it does'], model.shared.map((m) => [code(m.name), m.kind, code(m.args), m.result === '–' ? '–' : code(m.result), m.doc || '–']));
}

function attributesTable(model: CodeModel): string {
  return table(['attribute', 'type'], model.searchAttributes.map((a) => [code(a.name), cliTypeName(a)]));
}

export function renderRunbook(model: CodeModel): string {
  const gaps = runbookGaps();
  if (gaps.missing.length > 0) throw new Error(`docgen: issue kind(s) ${gaps.missing.join(', ')} have no runbook entry in docgen/runbook-entries.ts`);
  return fillTemplate('runbook.md', template('runbook.md'), {
    'kinds': kindsSummary(),
    'kind-details': kindDetails(),
    'decisions': decisionsTable(),
    'operator-messages': operatorMessages(model),
    'queries': queriesBlock(model),
    'attributes': attributesTable(model),
  });
}
