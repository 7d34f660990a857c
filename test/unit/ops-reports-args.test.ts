import { parseFlags, parseIssuesArgs, parseKpisArgs } from '../../client/ops-reports';
import { progressLine, progressReporter } from '../../client/progress';

describe('ops CLI arguments of kpis and issues', () => {
  it('reads the issue filters, with the defaults of a plain `issues`', () => {
    expect(parseIssuesArgs([])).toEqual({ status: 'open', limit: 100, json: false });
    expect(parseIssuesArgs(['list', '--flow', 'order', '--kind', 'step-failed', '--older-than', '2h', '--limit', '20', '--json']))
      .toEqual({ status: 'open', flow: 'order', kind: 'step-failed', olderThanMs: 7_200_000, limit: 20, json: true });
    expect(parseIssuesArgs(['--all']).status).toBe('all');
    expect(parseIssuesArgs(['--status', 'resolved']).status).toBe('resolved');
  });

  it('names the argument that is wrong', () => {
    const problem = (args: string[]) => { try { parseIssuesArgs(args); return undefined; } catch (err) { return (err as Error).message; } };
    expect(problem(['--older-than', 'soon'])).toBe('--older-than: must be a duration such as 90s, 45m, 2h, 3d or 1w, got "soon"');
    expect(problem(['--limit', '0'])).toBe('--limit: must be at least 1, got "0"');
    expect(problem(['--flow', 'Order'])).toBe('--flow: must be a lower-case name such as order or step-failed, got "Order"');
    expect(problem(['--status', 'closed'])).toMatch(/^--status: .*got "closed"$/);
    expect(problem(['--all', '--status', 'open'])).toMatch(/^--all: /);
    expect(problem(['--flow'])).toBe('--flow: missing its value');
    expect(problem(['--flow', '--json'])).toBe('--flow: missing its value');
    expect(problem(['--colour'])).toMatch(/^issues: unknown option "--colour"; expected --all, --status, /);
    expect(problem(['everything'])).toMatch(/^issues: unknown argument "everything"/);
  });

  it('reads the KPI window', () => {
    expect(parseKpisArgs([])).toEqual({ hours: 24, json: false });
    expect(parseKpisArgs(['--hours', '168', '--json'])).toEqual({ hours: 168, json: true });
    expect(() => parseKpisArgs(['--hours', 'week'])).toThrow(/^--hours: .*got "week"$/);
    expect(() => parseKpisArgs(['--hours', '5000'])).toThrow('--hours: must be at most 2160 (90 days), got "5000"');
    expect(() => parseFlags('kpis', ['--days', '2'], { '--hours': 'value' })).toThrow('kpis: unknown option "--days"; expected --hours');
  });
});

describe('progress of long ops commands', () => {
  it('writes a line at most every interval in a log, and always the last one', () => {
    const out: string[] = [];
    let clock = 0;
    const bar = progressReporter('replaying', 5, { write: (t) => out.push(t), isTTY: false }, { everyMs: 1000, now: () => clock });
    bar.tick(); // shown: the first
    clock = 500;
    bar.tick(); // too soon
    clock = 1600;
    bar.tick(); // shown
    bar.tick();
    bar.tick();
    bar.finish(); // the last, not shown yet
    expect(out).toEqual(['replaying: 1/5 (20 %)\n', 'replaying: 3/5 (60 %)\n', 'replaying: 5/5 (100 %)\n']);
  });

  it('rewrites one line on a terminal and ends it', () => {
    const out: string[] = [];
    const bar = progressReporter('replaying', 2, { write: (t) => out.push(t), isTTY: true });
    bar.tick();
    bar.tick();
    bar.finish();
    expect(out).toEqual(['\rreplaying: 1/2 (50 %)', '\rreplaying: 2/2 (100 %)', '\n']);
    expect(progressLine('x', 0, 0)).toBe('x: 0/0 (100 %)');
  });
});
