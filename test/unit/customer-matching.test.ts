import { isRoleMailbox, matchCustomer, namesConflict, type CustomerRecord } from '../../domain/customer-matching';
import type { LeadCandidate } from '../../domain/lead';
import { jaroWinkler } from '../../domain/similarity';

const lead = (over: Partial<LeadCandidate> = {}): LeadCandidate => ({
  contactId: '1', email: 'john@acme.com', phoneE164: '+14155550100', firstName: 'John', lastName: 'Smith', displayName: 'John Smith',
  company: 'Acme', nameKey: 'john smith', companyKey: 'acme', ...over,
});
let nextId = 1;
const customer = (over: Partial<CustomerRecord> = {}): CustomerRecord => ({
  id: nextId, customerNumber: `C-${1000 + nextId++}`, displayName: 'X', email: null, phoneE164: null, nameKey: null, companyKey: null, ...over,
});

describe('Jaro-Winkler', () => {
  it('scores identical 1, typos high and different names low', () => {
    expect(jaroWinkler('martha', 'martha')).toBe(1);
    expect(jaroWinkler('martha', 'marhta')).toBeCloseTo(0.961, 3);
    expect(jaroWinkler('jon smith', 'john smith')).toBeGreaterThan(0.88);
    expect(jaroWinkler('john smith', 'mary jones')).toBeLessThan(0.7);
    expect(jaroWinkler('', 'a')).toBe(0);
  });
});

describe('customer matching', () => {
  it('matches on exact normalised email first', () => {
    const byEmail = customer({ email: 'john@acme.com' });
    const byPhone = customer({ phoneE164: '+14155550100' });
    expect(matchCustomer(lead(), [byPhone, byEmail])).toEqual({ kind: 'match', customer: byEmail, rule: 'email' });
  });
  it('matches on phone when the customer has no conflicting email', () => {
    const c = customer({ phoneE164: '+14155550100', email: null });
    expect(matchCustomer(lead(), [c])).toEqual({ kind: 'match', customer: c, rule: 'phone' });
  });
  it('asks a person when a phone is shared or belongs to another email', () => {
    expect(matchCustomer(lead(), [customer({ phoneE164: '+14155550100', email: 'other@acme.com' })])).toMatchObject({ kind: 'ambiguous', reason: expect.stringMatching(/another email/) });
    expect(matchCustomer(lead({ email: null }), [customer({ phoneE164: '+14155550100' }), customer({ phoneE164: '+14155550100' })])).toMatchObject({ kind: 'ambiguous', candidates: [{}, {}] });
  });
  it('links an identical name at the same company, and asks for a close one', () => {
    const same = customer({ nameKey: 'john smith', companyKey: 'acme' });
    expect(matchCustomer(lead({ email: null, phoneE164: null }), [same])).toEqual({ kind: 'match', customer: same, rule: 'name+company' });
    const close = customer({ nameKey: 'jon smith', companyKey: 'acme' });
    expect(matchCustomer(lead({ phoneE164: null }), [close])).toMatchObject({ kind: 'ambiguous', candidates: [{ customer: close, rule: 'name+company' }] });
  });
  it('ignores similar names at other companies and finds nothing for strangers', () => {
    expect(matchCustomer(lead({ phoneE164: null }), [customer({ nameKey: 'john smith', companyKey: 'globex' })])).toEqual({ kind: 'none' });
    expect(matchCustomer(lead(), [])).toEqual({ kind: 'none' });
  });

  // Counterexamples from bench/customer-matching.ts (generated corpus): each was a false automatic merge.
  it('does not merge colleagues who share a team mailbox, but links the same person through it', () => {
    const colleague = customer({ email: 'info@acme.com', nameKey: 'charles richter', companyKey: 'acme' });
    expect(matchCustomer(lead({ email: 'info@acme.com', phoneE164: null, nameKey: 'camille sondergaard' }), [colleague]))
      .toMatchObject({ kind: 'ambiguous', reason: expect.stringMatching(/shared mailbox/), candidates: [{ customer: colleague }] });
    expect(matchCustomer(lead({ email: 'sales+eu@acme.com', phoneE164: null, nameKey: null }), [customer({ email: 'sales+eu@acme.com', nameKey: 'mary jones' })]))
      .toMatchObject({ kind: 'ambiguous' });
    const same = customer({ email: 'hello@acme.com', nameKey: 'john smith' });
    expect(matchCustomer(lead({ email: 'hello@acme.com', phoneE164: null, nameKey: 'smith john' }), [same])).toEqual({ kind: 'match', customer: same, rule: 'email' });
  });
  it('tells team mailboxes from personal addresses', () => {
    expect(['info@acme.com', 'sales@acme.com', 'office+de@acme.de', 'customer.service@shop.example'].map(isRoleMailbox)).toEqual([true, true, true, true]);
    expect(['john.smith@acme.com', 'information.officer@acme.com', 'jsmith@gmail.com'].map(isRoleMailbox)).toEqual([false, false, false]);
  });
  it('does not merge different people who share a switchboard phone', () => {
    const colleague = customer({ phoneE164: '+442084238703', email: null, nameKey: 'jose garcia' });
    expect(matchCustomer(lead({ email: 'daniel.clark@acme.com', phoneE164: '+442084238703', nameKey: 'daniel clark' }), [colleague]))
      .toMatchObject({ kind: 'ambiguous', reason: expect.stringMatching(/another name/) });
  });
  it('still links by phone when the name only has a typo or is swapped', () => {
    const c = customer({ phoneE164: '+14155550100', email: null, nameKey: 'john smith' });
    expect(matchCustomer(lead({ nameKey: 'jon smith' }), [c])).toEqual({ kind: 'match', customer: c, rule: 'phone' });
    expect(matchCustomer(lead({ nameKey: 'smith john' }), [c])).toEqual({ kind: 'match', customer: c, rule: 'phone' });
    expect(namesConflict('john smith', 'mary jones')).toBe(true);
    expect(namesConflict(null, 'mary jones')).toBe(false);
  });
  it('does not link namesakes at one company whose phones differ', () => {
    const namesake = customer({ nameKey: 'john smith', companyKey: 'acme', phoneE164: '+14155550199' });
    expect(matchCustomer(lead({ email: null }), [namesake])).toMatchObject({ kind: 'ambiguous', candidates: [{ customer: namesake }] });
  });
});
