/** Why the ERP refuses a money movement the provider reported: typed, so a flow can open the right issue. */

/** The payment a refund or dispute names is not in the ERP (yet): book the payment first. */
export class UnknownPaymentError extends Error {
  constructor(readonly provider: string, readonly providerPaymentId: string) {
    super(`payment ${provider}/${providerPaymentId} is not booked in the ERP`);
    this.name = 'UnknownPaymentError';
  }
}

/** A refund larger than what remains of its payment: refused whole, never booked as a negative balance. */
export class RefundExceedsPaymentError extends Error {
  constructor(readonly providerRefundId: string, readonly amountMinor: number, readonly remainingMinor: number, readonly currency: string) {
    super(`refund ${providerRefundId} of ${amountMinor} ${currency} exceeds the ${remainingMinor} ${currency} that remain of its payment`);
    this.name = 'RefundExceedsPaymentError';
  }
}

/** A refund or dispute in another currency than its payment. */
export class CurrencyMismatchError extends Error {
  constructor(readonly providerId: string, readonly currency: string, readonly paymentCurrency: string) {
    super(`${providerId} is in ${currency} but its payment is in ${paymentCurrency}`);
    this.name = 'CurrencyMismatchError';
  }
}
