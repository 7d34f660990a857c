import { issueKindsInCode, issueKindsInSchema } from '../../docgen/issue-kinds';
import { decisionActions, runbookGaps } from '../../docgen/runbook';
import { DECISION_DOCS, RUNBOOK } from '../../docgen/runbook-entries';

/** Every issue kind the engine can raise has a runbook entry, and both places that define the kinds agree. */
describe('operator runbook', () => {
  test('the IssueKind union and the CHECK on integration.issue.kind list the same kinds', () => {
    expect([...issueKindsInCode().map((k) => k.value)].sort()).toEqual([...issueKindsInSchema()].sort());
    expect(issueKindsInSchema()).toEqual(expect.arrayContaining(['step-failed', 'ambiguous-match', 'invalid-data', 'overdue']));
  });

  test('every issue kind has a runbook entry, and no entry is for a kind that no longer exists', () => {
    const gaps = runbookGaps();
    if (gaps.missing.length > 0) throw new Error(`issue kind(s) without a runbook entry in docgen/runbook-entries.ts: ${gaps.missing.join(', ')}`);
    expect(gaps.stale).toEqual([]);
  });

  test('every entry says what it means, how to resolve it and which decision to send', () => {
    for (const [kind, entry] of Object.entries(RUNBOOK)) {
      expect({ kind, meaning: entry.meaning.length > 40 }).toEqual({ kind, meaning: true });
      expect({ kind, steps: entry.resolve.length > 0, decisions: entry.decisions.length > 0 }).toEqual({ kind, steps: true, decisions: true });
      for (const d of entry.decisions) expect([...decisionActions(), 'acknowledge']).toContain(d.action);
    }
  });

  test('every operator decision is documented', () => {
    expect(decisionActions()).toEqual(expect.arrayContaining(['retry', 'skip', 'compensate', 'link', 'create-new']));
    expect(decisionActions().filter((a) => !DECISION_DOCS[a])).toEqual([]);
  });
});
