import type { LeadCandidate } from './lead';
import { jaroWinkler } from './similarity';

/** Finds the ERP customer a lead is, by strength of evidence: email, then phone, then name plus company. Pure. */

export interface CustomerRecord {
  id: number;
  customerNumber: string;
  displayName: string;
  email: string | null;
  phoneE164: string | null;
  nameKey: string | null;
  companyKey: string | null;
}

export type MatchRule = 'email' | 'phone' | 'name+company';

export interface Candidate {
  customer: CustomerRecord;
  rule: MatchRule;
  score: number;
}

export type MatchResult =
  | { kind: 'none' }
  | { kind: 'match'; customer: CustomerRecord; rule: MatchRule }
  | { kind: 'ambiguous'; reason: string; candidates: Candidate[] };

/** Names at least this close (Jaro-Winkler) within the same company are worth a person's look. */
export const NAME_SIMILARITY_THRESHOLD = 0.88;

/**
 * Mailboxes a team shares (info@, sales@, ...): an address like this says which company, not which person, so it
 * links a lead to a customer on its own only when the names agree too.
 */
export const ROLE_MAILBOXES: ReadonlySet<string> = new Set([
  'info', 'sales', 'office', 'contact', 'hello', 'orders', 'order', 'admin', 'team', 'support', 'service', 'billing', 'accounts', 'accounting',
  'invoices', 'invoice', 'enquiries', 'inquiries', 'mail', 'post', 'kontakt', 'buero', 'bestellung', 'vertrieb', 'purchasing', 'procurement', 'reception',
  'marketing', 'hr', 'jobs', 'finance', 'shop', 'store', 'help', 'general', 'noreply', 'no-reply', 'webmaster', 'customerservice', 'verkauf', 'contacto',
]);

/** Whether a normalised address is a shared team mailbox; a "+tag" does not make it personal. */
export function isRoleMailbox(email: string): boolean {
  const local = email.split('@')[0]!.split('+')[0]!.replace(/[._-]/g, '');
  return ROLE_MAILBOXES.has(local) || ROLE_MAILBOXES.has(email.split('@')[0]!.split('+')[0]!);
}

const conflictingEmail = (lead: LeadCandidate, c: CustomerRecord) => lead.email !== null && c.email !== null && lead.email !== c.email;
const conflictingPhone = (lead: LeadCandidate, c: CustomerRecord) => lead.phoneE164 !== null && c.phoneE164 !== null && lead.phoneE164 !== c.phoneE164;

/** The same words in any order: "smith john" is "john smith" typed the other way round. */
const sortedWords = (key: string) => key.split(' ').sort().join(' ');

/** Both names known and the same up to word order: evidence a shared mailbox or phone cannot give alone. */
export function sameName(a: string | null, b: string | null): boolean {
  return a !== null && b !== null && (a === b || sortedWords(a) === sortedWords(b));
}

/** Names that cannot be one person's: both known and not even close in either word order. */
export function namesConflict(a: string | null, b: string | null): boolean {
  if (a === null || b === null || sameName(a, b)) return false;
  return Math.max(jaroWinkler(a, b), jaroWinkler(sortedWords(a), sortedWords(b))) < NAME_SIMILARITY_THRESHOLD;
}

export function matchCustomer(lead: LeadCandidate, customers: readonly CustomerRecord[]): MatchResult {
  const byEmail = lead.email ? customers.find((c) => c.email === lead.email) : undefined;
  if (byEmail && !isRoleMailbox(byEmail.email!)) return { kind: 'match', customer: byEmail, rule: 'email' };
  if (byEmail && sameName(lead.nameKey, byEmail.nameKey) && !conflictingPhone(lead, byEmail)) return { kind: 'match', customer: byEmail, rule: 'email' };
  if (byEmail) {
    // Colleagues share info@: a person tells them apart (or links the one it is).
    return { kind: 'ambiguous', reason: `${byEmail.email} is a shared mailbox and the names differ`, candidates: [{ customer: byEmail, rule: 'email', score: 1 }] };
  }

  if (lead.phoneE164) {
    const byPhone = customers.filter((c) => c.phoneE164 === lead.phoneE164);
    const compatible = byPhone.filter((c) => !conflictingEmail(lead, c) && !namesConflict(lead.nameKey, c.nameKey));
    if (byPhone.length === 1 && compatible.length === 1) return { kind: 'match', customer: compatible[0]!, rule: 'phone' };
    if (byPhone.length > 0) {
      return {
        kind: 'ambiguous',
        reason: byPhone.length > 1 ? `${byPhone.length} customers share phone ${lead.phoneE164}`
          : compatible.length === 0 && !conflictingEmail(lead, byPhone[0]!) ? `phone ${lead.phoneE164} belongs to a customer with another name`
            : `phone ${lead.phoneE164} belongs to a customer with another email`,
        candidates: byPhone.map((customer) => ({ customer, rule: 'phone', score: 1 })),
      };
    }
  }

  if (lead.nameKey && lead.companyKey) {
    const similar = customers
      .filter((c) => c.companyKey === lead.companyKey && c.nameKey)
      .map((customer) => ({ customer, rule: 'name+company' as const, score: jaroWinkler(lead.nameKey!, customer.nameKey!) }))
      .filter((c) => c.score >= NAME_SIMILARITY_THRESHOLD)
      .sort((x, y) => y.score - x.score);
    const exact = similar.filter((c) => c.score === 1 && !conflictingEmail(lead, c.customer) && !conflictingPhone(lead, c.customer));
    if (similar.length === 1 && exact.length === 1) return { kind: 'match', customer: exact[0]!.customer, rule: 'name+company' };
    if (similar.length > 0) {
      return { kind: 'ambiguous', reason: `similar name at company "${lead.company}"`, candidates: similar };
    }
  }
  return { kind: 'none' };
}
