import { parseInboxArgs, parseQuarantineArgs } from '../../client/inbox-commands';

describe('ops CLI: inbox and quarantine arguments', () => {
  it('reads the inbox subcommands', () => {
    expect(parseInboxArgs([])).toEqual({ action: 'counts' });
    expect(parseInboxArgs(['replay', '12'])).toEqual({ action: 'replay', which: { id: 12 } });
    expect(parseInboxArgs(['replay', '--failed'])).toEqual({ action: 'replay', which: { status: 'failed' } });
    expect(parseInboxArgs(['prune'])).toEqual({ action: 'prune' });
    expect(parseInboxArgs(['prune', '--days', '7'])).toEqual({ action: 'prune', days: 7 });
  });
  it('refuses bad inbox arguments with a message naming them', () => {
    expect(() => parseInboxArgs(['replay'])).toThrow('inbox replay: expected a row id or --failed, got ""');
    expect(() => parseInboxArgs(['replay', 'abc'])).toThrow(/got "abc"/);
    expect(() => parseInboxArgs(['prune', '--days', '0'])).toThrow(/--days N/);
    expect(() => parseInboxArgs(['purge'])).toThrow('inbox: unknown subcommand "purge"');
  });
  it('reads the quarantine subcommands', () => {
    expect(parseQuarantineArgs([])).toEqual({ action: 'list' });
    expect(parseQuarantineArgs(['replay', '3'])).toEqual({ action: 'replay', which: { id: 3 } });
    expect(parseQuarantineArgs(['replay', '--all'])).toEqual({ action: 'replay', which: 'all' });
    expect(() => parseQuarantineArgs(['replay'])).toThrow('quarantine replay: expected a row id or --all, got ""');
    expect(() => parseQuarantineArgs(['drop'])).toThrow(/unknown subcommand "drop"/);
  });
});
