import { ApplicationFailure } from '@temporalio/common';
import type { Pool } from 'pg';
import { matchCustomer } from '../../domain/customer-matching';
import { shopOf, type ShopOrder } from '../../domain/order';
import { orderCustomerCandidate } from '../../domain/order-customer';
import { bindFoundCustomer, boundCustomer, undoCustomerBinding, type BindingUndo } from '../../erp/customer-bindings';
import { createOrGetByEmail, customerIdsCreatedByRun, deleteOwnIfUnreferenced, matchCandidates } from '../../erp/customers';
import { inTransaction } from '../../db/transaction';
import type { ExternalKey } from '../../erp/external-refs';
import { callingWorkflow } from '../shared/context';
import type { OrderCustomer } from './erp';

/** The order flow's customer step and its compensation: who the buyer is in the ERP, and who may undo it. */

export interface OrderCustomerDeps {
  pool: Pool;
  defaultPhoneCountry: string;
}

/** A shop customer's binding key: the order's shop connection names the system (two shops, two customer ids). */
const shopCustomerKey = (order: ShopOrder): ExternalKey | null =>
  order.customer?.id ? { system: shopOf(order), entityType: 'customer', externalId: order.customer.id } : null;

export function createOrderCustomerActivities({ pool, defaultPhoneCountry }: OrderCustomerDeps) {
  return {
    /** Links the buyer to an ERP customer (shop binding, then email, phone, name) or creates one. */
    async ensureOrderCustomer(order: ShopOrder): Promise<OrderCustomer> {
      const owner = callingWorkflow();
      return inTransaction(pool, async (tx) => {
        const key = shopCustomerKey(order);
        const bound = key && (await boundCustomer(tx, key));
        if (bound) return { customerId: bound.id, customerNumber: bound.customerNumber, created: false };
        const candidate = orderCustomerCandidate(order, defaultPhoneCountry);
        if (!candidate.ok) throw ApplicationFailure.nonRetryable(`the order's customer cannot be used: ${candidate.problems.join('; ')}`, 'InvalidCustomer');
        const match = matchCustomer(candidate.lead, await matchCandidates(tx, candidate.lead));
        // A shop buyer is identified by email: without a sure match, a new customer beats a guess.
        if (match.kind === 'ambiguous' && !candidate.lead.email) {
          throw ApplicationFailure.nonRetryable(`ambiguous customer (${match.reason}) and no email to tell them apart`, 'AmbiguousCustomer');
        }
        const found = match.kind === 'match' ? { customer: match.customer, created: false } : await createOrGetByEmail(tx, candidate.lead, owner);
        const { customer, created } = key ? await bindFoundCustomer(tx, key, found, owner) : found;
        return { customerId: customer.id, customerNumber: customer.customerNumber, created };
      });
    },

    /**
     * Compensation of ensureOrderCustomer, by the run that made the customer only. A customer and the shop binding
     * that found it go together or stay together. They go while nothing else refers to the customer (the flow
     * is undone before its ERP order exists). From the ERP order on, they stay: the cancelled order is kept for
     * audit and refers to the customer, which therefore cannot go, and the binding must stay with it so that
     * the buyer's next order finds this customer instead of creating a second one.
     */
    async removeOrderCustomer(order: ShopOrder): Promise<BindingUndo> {
      const owner = callingWorkflow();
      return inTransaction(pool, async (tx) => {
        const key = shopCustomerKey(order);
        if (key) return undoCustomerBinding(tx, key, owner);
        // A guest without a shop customer has no binding: the customer is found by the run that created it.
        const created = await customerIdsCreatedByRun(tx, owner);
        if (created.length === 0) return 'not-ours';
        let kept = false;
        for (const id of created) kept = !(await deleteOwnIfUnreferenced(tx, id, owner)) || kept;
        return kept ? 'kept' : 'removed';
      });
    },
  };
}
