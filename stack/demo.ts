import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../config/env';
import { dataDir } from '../config/paths';
import { Client, Connection } from '@temporalio/client';
import { HubspotClient } from '../connectors/hubspot/client';
import { StripePayments } from '../connectors/stripe/client';
import { leadWorkflowId } from '../workflows/lead/api';
import { markShippedUpdate, orderWorkflowId } from '../workflows/order/api';
import { demoShops } from './demo-shops';
import type { StackInfo } from './stack-info';

/**
 * `npm run demo`: a steady, realistic stream of activity against the running stack's simulators, so that a
 * newcomer sees flows in the Temporal UI: new leads, leads qualified later, the same person typed differently
 * (which an operator must resolve), invalid data, vendor faults the engine rides out, and shop orders paid
 * through Stripe that the warehouse ships (or the customer cancels).
 */

const FIRST = ['Ada', 'Grace', 'Alan', 'Katherine', 'John', 'Margaret', 'Linus', 'Barbara', 'Dennis', 'Frances', 'Edsger', 'Radia'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Smith', 'Hamilton', 'Torvalds', 'Liskov', 'Ritchie', 'Allen', 'Dijkstra', 'Perlman'];
const COMPANIES = ['Acme Inc.', 'Globex GmbH', 'Initech LLC', 'Umbrella Ltd', 'Stark Industries', 'Wayne Enterprises'];
const NICKNAMES: Record<string, string> = { Katherine: 'Kathy', John: 'Jon', Margaret: 'Maggie', Barbara: 'Barb', Frances: 'Fran', Alan: 'Allan' };

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

interface Person { first: string; last: string; company: string; phone: string; email: string; contactId?: string }

export interface DemoOptions { signal: AbortSignal; log: (line: string) => void; intervalMs?: number; count?: number }

export async function runDemo(info: StackInfo, opts: DemoOptions): Promise<void> {
  const sim = info.simulators.hubspot;
  if (!sim || !info.simulators.stripe) throw new Error('the demo needs the simulators (RUN_SIMULATORS=true)');
  const crm = new HubspotClient({ baseUrl: sim.url, accessToken: sim.accessToken });
  const crmConnection = info.connections.find((c) => c.role === 'crm')?.id ?? 'hubspot';
  const payments = new StripePayments({ baseUrl: info.simulators.stripe.url, apiKey: info.simulators.stripe.apiKey });
  const shops = demoShops(info, payments);
  const temporal = new Client({ connection: await Connection.connect({ address: info.temporal.address }), namespace: info.temporal.namespace });
  /** An order in one of the shops, in turn, so that every shop feeds the same ERP. */
  let orders = 0;
  const placeOrder = async () => {
    const products = info.catalogue;
    if (products.length === 0 || shops.length === 0) return;
    const shop = shops[orders++ % shops.length]!;
    const lines = [...new Set([pick(products), pick(products)])].map((p) => ({ sku: p.sku, title: p.name, quantity: 1 + Math.floor(Math.random() * 2), unitPriceMinor: p.unitPriceMinor }));
    const payment = Math.random() < 0.7 ? 'authorized' : 'captured';
    const order = await shop.checkout({ lines, payment, shippingMinor: 499, firstName: pick(FIRST), lastName: pick(LAST) });
    const where = `${shop.connection.id} order ${order.name}`;
    opts.log(`${where} (${lines.map((l) => `${l.quantity}× ${l.sku}`).join(', ')}, payment ${payment}) → workflow ${orderWorkflowId(shop.connection.id, order.id)}`);
    if (Math.random() < 0.1) {
      setTimeout(() => void shop.cancelByCustomer(order.id).then(() => opts.log(`customer cancelled ${where}`), () => undefined), 1500);
    }
  };
  /** The warehouse ships what waits for shipment, as the ERP would report it. */
  const shipWaitingOrders = async () => {
    for await (const wf of temporal.workflow.list({ query: `Flow = 'order' AND FlowState = 'awaiting-shipment'` })) {
      await temporal.workflow.getHandle(wf.workflowId).executeUpdate(markShippedUpdate, { args: [{ trackingNumber: `1Z${Date.now()}`, carrier: 'UPS' }] })
        .then(() => opts.log(`warehouse shipped ${wf.workflowId}`), () => undefined);
    }
  };
  const people: Person[] = [];
  const waitingForQualification: Person[] = [];
  let n = 0;

  const newPerson = (): Person => {
    const first = pick(FIRST);
    const last = pick(LAST);
    const company = pick(COMPANIES);
    const serial = `${Date.now().toString(36)}${n}`;
    return { first, last, company, phone: `+1415555${String(1000 + Math.floor(Math.random() * 8999))}`, email: `${first}.${last}.${serial}@${company.split(' ')[0]!.toLowerCase()}.example`.toLowerCase() };
  };
  const create = async (p: Person, stage: string, label: string) => {
    const contact = await crm.createContact({ email: p.email, firstname: p.first, lastname: p.last, company: p.company, phone: p.phone, lifecyclestage: stage });
    p.contactId = contact.id;
    opts.log(`${label}: HubSpot contact ${contact.id} (${p.first} ${p.last}, ${p.company}) → workflow ${leadWorkflowId(crmConnection, contact.id)}`);
  };
  const fault = async (rule: Record<string, unknown>, label: string) => {
    await fetch(`${sim.url}/__sim/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) });
    opts.log(`fault injected: ${label}`);
  };

  while (!opts.signal.aborted && (opts.count === undefined || n < opts.count)) {
    n++;
    const roll = Math.random();
    try {
      if (n % 2 === 0) await placeOrder();
      if (n % 5 === 0) await shipWaitingOrders();
      if (roll < 0.5 || people.length < 3) {
        const p = newPerson();
        people.push(p);
        await create(p, 'salesqualifiedlead', 'new qualified lead');
      } else if (roll < 0.65) {
        const p = newPerson();
        waitingForQualification.push(p);
        await create(p, 'lead', 'new lead, not qualified yet');
      } else if (roll < 0.75 && waitingForQualification.length > 0) {
        const p = waitingForQualification.shift()!;
        await crm.updateContact(p.contactId!, { lifecyclestage: 'opportunity' });
        opts.log(`lead qualified later: contact ${p.contactId} is now an opportunity`);
      } else if (roll < 0.85) {
        // The same person again, typed differently and with a private address: an operator's call.
        const original = pick(people);
        const twin: Person = { ...original, first: NICKNAMES[original.first] ?? original.first.toLowerCase(), company: original.company.replace(/ (Inc\.|GmbH|LLC|Ltd)$/, ''), phone: `+1415555${String(1000 + n)}`, email: `${original.last}.${n}.${Date.now().toString(36)}@mail.example`.toLowerCase() };
        await create(twin, 'salesqualifiedlead', `possible duplicate of ${original.first} ${original.last}`);
      } else if (roll < 0.9) {
        const p = { ...newPerson(), phone: '12' };
        await create(p, 'salesqualifiedlead', 'lead with an invalid phone number');
      } else if (roll < 0.95) {
        await fault({ method: 'GET', pathPattern: '^/crm/v3/objects/contacts/\\d+$', kind: 'status', status: 503, remaining: 2 }, 'HubSpot answers 503 twice');
      } else {
        await fault({ method: 'PATCH', pathPattern: '^/crm/v3/objects/contacts/\\d+$', kind: 'rate-limit', retryAfterSeconds: 3, remaining: 1 }, 'HubSpot answers 429 with Retry-After: 3');
      }
    } catch (err) {
      opts.log(`step failed (the demo goes on): ${(err as Error).message}`);
    }
    // Abortable, so that stopping the stack does not wait out the pause.
    await sleep(opts.intervalMs ?? 2500 + Math.random() * 1500, undefined, { signal: opts.signal }).catch(() => undefined);
  }
  await temporal.connection.close();
}

export interface DemoFeed {
  /** Settles when the feed ends, never with a rejection: a failed feed is logged instead. */
  done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * `npm start -- --demo`: the feed inside the stack's process. A feed that fails (the simulators gone, Temporal
 * unreachable) logs why and ends; it never takes the stack down with it, which keeps running until Ctrl-C.
 */
export function startDemoFeed(info: StackInfo, log: (line: string) => void, run: typeof runDemo = runDemo): DemoFeed {
  const controller = new AbortController();
  const done = Promise.resolve()
    .then(() => run(info, { signal: controller.signal, log }))
    .then(
      () => log('demo feed ended'),
      (err: unknown) => log(`demo feed stopped: ${err instanceof Error ? err.message : String(err)}; the stack keeps running (\`npm run demo\` starts a new feed)`),
    );
  return {
    done,
    async stop() {
      controller.abort();
      await done;
    },
  };
}

if (require.main === module) {
  const config = loadConfig();
  const file = join(dataDir(config.DATA_DIR), 'stack.json');
  let info: StackInfo;
  try {
    info = JSON.parse(readFileSync(file, 'utf8')) as StackInfo;
  } catch {
    console.error(`No running stack found (${file} is missing): start it first with \`npm start\`.`);
    process.exit(1);
  }
  if (!Array.isArray(info.connections)) {
    console.error(`${file} was written by an older \`npm start\`, which names no connections: restart the stack.`);
    process.exit(1);
  }
  const countArg = process.argv.find((a) => a.startsWith('--count='));
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  process.on('SIGTERM', () => controller.abort());
  const shops = info.connections.filter((c) => c.role === 'shop').map((c) => c.id).join(', ');
  console.log(`Feeding the simulators (CRM, shops ${shops}); watch ${info.temporal.uiUrl ?? 'the Temporal UI'}. Ctrl-C stops.`);
  runDemo(info, { signal: controller.signal, log: (l) => console.log(l), count: countArg ? Number(countArg.split('=')[1]) : undefined })
    .catch((err: unknown) => {
      console.error((err as Error).message);
      process.exit(1);
    });
}
