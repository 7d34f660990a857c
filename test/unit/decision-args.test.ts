import { parseDecision } from '../../client/decision-args';

describe('operator decision on the command line', () => {
  it.each(['retry', 'skip', 'compensate', 'create-new'])('accepts %s', (action) => expect(parseDecision(action)).toEqual({ ok: true, decision: { action } }));
  it('accepts link with a customer number', () => expect(parseDecision('link=C-1042')).toEqual({ ok: true, decision: { action: 'link', customerNumber: 'C-1042' } }));
  it('names the field and the expected forms when the input is wrong', () => {
    expect(parseDecision('link')).toEqual({ ok: false, error: 'decision: "link" needs an ERP customer number, as in link=C-1001 (got "link")' });
    expect(parseDecision('restart')).toMatchObject({ ok: false, error: expect.stringMatching(/^decision: expected retry, skip/) });
    expect(parseDecision(undefined)).toMatchObject({ ok: false, error: expect.stringContaining('got "nothing"') });
  });
});
