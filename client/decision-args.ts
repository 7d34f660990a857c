import type { OperatorDecision } from '../workflows/shared/operator-api';

/** Parses an operator's decision as typed on the command line: retry | skip | compensate | create-new | link=C-1001. */
export function parseDecision(text: string | undefined): { ok: true; decision: OperatorDecision } | { ok: false; error: string } {
  const value = (text ?? '').trim();
  if (value === 'retry' || value === 'skip' || value === 'compensate' || value === 'create-new') return { ok: true, decision: { action: value } };
  const link = /^link=(C-\d+)$/.exec(value);
  if (link) return { ok: true, decision: { action: 'link', customerNumber: link[1]! } };
  if (value.startsWith('link')) return { ok: false, error: `decision: "link" needs an ERP customer number, as in link=C-1001 (got "${value}")` };
  return { ok: false, error: `decision: expected retry, skip, compensate, create-new or link=C-<number> (got "${value || 'nothing'}")` };
}
