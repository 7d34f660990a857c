import { z } from 'zod';

/**
 * A CRM contact as our connectors hand it over (its schema, for the boundaries). The rules on it, also those workflow
 * code runs, are in ./lead-rules (no zod there) and re-exported here for the other callers.
 */

export {
  DEFAULT_PASSES_PER_RUN, isQualified, isValidEmail, LIFECYCLE_STAGES, matchKey, normaliseEmail, normaliseName, runIsFull, toLeadCandidate,
  type LeadCandidate, type LeadPolicy, type LeadValidation, type LifecycleStage,
} from './lead-rules';
export { normalisePhone } from './phone';

export const crmContactSchema = z.object({
  id: z.string().regex(/^\d+$/),
  email: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  phone: z.string().nullable(),
  company: z.string().nullable(),
  country: z.string().nullable(),
  lifecycleStage: z.string().nullable(),
  erpCustomerNumber: z.string().nullable(),
  updatedAt: z.string(),
});
export type CrmContact = z.infer<typeof crmContactSchema>;
