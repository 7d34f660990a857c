import type { CustomerRecord } from '../domain/customer-matching';
import { customerById, deleteOwnIfUnreferenced, isCreatedByRun } from './customers';
import type { Queryable } from '../db/transaction';
import { bind, findBinding, unbind, type ExternalKey } from './external-refs';
import type { RecordOwner } from './ownership';

/**
 * A customer and the external binding that found it (a CRM contact, a shop customer) live and die together:
 * undoing never leaves a customer without its binding, nor a binding that points to a removed customer.
 */

/** The customer `key` is bound to. A binding left pointing to a removed customer (older data) finds nobody: it goes. */
export async function boundCustomer(tx: Queryable, key: ExternalKey): Promise<CustomerRecord | undefined> {
  const binding = await findBinding(tx, key);
  if (!binding) return undefined;
  const customer = await customerById(tx, binding.erpId);
  if (!customer) await unbind(tx, key);
  return customer;
}

/**
 * Binds `key` to the customer just found or created. When a concurrent attempt bound the key first, its customer
 * wins and a customer created here is removed again, so that one external id never yields two customers.
 */
export async function bindFoundCustomer(
  tx: Queryable, key: ExternalKey, found: { customer: CustomerRecord; created: boolean }, owner: RecordOwner,
): Promise<{ customer: CustomerRecord; created: boolean }> {
  const binding = await bind(tx, key, 'customer', found.customer.id, owner.workflowId, owner.runId);
  if (binding.erpId === found.customer.id) return found;
  if (found.created) await deleteOwnIfUnreferenced(tx, found.customer.id, owner);
  return { customer: (await customerById(tx, binding.erpId))!, created: false };
}

export type BindingUndo =
  /** No binding, or one an earlier run made: that run's completed work is not ours to undo. */
  | 'not-ours'
  /** This run bound an existing customer: the binding goes, the customer stays. */
  | 'unbound'
  /** This run created both, and nothing else refers to the customer: both go. */
  | 'removed'
  /** This run created both, but something else (an order, another binding) now refers to the customer: both stay. */
  | 'kept';

/** Compensation of a customer binding made by `owner`'s run; a repeat finds nothing left to do. */
export async function undoCustomerBinding(tx: Queryable, key: ExternalKey, owner: RecordOwner): Promise<BindingUndo> {
  const binding = await findBinding(tx, key);
  if (!binding || binding.createdBy !== owner.workflowId || binding.createdByRun !== owner.runId) return 'not-ours';
  if (await isCreatedByRun(tx, binding.erpId, owner)) {
    if (!(await deleteOwnIfUnreferenced(tx, binding.erpId, owner, binding.id))) return 'kept';
    await unbind(tx, key);
    return 'removed';
  }
  await unbind(tx, key);
  return 'unbound';
}
