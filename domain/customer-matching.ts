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

const conflictingEmail = (lead: LeadCandidate, c: CustomerRecord) => lead.email !== null && c.email !== null && lead.email !== c.email;

export function matchCustomer(lead: LeadCandidate, customers: readonly CustomerRecord[]): MatchResult {
  const byEmail = lead.email ? customers.find((c) => c.email === lead.email) : undefined;
  if (byEmail) return { kind: 'match', customer: byEmail, rule: 'email' };

  if (lead.phoneE164) {
    const byPhone = customers.filter((c) => c.phoneE164 === lead.phoneE164);
    const compatible = byPhone.filter((c) => !conflictingEmail(lead, c));
    if (byPhone.length === 1 && compatible.length === 1) return { kind: 'match', customer: compatible[0]!, rule: 'phone' };
    if (byPhone.length > 0) {
      return {
        kind: 'ambiguous',
        reason: byPhone.length > 1 ? `${byPhone.length} customers share phone ${lead.phoneE164}` : `phone ${lead.phoneE164} belongs to a customer with another email`,
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
    const exact = similar.filter((c) => c.score === 1 && !conflictingEmail(lead, c.customer));
    if (similar.length === 1 && exact.length === 1) return { kind: 'match', customer: exact[0]!.customer, rule: 'name+company' };
    if (similar.length > 0) {
      return { kind: 'ambiguous', reason: `similar name at company "${lead.company}"`, candidates: similar };
    }
  }
  return { kind: 'none' };
}
