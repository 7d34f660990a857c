import { proxyActivities } from '@temporalio/workflow';
import type { FlowRuntime } from '../shared/flow-runtime';
import { localStepsLike, patchedStep } from '../shared/local-steps';
import { ERP_RETRY, VENDOR_RETRY } from '../shared/retry-policies';
import type { PaymentErpActivities } from '../../activities/payment/erp';
import type { PaymentProviderActivities } from '../../activities/payment/provider';

/** The payment flow's activities, one proxy per role; rate limits are waited out by the flow runtime. */

const PROVIDER_OPTIONS = { startToCloseTimeout: '1 minute', retry: VENDOR_RETRY } as const;
const ERP_OPTIONS = { startToCloseTimeout: '30 seconds', retry: ERP_RETRY } as const;

export const provider = proxyActivities<PaymentProviderActivities>(PROVIDER_OPTIONS);
export const erp = proxyActivities<PaymentErpActivities>(ERP_OPTIONS);

/**
 * Patch: the payment flow's ERP writes and look-ups (single PostgreSQL statements or transactions) run as local
 * activities, in the worker that runs the flow, without an activity task round trip through Temporal each.
 * Flows recorded before it replay with the activities they ran. Attempts used up fail as an ActivityFailure, so a
 * failing step still records an issue and waits for a person.
 */
export const LOCAL_ERP_PATCH = 'payment-erp-local-activities';
const erpLocal = localStepsLike<PaymentErpActivities>(ERP_OPTIONS);

/** The ERP proxy for a step of the payment flow: local from LOCAL_ERP_PATCH on. */
export const erpStep = (flow: FlowRuntime): typeof erp => patchedStep(flow.patches, LOCAL_ERP_PATCH, erpLocal, erp);

/**
 * Patch: the read of the payment's state at the provider runs as a local activity too (a few short HTTP calls): a
 * pass over an event then needs no activity task and no second workflow task. Passes while the flow polls for a late
 * order keep the remote activity (a local one would hold each poll's workflow task open).
 */
export const LOCAL_PROVIDER_PATCH = 'payment-provider-local-activities';
const providerLocal = localStepsLike<PaymentProviderActivities>(PROVIDER_OPTIONS);

/** The provider proxy for a pass of the payment flow: local from LOCAL_PROVIDER_PATCH on. */
export const providerStep = (flow: FlowRuntime): typeof provider => patchedStep(flow.patches, LOCAL_PROVIDER_PATCH, providerLocal, provider);
