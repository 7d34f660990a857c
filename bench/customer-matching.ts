import { performance } from 'node:perf_hooks';
import { matchCustomer, type CustomerRecord, type MatchResult } from '../domain/customer-matching';
import { toLeadCandidate, type LeadCandidate } from '../domain/lead';
import { generateCorpus, type CorpusRecord } from './customer-corpus';
import { fmt } from './support/load';
import { wholeNumberOption } from './support/args';

/**
 * Customer matching: `npm run bench -- customer-matching [--size 100000] [--seed 1]`.
 *
 * A generated corpus (bench/customer-corpus.ts) is fed, record by record, to the engine's own matching as the lead
 * flow runs it: the contact normalised (toLeadCandidate), its candidates read like erp/customers.ts matchCandidates
 * reads them (live customers sharing its e-mail, phone or company, by id, at most 200) from an in-memory ERP, then
 * matchCustomer. A match links the record to that customer; "ambiguous" goes to a person, who is assumed to decide
 * right (link to the person's customer, or create one); "none" creates a customer. The ground truth says whether each
 * link was right. The baseline, in the same run on the same records: exact (trimmed, lower-case) e-mail match.
 */

type Matcher = (lead: LeadCandidate, candidates: readonly CustomerRecord[]) => MatchResult;

const exactEmail: Matcher = (lead, candidates) => {
  const found = lead.email ? candidates.find((c) => c.email === lead.email) : undefined;
  return found ? { kind: 'match', customer: found, rule: 'email' } : { kind: 'none' };
};

interface Outcome {
  records: number;
  /** Records whose person was already an ERP customer when they came: what a perfect matcher links. */
  duplicates: number;
  autoCorrect: number;
  falseMerges: number;
  falseMergeExamples: string[];
  falseMergesByRule: Map<string, number>;
  review: number;
  reviewWithTruth: number;
  missed: number;
  /** Creations the ERP turned into links: its unique live e-mail returns the customer that already has it. */
  forcedByUniqueEmail: number;
  forcedWrong: number;
  customers: number;
  matchMs: number;
}

class InMemoryErp {
  readonly customers: CustomerRecord[] = [];
  readonly personOf = new Map<number, number>();
  readonly customerOfPerson = new Map<number, number>();
  private readonly byEmail = new Map<string, CustomerRecord>();
  private readonly byPhone = new Map<string, CustomerRecord[]>();
  private readonly byCompany = new Map<string, CustomerRecord[]>();

  /** As matchCandidates: email = $1 OR phone_e164 = $2 OR company_key = $3, ORDER BY id LIMIT 200. */
  candidates(lead: LeadCandidate): CustomerRecord[] {
    const found = new Map<number, CustomerRecord>();
    const email = lead.email ? this.byEmail.get(lead.email) : undefined;
    if (email) found.set(email.id, email);
    for (const c of (lead.phoneE164 && this.byPhone.get(lead.phoneE164)) || []) found.set(c.id, c);
    for (const c of (lead.companyKey && this.byCompany.get(lead.companyKey)) || []) found.set(c.id, c);
    return [...found.values()].sort((a, b) => a.id - b.id).slice(0, 200);
  }

  /** As createOrGetByEmail: a live customer with the same e-mail is returned instead of a new one. */
  createOrGet(lead: LeadCandidate, person: number): { customer: CustomerRecord; created: boolean } {
    const existing = lead.email ? this.byEmail.get(lead.email) : undefined;
    if (existing) return { customer: existing, created: false };
    const id = this.customers.length + 1;
    const customer: CustomerRecord = {
      id, customerNumber: `C-${1000 + id}`, displayName: lead.displayName, email: lead.email, phoneE164: lead.phoneE164, nameKey: lead.nameKey, companyKey: lead.companyKey,
    };
    this.customers.push(customer);
    this.personOf.set(id, person);
    if (!this.customerOfPerson.has(person)) this.customerOfPerson.set(person, id);
    if (lead.email) this.byEmail.set(lead.email, customer);
    const add = (map: Map<string, CustomerRecord[]>, key: string | null) => key && (map.get(key) ?? map.set(key, []).get(key)!).push(customer);
    add(this.byPhone, lead.phoneE164);
    add(this.byCompany, lead.companyKey);
    return { customer, created: true };
  }
}

function evaluate(records: Array<{ record: CorpusRecord; lead: LeadCandidate }>, matcher: Matcher): Outcome {
  const erp = new InMemoryErp();
  const o: Outcome = {
    records: records.length, duplicates: 0, autoCorrect: 0, falseMerges: 0, falseMergeExamples: [], falseMergesByRule: new Map(), review: 0, reviewWithTruth: 0,
    missed: 0, forcedByUniqueEmail: 0, forcedWrong: 0, customers: 0, matchMs: 0,
  };
  const create = (lead: LeadCandidate, person: number) => {
    const { customer, created } = erp.createOrGet(lead, person);
    if (created) return;
    o.forcedByUniqueEmail++;
    if (erp.personOf.get(customer.id) !== person) o.forcedWrong++;
  };
  for (const { record, lead } of records) {
    const truth = erp.customerOfPerson.get(record.person);
    if (truth !== undefined) o.duplicates++;
    const started = performance.now();
    const result = matcher(lead, erp.candidates(lead));
    o.matchMs += performance.now() - started;
    if (result.kind === 'match') {
      if (erp.personOf.get(result.customer.id) === record.person) o.autoCorrect++;
      else {
        o.falseMerges++;
        o.falseMergesByRule.set(result.rule, (o.falseMergesByRule.get(result.rule) ?? 0) + 1);
        if (o.falseMergeExamples.length < 5) {
          o.falseMergeExamples.push(`${result.rule}: "${lead.displayName}" <${lead.email}> ${lead.phoneE164} (${lead.company}) -> "${result.customer.displayName}" <${result.customer.email}> ${result.customer.phoneE164}`);
        }
      }
    } else if (result.kind === 'ambiguous') {
      o.review++;
      if (truth !== undefined && result.candidates.some((c) => c.customer.id === truth)) o.reviewWithTruth++;
      // The person deciding links the right customer, or creates one for a newcomer.
      if (truth === undefined) create(lead, record.person);
    } else {
      if (truth !== undefined) o.missed++;
      create(lead, record.person);
    }
  }
  o.customers = erp.customers.length;
  return o;
}


const say = (line: string) => process.stdout.write(`${line}\n`);
const pct = (a: number, b: number) => (b === 0 ? 'n/a' : `${((100 * a) / b).toFixed(2)} %`);

function report(name: string, o: Outcome, normaliseMs: number): void {
  const autoLinks = o.autoCorrect + o.falseMerges;
  say(`\n${name}`);
  say(`  automatic links: ${autoLinks} (${o.autoCorrect} right, ${o.falseMerges} false merges${o.falseMerges ? `: ${[...o.falseMergesByRule].map(([r, n]) => `${r} ${n}`).join(', ')}` : ''})`);
  say(`  precision of automatic links: ${pct(o.autoCorrect, autoLinks)}; recall (automatic): ${pct(o.autoCorrect, o.duplicates)} of ${o.duplicates} duplicates`);
  say(`  to a person: ${o.review} (${o.reviewWithTruth} with the right customer among the candidates); recall with them: ${pct(o.autoCorrect + o.reviewWithTruth, o.duplicates)}`);
  say(`  missed (a second customer for the same person): ${o.missed}; customers created: ${o.customers}`);
  say(`  creations the ERP's unique e-mail turned into links: ${o.forcedByUniqueEmail} (${o.forcedWrong} to another person)`);
  say(`  matching: ${fmt(o.matchMs, 0)} ms for ${o.records} records = ${fmt(o.records / (o.matchMs / 1000), 0)} records/s (candidates + match); with normalisation ${fmt(o.records / ((o.matchMs + normaliseMs) / 1000), 0)} records/s`);
  for (const e of o.falseMergeExamples) say(`    false merge, ${e}`);
}

function main(): void {
  const size = wholeNumberOption('size', 100_000);
  const seed = wholeNumberOption('seed', 1);
  let t = performance.now();
  const corpus = generateCorpus({ size, seed });
  say(`corpus: ${corpus.length} records of ${new Set(corpus.map((r) => r.person)).size} people, seed ${seed}, generated in ${fmt(performance.now() - t, 0)} ms`);
  const noiseCounts = new Map<string, number>();
  for (const r of corpus) for (const n of r.noise) noiseCounts.set(n, (noiseCounts.get(n) ?? 0) + 1);
  say(`noise applied: ${[...noiseCounts].sort((a, b) => b[1] - a[1]).map(([n, c]) => `${n} ${c}`).join(', ')}`);

  t = performance.now();
  const leads: Array<{ record: CorpusRecord; lead: LeadCandidate }> = [];
  let refused = 0;
  for (const record of corpus) {
    const v = toLeadCandidate(record.contact, { defaultPhoneCountry: 'US' });
    if (v.ok) leads.push({ record, lead: v.lead });
    else refused++;
  }
  const normaliseMs = performance.now() - t;
  say(`normalised ${leads.length} contacts in ${fmt(normaliseMs, 0)} ms (${fmt(corpus.length / (normaliseMs / 1000), 0)}/s); refused as invalid: ${refused}`);

  // Same records, same order, one after the other in this process; each twice, the second run reported (warm JIT).
  evaluate(leads, matchCustomer);
  evaluate(leads, exactEmail);
  const engine = evaluate(leads, matchCustomer);
  const baseline = evaluate(leads, exactEmail);
  report('engine (domain/customer-matching.ts matchCustomer)', engine, normaliseMs);
  report('baseline (exact e-mail match)', baseline, normaliseMs);
  say(`\nratio engine / baseline: recall (automatic) ${fmt(engine.autoCorrect / baseline.autoCorrect, 2)}, false merges ${engine.falseMerges} vs ${baseline.falseMerges}, records/s ${fmt((engine.records / engine.matchMs) / (baseline.records / baseline.matchMs), 2)}`);
}

main();
