import {
  DEFAULT_PASSES_PER_RUN, isQualified, matchKey, normaliseEmail, normaliseName, normalisePhone, runIsFull, toLeadCandidate, type CrmContact,
} from '../../domain/lead';

const contact = (over: Partial<CrmContact> = {}): CrmContact => ({
  id: '77', email: '  Ada.Lovelace@Example.COM ', firstName: ' ada ', lastName: 'LOVELACE', phone: '(415) 555-2671',
  company: ' Analytical  Engines Ltd ', country: null, lifecycleStage: 'salesqualifiedlead', erpCustomerNumber: null, updatedAt: '2026-01-01T00:00:00Z', ...over,
});

describe('lead normalisation', () => {
  it('normalises email case and white space', () => expect(normaliseEmail('  A@B.COM ')).toBe('a@b.com'));
  it('turns local and international phone numbers into E.164', () => {
    expect(normalisePhone('(415) 555-2671', 'US')).toBe('+14155552671');
    expect(normalisePhone('030 901820', 'DE')).toBe('+4930901820');
    expect(normalisePhone('+44 20 7946 0958', 'US')).toBe('+442079460958');
    expect(normalisePhone('12', 'US')).toBeNull();
  });
  it('capitalises names but keeps deliberate inner capitals', () => {
    expect(normaliseName('  jean-luc   PICARD ')).toBe('Jean-Luc Picard');
    expect(normaliseName('McDonald')).toBe('McDonald');
    expect(normaliseName("o'brien")).toBe("O'Brien");
  });
  it('builds comparison keys without accents, case or legal suffixes', () => {
    expect(matchKey('Zoë  Müller')).toBe('zoe muller');
    expect(matchKey('ACME, Inc.', true)).toBe('acme');
    expect(matchKey('Acme GmbH', true)).toBe('acme');
  });
  it('qualifies from the configured lifecycle stage upwards', () => {
    expect(isQualified('salesqualifiedlead', { qualifyingStage: 'salesqualifiedlead' })).toBe(true);
    expect(isQualified('customer', { qualifyingStage: 'salesqualifiedlead' })).toBe(true);
    expect(isQualified('lead', { qualifyingStage: 'salesqualifiedlead' })).toBe(false);
    expect(isQualified(null, { qualifyingStage: 'lead' })).toBe(false);
    expect(isQualified('other', { qualifyingStage: 'lead' })).toBe(false);
  });
  it('produces a lead candidate from a contact', () => {
    expect(toLeadCandidate(contact(), { defaultPhoneCountry: 'US' })).toEqual({ ok: true, lead: {
      contactId: '77', email: 'ada.lovelace@example.com', phoneE164: '+14155552671', firstName: 'Ada', lastName: 'Lovelace',
      displayName: 'Ada Lovelace', company: 'Analytical Engines Ltd', nameKey: 'ada lovelace', companyKey: 'analytical engines',
    } });
  });
  it("uses the contact's own country for its phone number", () => {
    const result = toLeadCandidate(contact({ phone: '030 901820', country: 'DE' }), { defaultPhoneCountry: 'US' });
    expect(result.ok && result.lead.phoneE164).toBe('+4930901820');
  });
  it('lists every problem of an unusable contact', () => {
    expect(toLeadCandidate(contact({ email: 'not-an-email', phone: '123' }), { defaultPhoneCountry: 'US' })).toEqual({
      ok: false, problems: ['email "not-an-email" is not a valid address', 'phone "123" is not a valid number'],
    });
    expect(toLeadCandidate(contact({ email: null, phone: null, firstName: null, lastName: null, company: null }), { defaultPhoneCountry: 'US' })).toEqual({
      ok: false, problems: ['contact has neither an email nor a phone number', 'contact has no name and no company'],
    });
  });
});

describe('when a lead run continues as new', () => {
  it('after the configured number of passes, or the default', () => {
    expect(runIsFull(2, { passesPerRun: 3 }, false)).toBe(false);
    expect(runIsFull(3, { passesPerRun: 3 }, false)).toBe(true);
    expect(runIsFull(DEFAULT_PASSES_PER_RUN - 1, {}, false)).toBe(false);
    expect(runIsFull(DEFAULT_PASSES_PER_RUN, {}, false)).toBe(true);
  });
  it('at once when Temporal suggests it', () => expect(runIsFull(1, {}, true)).toBe(true));
  it('never before one pass, whatever the setting', () => {
    expect(runIsFull(0, { passesPerRun: 0 }, false)).toBe(false);
    expect(runIsFull(1, { passesPerRun: 0 }, false)).toBe(true);
  });
});
