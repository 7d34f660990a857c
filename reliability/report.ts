import type { ScenarioResult } from './runner';

/** The per-scenario report: one table row each, in Markdown, as docs/reliability.md records it. */

const faults = (r: ScenarioResult) => Object.entries(r.faultsInjected).map(([kind, n]) => `${n}× ${kind}`).join(', ') || '—';

export function reportTable(results: ScenarioResult[]): string {
  const lines = [
    '| scenario | scale | load (leads / orders / refunds) | faults injected | webhooks accepted | lost | duplicated effects | time to converge | histories replayed | result |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    lines.push(`| ${r.scenario} | ${r.scale} | ${r.load.leads} / ${r.load.orders} / ${r.load.refunds}${r.load.loadErrors ? ` (${r.load.loadErrors} gave up)` : ''} | ${faults(r)} | ${r.webhooksAccepted} (of ${r.webhooksEmitted} emitted ids)${r.catchupEvents ? `; ${r.catchupEvents} changes found by the order catch-up` : ''} | ${r.lost} | ${r.duplicatedEffects} | ${r.convergeSeconds === null ? 'never' : `${r.convergeSeconds} s`} (run ${r.totalSeconds} s) | ${r.historiesReplayed} | ${r.passed ? 'pass' : 'FAIL'} |`);
  }
  const failed = results.filter((r) => !r.passed);
  for (const r of failed) lines.push('', `${r.scenario}: ${r.violations.join('; ')}`);
  return lines.join('\n');
}
