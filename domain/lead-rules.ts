import type { CrmContact } from './lead';
import type * as Phone from './phone';

/**
 * The lead rules workflow code runs: qualification, run length and the normalisation of a CRM contact into a lead.
 * This module must not import zod, libphonenumber-js or anything that does at module level (type-only imports are
 * erased): with the SDK's reused V8 context every module of the workflow bundle is evaluated again for each workflow
 * in a worker's cache, so every library reachable from here costs memory per open flow (docs/benchmarks.md, "Worker
 * memory"; test/unit/workflow-bundle.test.ts keeps it so). The schemas stay in ./lead.
 */

export const LIFECYCLE_STAGES = [
  'subscriber', 'lead', 'marketingqualifiedlead', 'salesqualifiedlead', 'opportunity', 'customer', 'evangelist',
] as const;
export type LifecycleStage = (typeof LIFECYCLE_STAGES)[number];

export interface LeadPolicy {
  /** The lifecycle stage from which a contact becomes an ERP customer. */
  qualifyingStage: LifecycleStage;
  /** Country assumed for phone numbers written without a country code. */
  defaultPhoneCountry: string;
  /** Passes (re-reads after changes) one workflow run makes before it continues as new; keeps histories small. */
  passesPerRun?: number;
  /** An issue nobody answers is raised again after this long (default: a day). */
  operatorReminderSeconds?: number;
  /** How long a step may keep meeting CRM rate limits before a person is asked (default: 30 minutes). */
  rateLimitBudgetSeconds?: number;
}

export const DEFAULT_PASSES_PER_RUN = 25;

/** Whether a lead flow's run has done enough passes, or Temporal finds its history large: time to continue as new. */
export function runIsFull(passesThisRun: number, policy: Pick<LeadPolicy, 'passesPerRun'>, continueAsNewSuggested: boolean): boolean {
  return continueAsNewSuggested || passesThisRun >= Math.max(1, policy.passesPerRun ?? DEFAULT_PASSES_PER_RUN);
}

export interface LeadCandidate {
  contactId: string;
  email: string | null;
  phoneE164: string | null;
  firstName: string | null;
  lastName: string | null;
  displayName: string;
  company: string | null;
  /** Lower-case, accent-free, single-spaced: what name matching compares. */
  nameKey: string | null;
  companyKey: string | null;
}

export type LeadValidation = { ok: true; lead: LeadCandidate } | { ok: false; problems: string[] };

export function isQualified(stage: string | null, policy: Pick<LeadPolicy, 'qualifyingStage'>): boolean {
  const index = LIFECYCLE_STAGES.indexOf((stage ?? '').toLowerCase() as LifecycleStage);
  return index >= 0 && index >= LIFECYCLE_STAGES.indexOf(policy.qualifyingStage);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normaliseEmail(raw: string | null): string | null {
  const email = raw?.trim().toLowerCase() ?? '';
  return email === '' ? null : email;
}

export function isValidEmail(email: string): boolean {
  return EMAIL.test(email);
}

/** Collapses white space and capitalises each word part, keeping inner capitals such as "McDonald". */
export function normaliseName(raw: string | null): string | null {
  const name = raw?.trim().replace(/\s+/g, ' ') ?? '';
  if (name === '') return null;
  return name
    .split(' ')
    .map((word) => word.split(/([-'])/).map((part) => (part === part.toLowerCase() || part === part.toUpperCase()
      ? part.charAt(0).toUpperCase() + part.slice(1).toLowerCase()
      : part)).join(''))
    .join(' ');
}

const LEGAL_SUFFIXES = /\b(inc|llc|ltd|limited|gmbh|ag|sa|sarl|bv|plc|co|corp|corporation|company)\b\.?/g;

/** The comparison key for names and companies: no accents, case, punctuation or legal suffixes. */
export function matchKey(raw: string | null, dropLegalSuffix = false): string | null {
  if (!raw) return null;
  let key = raw.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9 ]+/g, ' ');
  if (dropLegalSuffix) key = key.replace(LEGAL_SUFFIXES, ' ');
  key = key.replace(/\s+/g, ' ').trim();
  return key === '' ? null : key;
}

/**
 * E.164 via libphonenumber-js, loaded on first use rather than with this module: in the workflow bundle that keeps it
 * (about 0.55 MiB of heap per evaluation) out of every flow that never validates a contact, i.e. all but lead flows.
 * The lead flow must keep validating phones inside workflow code: histories recorded so decide on it when replayed.
 */
function normalisedPhone(raw: string | null, defaultCountry: string): string | null {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy require on purpose (see above)
  const phone = require('./phone') as typeof Phone;
  return phone.normalisePhone(raw, defaultCountry);
}

/** Validates a contact and normalises it into what the ERP stores and matches on. */
export function toLeadCandidate(contact: CrmContact, policy: Pick<LeadPolicy, 'defaultPhoneCountry'>): LeadValidation {
  const problems: string[] = [];
  const email = normaliseEmail(contact.email);
  if (email && !isValidEmail(email)) problems.push(`email "${contact.email}" is not a valid address`);
  const phoneCountry = contact.country && /^[A-Za-z]{2}$/.test(contact.country.trim()) ? contact.country.trim() : policy.defaultPhoneCountry;
  const phoneE164 = normalisedPhone(contact.phone, phoneCountry);
  if (contact.phone && contact.phone.trim() !== '' && !phoneE164) problems.push(`phone "${contact.phone}" is not a valid number`);
  const firstName = normaliseName(contact.firstName);
  const lastName = normaliseName(contact.lastName);
  const company = contact.company?.trim().replace(/\s+/g, ' ') || null;
  if (!email && !phoneE164) problems.push('contact has neither an email nor a phone number');
  if (!firstName && !lastName && !company) problems.push('contact has no name and no company');
  if (problems.length > 0) return { ok: false, problems };
  const displayName = [firstName, lastName].filter(Boolean).join(' ') || (company as string);
  return {
    ok: true,
    lead: {
      contactId: contact.id,
      email,
      phoneE164,
      firstName,
      lastName,
      displayName,
      company,
      nameKey: matchKey([firstName, lastName].filter(Boolean).join(' ') || null),
      companyKey: matchKey(company, true),
    },
  };
}
