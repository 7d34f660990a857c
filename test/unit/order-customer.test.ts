import { buyerName, orderCustomerCandidate } from '../../domain/order-customer';
import { shopAddress as address, shopCustomer as customer, shopOrder as order } from '../support/shop-order-fixture';

describe("the buyer's name", () => {
  it("is the shop customer's own name when it has one", () => {
    expect(buyerName(order({ customer: customer({ firstName: 'Jane', lastName: 'Doe' }), shippingAddress: address('Someone Else') })))
      .toEqual({ firstName: 'Jane', lastName: 'Doe' });
    expect(buyerName(order({ customer: customer({ lastName: 'Doe' }) }))).toEqual({ firstName: null, lastName: 'Doe' });
  });
  it('comes from the shipping address when the customer has none (guest checkout)', () => {
    expect(buyerName(order({ customer: customer({ firstName: '  ', lastName: '' }), shippingAddress: address(' Mary  Ann   Smith ') })))
      .toEqual({ firstName: 'Mary', lastName: 'Ann Smith' });
    expect(buyerName(order({ shippingAddress: address('Cher') }))).toEqual({ firstName: 'Cher', lastName: null });
  });
  it("falls back to the email's local part (POS, email-only checkout)", () => {
    expect(buyerName(order({ shippingAddress: address('   ') }))).toEqual({ emailLocalPart: 'jane.doe+shop' });
    expect(buyerName(order({ email: null, customer: customer({ email: 'Pos.Buyer@Example.com' }) }))).toEqual({ emailLocalPart: 'pos.buyer' });
  });
  it('is empty when there is neither a name nor an email', () => {
    expect(buyerName(order({ email: null }))).toEqual({ firstName: null, lastName: null });
  });
});

describe('the order customer candidate', () => {
  it('uses the shipping address name for a guest without a name', () => {
    const result = orderCustomerCandidate(order({ shippingAddress: address('mary smith') }), 'US');
    expect(result).toMatchObject({ ok: true, lead: { displayName: 'Mary Smith', firstName: 'Mary', lastName: 'Smith', nameKey: 'mary smith', email: 'jane.doe+shop@example.com' } });
  });
  it('labels an email-only buyer with the local part, without pretending it is a name', () => {
    const result = orderCustomerCandidate(order(), 'US');
    expect(result).toEqual({ ok: true, lead: {
      contactId: 'order-5001', email: 'jane.doe+shop@example.com', phoneE164: null, firstName: null, lastName: null,
      displayName: 'jane.doe+shop', company: null, nameKey: null, companyKey: null,
    } });
  });
  it('keys a known shop customer by its id', () => {
    expect(orderCustomerCandidate(order({ customer: customer({ firstName: 'Jane' }) }), 'US')).toMatchObject({ ok: true, lead: { contactId: '901', displayName: 'Jane' } });
  });
  it('still refuses a buyer with neither email nor phone', () => {
    expect(orderCustomerCandidate(order({ email: null, shippingAddress: address('Walk In') }), 'US'))
      .toEqual({ ok: false, problems: ['contact has neither an email nor a phone number'] });
  });
  it('still refuses an invalid email rather than using it as a name', () => {
    expect(orderCustomerCandidate(order({ email: 'not-an-email' }), 'US')).toMatchObject({ ok: false, problems: [expect.stringContaining('not a valid address')] });
  });
});
