import type { CrmContact } from '../domain/lead';
import { seededRandom as prng } from './support/args';

/**
 * A generated customer corpus with a known ground truth, for the customer-matching benchmark. Seeded, so the same
 * seed gives the same corpus. People (some at companies, some private) appear once or several times; each later
 * appearance is the same person typed differently, the way CRM imports, shop checkouts and sales staff produce them:
 *
 * - case and white space in names and e-mails; typos in names (substitution, transposition, dropped or doubled letter);
 * - the same phone number in another format (E.164, national, dots, dashes, brackets, 00 prefix);
 * - first and last name swapped; accents dropped (José -> Jose, Müller -> Muller);
 * - the e-mail left out, another personal e-mail, the phone left out, the company written differently.
 *
 * And what must not be merged: colleagues who share a company mailbox (info@, sales@, office@, ...) or the company's
 * switchboard number, and namesakes (common names used by several people).
 */

export interface CorpusRecord {
  /** Ground truth: records of the same person share it. */
  person: number;
  contact: CrmContact;
  /** How the record was altered from the person's first record (empty for a first appearance). */
  noise: string[];
}

export interface CorpusOptions { size: number; seed: number }

const FIRST = [
  'James', 'Mary', 'John', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'William', 'Elizabeth', 'David', 'Barbara', 'Richard', 'Susan',
  'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen', 'Christopher', 'Nancy', 'Daniel', 'Lisa', 'Matthew', 'Margaret', 'Anthony', 'Sandra',
  'José', 'María', 'Zoë', 'Chloé', 'François', 'Hélène', 'Jürgen', 'Jörg', 'Łukasz', 'Søren', 'Björn', 'Ana', 'Renée', 'André', 'Noémie', 'Agnès',
  'Ingrid', 'Lars', 'Mehmet', 'Ayşe', 'Priya', 'Rahul', 'Wei', 'Mei', 'Hiroshi', 'Yuki', 'Olga', 'Dmitri', 'Fatima', 'Omar', 'Siobhán', 'Seán',
  'Katarzyna', 'Tomás', 'Inês', 'João', 'Giulia', 'Matteo', 'Elif', 'Nils', 'Astrid', 'Pierre', 'Camille', 'Lucía', 'Álvaro', 'Ödön', 'Eszter',
];
const LAST = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson',
  'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis',
  'Müller', 'Schäfer', 'Weiß', 'Groß', 'Jäger', 'Köhler', 'Böhm', 'Dubois', 'Lefèvre', 'Girard', 'Núñez', 'Peña', 'Muñoz', 'Gómez', 'Castaño',
  'Nowak', 'Wiśniewski', 'Kowalczyk', 'Dąbrowski', 'Søndergaard', 'Østergaard', 'Håkansson', 'Lindqvist', 'Yılmaz', 'Öztürk', 'Çelik', 'Nakamura',
  'Tanaka', 'Kim', 'Park', 'Nguyen', 'Tran', 'Patel', 'Sharma', 'Singh', 'Ivanov', 'Petrova', "O'Brien", "O'Connor", 'McDonald', 'MacLeod',
  'Fitzgerald', 'Rossi', 'Russo', 'Bianchi', 'Ferrari', 'Esposito', 'Costa', 'Silva', 'Santos', 'Oliveira', 'Pereira', 'van Dijk', 'de Vries',
  'Jansen', 'Bakker', 'Visser', 'Smit', 'Meyer', 'Schulz', 'Becker', 'Hoffmann', 'Koch', 'Richter', 'Klein', 'Wolf', 'Neumann', 'Schwarz',
];
const COMPANY_WORDS = [
  'Acme', 'Globex', 'Initech', 'Umbrella', 'Stark', 'Wayne', 'Wonka', 'Hooli', 'Vandelay', 'Soylent', 'Tyrell', 'Cyberdyne', 'Aperture', 'Massive',
  'Nordic', 'Alpine', 'Pacific', 'Atlantic', 'Summit', 'Pioneer', 'Vertex', 'Quantum', 'Zenith', 'Apex', 'Nova', 'Orbit', 'Harbor', 'Granite', 'Cedar',
  'Maple', 'Falcon', 'Eagle', 'Lion', 'Bären', 'Sonnen', 'Löwen', 'Étoile', 'Soleil', 'Blue', 'Green', 'Red', 'Silver', 'Golden', 'Iron', 'Crystal',
];
const COMPANY_KINDS = ['Logistics', 'Foods', 'Systems', 'Labs', 'Trading', 'Design', 'Consulting', 'Media', 'Textiles', 'Motors', 'Pharma', 'Software', 'Studio', 'Bau', 'Werke'];
const LEGAL = ['Inc', 'LLC', 'Ltd', 'GmbH', 'AG', 'SA', 'BV', 'Corp', 'Co.'];
const FREEMAIL = ['gmail.com', 'yahoo.com', 'outlook.com', 'hotmail.com', 'web.de', 'gmx.de', 'icloud.com', 'proton.me'];
/** Mailboxes a whole company shares: never evidence of who a person is. */
export const ROLE_MAILBOXES = ['info', 'sales', 'office', 'contact', 'hello', 'orders', 'admin', 'team'];
/** Names several unrelated people carry. */
const COMMON_NAMES: Array<[string, string]> = [['John', 'Smith'], ['Maria', 'Garcia'], ['David', 'Lee'], ['Anna', 'Müller'], ['Wei', 'Wang'], ['James', 'Brown']];

interface Phone { country: 'US' | 'DE' | 'GB'; national: string }
interface Company { name: string; key: string; domain: string; switchboard: Phone; size: number }
interface Person { id: number; first: string; last: string; company: Company | null; email: string | null; phone: Phone | null; country: string }

function stripAccents(s: string): string {
  return s.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/ł/g, 'l').replace(/Ł/g, 'L').replace(/ø/g, 'o').replace(/Ø/g, 'O').replace(/ß/g, 'ss').replace(/ı/g, 'i');
}

const ascii = (s: string) => stripAccents(s).toLowerCase().replace(/[^a-z0-9]+/g, '');

export function generateCorpus(opts: CorpusOptions): CorpusRecord[] {
  const rnd = prng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const chance = (p: number) => rnd() < p;
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(rnd() * 10)).join('');

  const usedPhones = new Set<string>();
  const newPhone = (): Phone => {
    for (;;) {
      const country = chance(0.7) ? 'US' : chance(0.5) ? 'DE' : 'GB';
      const national = country === 'US' ? `${pick(['212', '415', '312', '617', '206', '303', '512', '646', '702', '919'])}${2 + Math.floor(rnd() * 8)}${digits(6)}`
        : country === 'DE' ? `${pick(['30', '40', '89', '69', '221'])}${digits(7)}`
          : `20${7 + Math.floor(rnd() * 2)}${digits(7)}`;
      const key = `${country}${national}`;
      if (!usedPhones.has(key)) {
        usedPhones.add(key);
        return { country, national };
      }
    }
  };

  const companies: Company[] = [];
  const companyKeys = new Set<string>();
  while (companies.length < 3000) {
    const name = `${pick(COMPANY_WORDS)} ${pick(COMPANY_KINDS)}`;
    const key = ascii(name);
    const taken = companyKeys.has(key);
    const unique = taken ? `${name} ${companies.length}` : name;
    companyKeys.add(ascii(unique));
    companies.push({ name: `${unique} ${pick(LEGAL)}`, key: ascii(unique), domain: `${ascii(unique)}.example`, switchboard: newPhone(), size: 0 });
  }

  const usedEmails = new Set<string>();
  const personalEmail = (first: string, last: string, domain: string): string => {
    for (let n = 0; ; n++) {
      const f = ascii(first);
      const l = ascii(last);
      const local = [`${f}.${l}`, `${f[0]}${l}`, `${f}_${l}`, `${l}.${f}`, `${f}${l}`][Math.floor(rnd() * 5)]!;
      const email = `${local}${n > 0 || chance(0.3) ? Math.floor(rnd() * 1000) : ''}@${domain}`;
      if (!usedEmails.has(email)) {
        usedEmails.add(email);
        return email;
      }
    }
  };

  const people: Person[] = [];
  const newPerson = (): Person => {
    const [first, last] = chance(0.04) ? pick(COMMON_NAMES) : [pick(FIRST), pick(LAST)];
    const company = chance(0.55) ? pick(companies) : null;
    if (company) company.size++;
    let email: string | null;
    if (company && chance(0.12)) email = `${pick(ROLE_MAILBOXES)}@${company.domain}`; // shared with colleagues
    else if (company && chance(0.85)) email = personalEmail(first, last, company.domain);
    else email = chance(0.9) ? personalEmail(first, last, pick(FREEMAIL)) : null;
    let phone: Phone | null;
    if (company && chance(0.3)) phone = company.switchboard; // shared with colleagues
    else phone = chance(email ? 0.6 : 1) ? newPhone() : null;
    const country = phone?.country ?? (chance(0.7) ? 'US' : 'DE');
    const person = { id: people.length + 1, first, last, company, email, phone, country };
    people.push(person);
    return person;
  };

  const records: CorpusRecord[] = [];
  const firstRecords: CorpusRecord[] = [];
  let contactId = 1;
  const contact = (p: Person, over: Partial<CrmContact>): CrmContact => ({
    id: String(contactId++), email: p.email, firstName: p.first, lastName: p.last, phone: p.phone ? formatPhone(p.phone, 0) : null,
    company: p.company?.name ?? null, country: p.country, lifecycleStage: 'customer', erpCustomerNumber: null, updatedAt: '2026-11-01T00:00:00.000Z', ...over,
  });

  const NOISES: Array<[string, (p: Person, c: CrmContact) => Partial<CrmContact> | null]> = [
    ['email-case', (_p, c) => (c.email ? { email: ` ${mixCase(c.email, rnd)} ` } : null)],
    ['name-case', (_p, c) => ({ firstName: chance(0.5) ? c.firstName!.toUpperCase() : c.firstName!.toLowerCase(), lastName: chance(0.5) ? c.lastName!.toUpperCase() : c.lastName!.toLowerCase() })],
    ['whitespace', (_p, c) => ({ firstName: `  ${c.firstName} `, lastName: c.lastName!.replace(/ /g, '   ') + ' ', company: c.company ? ` ${c.company.replace(/ /g, '  ')}` : null })],
    ['typo', (_p, c) => (chance(0.5) ? { firstName: typo(c.firstName!, rnd) } : { lastName: typo(c.lastName!, rnd) })],
    ['phone-format', (p) => (p.phone ? { phone: formatPhone(p.phone, 1 + Math.floor(rnd() * 5)) } : null)],
    ['swapped-names', (_p, c) => ({ firstName: c.lastName, lastName: c.firstName })],
    ['accents-dropped', (_p, c) => (stripAccents(c.firstName! + c.lastName!) !== c.firstName! + c.lastName! ? { firstName: stripAccents(c.firstName!), lastName: stripAccents(c.lastName!) } : null)],
    ['email-missing', (p) => (p.phone && p.email ? { email: null } : null)],
    ['other-email', (p) => (p.phone ? { email: personalEmail(p.first, p.last, pick(FREEMAIL)) } : null)],
    ['phone-missing', (p) => (p.email && p.phone ? { phone: null } : null)],
    ['company-variant', (p) => (p.company ? { company: chance(0.5) ? p.company.name.toUpperCase().replace(/ (\S+)$/, ', $1') : p.company.name.replace(/ \S+$/, '') } : null)],
  ];

  while (records.length < opts.size) {
    // A returning person (30 %), else a new one.
    if (firstRecords.length > 0 && chance(0.3)) {
      const original = pick(firstRecords);
      const p = people[original.person - 1]!;
      let c = { ...original.contact, id: String(contactId++) };
      const noise: string[] = [];
      for (let n = 1 + Math.floor(rnd() * 3); n > 0; n--) {
        const [name, apply] = pick(NOISES);
        const change = apply(p, c);
        if (!change) continue;
        c = { ...c, ...change };
        noise.push(name);
      }
      if (!c.email?.trim() && !c.phone) continue; // a contact the engine would refuse
      records.push({ person: p.id, contact: c, noise });
    } else {
      const p = newPerson();
      const record = { person: p.id, contact: contact(p, {}), noise: [] };
      records.push(record);
      firstRecords.push(record);
    }
  }
  return records;
}

function mixCase(s: string, rnd: () => number): string {
  return [...s].map((ch) => (rnd() < 0.5 ? ch.toUpperCase() : ch)).join('');
}

function typo(word: string, rnd: () => number): string {
  if (word.length < 4) return word;
  const i = 1 + Math.floor(rnd() * (word.length - 2));
  const letters = 'aeiounrstlm';
  switch (Math.floor(rnd() * 4)) {
    case 0: return word.slice(0, i) + letters[Math.floor(rnd() * letters.length)] + word.slice(i + 1);
    case 1: return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
    case 2: return word.slice(0, i) + word.slice(i + 1);
    default: return word.slice(0, i) + word[i] + word.slice(i);
  }
}

/** Format 0 is the record's first form; the others are the same number written another way. */
function formatPhone(p: Phone, format: number): string {
  const cc = { US: '1', DE: '49', GB: '44' }[p.country];
  const n = p.national;
  if (p.country === 'US') {
    const [a, b, c] = [n.slice(0, 3), n.slice(3, 6), n.slice(6)];
    return [`(${a}) ${b}-${c}`, `+1${n}`, `${a}.${b}.${c}`, `${a}-${b}-${c}`, `+1 ${a} ${b} ${c}`, `1-${a}-${b}-${c}`][format]!;
  }
  return [`+${cc} ${n}`, `+${cc}${n}`, `0${n}`, `00${cc} ${n}`, `+${cc} (0)${n}`, `0${n.slice(0, 3)}/${n.slice(3)}`][format]!;
}
