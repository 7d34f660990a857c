import { contactProperties, HubspotMappingError, parseHubspotObject, toCrmContact } from '../../connectors/hubspot/mapper';

const raw = (properties: Record<string, string | null>, extra: Record<string, unknown> = {}) => ({
  id: '1752412345678',
  properties,
  createdAt: '2026-01-02T03:04:05.000Z',
  updatedAt: '2026-01-03T10:00:00Z',
  archived: false,
  ...extra,
});

describe('HubSpot contact mapper', () => {
  it('maps HubSpot properties to a CrmContact', () => {
    const contact = toCrmContact(raw({
      email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace', phone: '+44 20 7946 0958', company: 'Analytical Engines Ltd',
      country: 'GB', lifecyclestage: 'salesqualifiedlead', erp_customer_number: 'C-1001', hs_object_id: '1752412345678',
    }));
    expect(contact).toEqual({
      id: '1752412345678', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', phone: '+44 20 7946 0958',
      company: 'Analytical Engines Ltd', country: 'GB', lifecycleStage: 'salesqualifiedlead', erpCustomerNumber: 'C-1001',
      updatedAt: '2026-01-03T10:00:00.000Z',
    });
  });

  it('reads the ERP number from the configured property only', () => {
    const object = raw({ erp_customer_number: 'C-1', erp_id: 'C-2' });
    expect(toCrmContact(object, 'erp_id').erpCustomerNumber).toBe('C-2');
    expect(toCrmContact(object).erpCustomerNumber).toBe('C-1');
  });

  it('turns missing, null and blank values into null and falls back to the mobile number', () => {
    const contact = toCrmContact(raw({ email: '', firstname: '   ', lastname: null, mobilephone: '+33 6 12 34 56 78' }));
    expect(contact).toMatchObject({ email: null, firstName: null, lastName: null, company: null, country: null, phone: '+33 6 12 34 56 78', erpCustomerNumber: null });
    expect(toCrmContact(raw({ phone: '+1 212 555 0100', mobilephone: '+33 6 12 34 56 78' })).phone).toBe('+1 212 555 0100');
  });

  it('requests every property it maps, including the ERP id property, without duplicates', () => {
    const props = contactProperties('erp_id');
    expect(props).toEqual(expect.arrayContaining(['email', 'firstname', 'lastname', 'phone', 'mobilephone', 'company', 'country', 'lifecyclestage', 'erp_id']));
    expect(props).not.toContain('erp_customer_number');
    expect(contactProperties()).toContain('erp_customer_number');
    expect(new Set(contactProperties('email')).size).toBe(contactProperties('email').length);
  });

  it.each([
    ['a non-numeric id', raw({}, { id: 'abc' }), 'id'],
    ['a missing properties object', { id: '1', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' }, 'properties'],
    ['a numeric property value', raw({ email: 42 as unknown as string }), 'properties.email'],
    ['an unparseable updatedAt', raw({}, { updatedAt: 'yesterday' }), 'updatedAt'],
  ])('rejects %s and names the field', (_label, input, field) => {
    expect(() => toCrmContact(input)).toThrow(HubspotMappingError);
    try {
      toCrmContact(input);
    } catch (err) {
      expect((err as HubspotMappingError).field).toBe(field);
      expect((err as Error).message).toContain(field);
    }
  });

  it('rejects something that is not an object at all', () => {
    expect(() => parseHubspotObject(null)).toThrow(/unexpected shape/);
  });
});
