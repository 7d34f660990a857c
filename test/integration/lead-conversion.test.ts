import { WorkflowExecutionDescription } from '@temporalio/client';
import { HubspotClient } from '../../connectors/hubspot/client';
import { listIssues } from '../../engine/issues';
import { leadWorkflowId } from '../../workflows/lead/api';
import { decideUpdate, progressQuery } from '../../workflows/shared/operator-api';
import { eventually, startHarness, type Harness } from '../support/harness';
import { recordHistory } from '../support/histories';
import { clearFaults, injectFaults, simPost } from '../support/sim-control';

/** Lead -> CRM -> ERP end to end: HubSpot simulator -> signed webhooks -> relay -> Temporal -> worker -> PostgreSQL. */

let h: Harness;
let crm: HubspotClient;

beforeAll(async () => {
  h = await startHarness();
  crm = new HubspotClient({ baseUrl: h.hubspot.url, accessToken: h.accessToken });
});
afterAll(async () => h?.close());
// A test that fails half-way must not leave its faults to the next one.
afterEach(async () => {
  h.activityFaults.clear();
  await clearFaults(h.hubspot.url);
});

const customers = async (email?: string) =>
  (await h.pool.query('SELECT * FROM erp.customer WHERE ($1::text IS NULL OR email = $1) ORDER BY id', [email ?? null])).rows;

async function newLead(props: Record<string, string>) {
  return crm.createContact({ lifecyclestage: 'salesqualifiedlead', ...props });
}

/** Waits for the contact's workflow to finish and returns its result. */
async function converted(contactId: string) {
  const handle = h.client.workflow.getHandle(leadWorkflowId('hubspot', contactId));
  return eventually(`workflow of contact ${contactId}`, async () => {
    const d = await handle.describe().catch(() => undefined);
    return d && d.status.name !== 'RUNNING' ? handle.result() : undefined;
  });
}

async function erpNumberInCrm(contactId: string) {
  return eventually(`ERP number on contact ${contactId}`, async () => {
    const c = await crm.getContact(contactId, ['erp_customer_number']);
    return c.properties.erp_customer_number || undefined;
  });
}

test('a qualified lead becomes one ERP customer and the CRM learns its number', async () => {
  const contact = await newLead({ email: 'Grace.Hopper@Navy.MIL', firstname: 'grace', lastname: 'HOPPER', phone: '(202) 555-0143', company: 'US Navy' });
  const result = await converted(contact.id);
  expect(result).toMatchObject({ status: 'converted', created: true });
  const [customer] = await customers('grace.hopper@navy.mil');
  expect(customer).toMatchObject({ display_name: 'Grace Hopper', phone_e164: '+12025550143', company: 'US Navy' });
  expect(await erpNumberInCrm(contact.id)).toBe(customer.customer_number);
  const ref = await h.pool.query(`SELECT erp_id FROM erp.external_ref WHERE system = 'hubspot' AND entity_type = 'contact' AND external_id = $1`, [contact.id]);
  expect(ref.rows).toEqual([{ erp_id: customer.id }]);

  const description: WorkflowExecutionDescription = await h.client.workflow.getHandle(leadWorkflowId('hubspot', contact.id)).describe();
  const attributes = Object.fromEntries(description.typedSearchAttributes.getAll().map((p) => [p.key.name, p.value]));
  expect(attributes).toMatchObject({ BusinessKey: `hubspot:contact:${contact.id}`, Flow: 'lead', SourceSystem: 'hubspot', FlowState: 'converted', ErpRecord: customer.customer_number, CustomerEmail: 'grace.hopper@navy.mil' });
  expect(await description.staticSummary()).toContain(`HubSpot contact ${contact.id}`);
  await recordHistory(leadWorkflowId('hubspot', contact.id), 'lead-conversion-converted');
});

test('duplicate and redelivered webhooks give one customer and one inbox row per event', async () => {
  await simPost(h.hubspot.url, 'webhooks/config', { duplicates: 3 });
  const contact = await newLead({ email: 'dup@example.com', firstname: 'Dee', lastname: 'Upton' });
  await converted(contact.id);
  await simPost(h.hubspot.url, 'webhooks/redeliver', { count: 5 });
  await simPost(h.hubspot.url, 'webhooks/config', { duplicates: 1 });
  await erpNumberInCrm(contact.id);
  expect(await customers('dup@example.com')).toHaveLength(1);
  const inbox = await h.pool.query(`SELECT event_id, count(*)::int AS n FROM integration.webhook_inbox WHERE business_key = $1 GROUP BY event_id`, [`hubspot:contact:${contact.id}`]);
  expect(inbox.rows.length).toBeGreaterThan(0);
  expect(inbox.rows.every((r) => r.n === 1)).toBe(true);
});

test('an existing ERP customer with another email case is linked, not duplicated', async () => {
  // The customer came into the ERP another way (say, a shop order); HubSpot holds the same person typed differently.
  const existing = await h.pool.query(
    `INSERT INTO erp.customer (display_name, email, name_key) VALUES ('Ada Lovelace', 'ada@analytical.example', 'ada lovelace') RETURNING id, customer_number`,
  );
  const contact = await newLead({ email: 'ADA@Analytical.Example', firstname: 'ADA', lastname: 'lovelace' });
  expect(await converted(contact.id)).toMatchObject({ status: 'converted', created: false, customerNumber: existing.rows[0].customer_number });
  expect(await customers('ada@analytical.example')).toHaveLength(1);
  expect(await erpNumberInCrm(contact.id)).toBe(existing.rows[0].customer_number);
});

test('a lead that is not qualified yet waits, and converts when its stage is raised', async () => {
  const contact = await crm.createContact({ email: 'later@example.com', firstname: 'Lee', lastname: 'Later', lifecyclestage: 'lead' });
  expect(await converted(contact.id)).toEqual({ status: 'not-qualified', lifecycleStage: 'lead' });
  expect(await customers('later@example.com')).toHaveLength(0);
  await crm.updateContact(contact.id, { lifecyclestage: 'opportunity' });
  await erpNumberInCrm(contact.id);
  expect(await customers('later@example.com')).toHaveLength(1);
});

test('HubSpot 5xx and 429 with Retry-After are retried until the lead converts', async () => {
  await injectFaults(h.hubspot.url, [
    { method: 'GET', pathPattern: '^/crm/v3/objects/contacts/\\d+$', kind: 'status', status: 503, remaining: 2 },
    { method: 'PATCH', pathPattern: '^/crm/v3/objects/contacts/\\d+$', kind: 'rate-limit', retryAfterSeconds: 1, remaining: 2 },
  ]);
  const contact = await newLead({ email: 'storm@example.com', firstname: 'Stormy', lastname: 'Weather' });
  expect(await converted(contact.id)).toMatchObject({ status: 'converted' });
  expect(await erpNumberInCrm(contact.id)).toMatch(/^C-\d+$/);
  const faults = await (await fetch(`${h.hubspot.url}/__sim/faults`)).json() as { faults: Array<{ remaining: number }> };
  expect(faults.faults.every((f) => f.remaining === 0)).toBe(true);
  expect(await listIssues(h.pool, { workflowId: leadWorkflowId('hubspot', contact.id) })).toEqual([]);
  await recordHistory(leadWorkflowId('hubspot', contact.id), 'lead-conversion-vendor-retries');
});

test('an ambiguous match waits for an operator, then links as decided', async () => {
  const original = await newLead({ email: 'john.smith@acme.example', firstname: 'John', lastname: 'Smith', company: 'Acme Inc.' });
  await converted(original.id);
  const [existing] = await customers('john.smith@acme.example');
  const lookalike = await newLead({ email: 'jsmith@gmail.example', firstname: 'Jon', lastname: 'Smith', company: 'ACME' });
  const handle = h.client.workflow.getHandle(leadWorkflowId('hubspot', lookalike.id));

  const issue = await eventually('an open issue', async () => (await listIssues(h.pool, { workflowId: handle.workflowId, status: 'open' }))[0]);
  expect(issue).toMatchObject({ kind: 'ambiguous-match', step: 'resolve-match', allowedDecisions: ['link', 'create-new', 'skip', 'compensate'] });
  expect(issue.message).toContain(existing.customer_number);
  const progress = await handle.query(progressQuery);
  expect(progress).toMatchObject({ state: 'waiting-operator', waitingFor: { issueId: issue.id } });
  const attrs = (await handle.describe()).typedSearchAttributes.getAll();
  expect(attrs.find((a) => a.key.name === 'NeedsAttention')?.value).toBe(true);

  await expect(handle.executeUpdate(decideUpdate, { args: [{ decision: { action: 'retry' } }] }))
    .rejects.toMatchObject({ cause: { message: expect.stringMatching(/"retry" is not allowed/) } });
  // A customer number that is not in the ERP is not applied: the same question comes back, saying why.
  await handle.executeUpdate(decideUpdate, { args: [{ decision: { action: 'link', customerNumber: 'C-999999' }, operator: 'test' }] });
  const again = await eventually('the question again', async () => (await listIssues(h.pool, { workflowId: handle.workflowId, status: 'open' })).find((i) => i.id !== issue.id));
  expect(again).toMatchObject({ kind: 'ambiguous-match', message: expect.stringContaining('C-999999 does not exist') });
  await handle.executeUpdate(decideUpdate, { args: [{ decision: { action: 'link', customerNumber: existing.customer_number }, operator: 'test' }] });
  expect(await handle.result()).toMatchObject({ status: 'converted', customerNumber: existing.customer_number, created: false });
  expect(await customers('jsmith@gmail.example')).toHaveLength(0);
  const resolved = await listIssues(h.pool, { workflowId: handle.workflowId });
  expect(resolved.map((i) => [i.status, i.resolution])).toEqual([
    ['resolved', { action: 'link', customerNumber: 'C-999999' }],
    ['resolved', { action: 'link', customerNumber: existing.customer_number }],
  ]);
  await recordHistory(handle.workflowId, 'lead-conversion-ambiguous-linked');
});

test('a step that keeps failing opens an issue; compensate undoes the customer it created', async () => {
  await injectFaults(h.hubspot.url, [{ method: 'PATCH', pathPattern: '^/crm/v3/objects/contacts/\\d+$', kind: 'status', status: 403, remaining: 1000 }]);
  const contact = await newLead({ email: 'blocked@example.com', firstname: 'Bea', lastname: 'Blocked' });
  const handle = h.client.workflow.getHandle(leadWorkflowId('hubspot', contact.id));
  const issue = await eventually('an open issue', async () => (await listIssues(h.pool, { workflowId: handle.workflowId, status: 'open' }))[0]);
  expect(issue).toMatchObject({ kind: 'step-failed', step: 'write-back-erp-id', allowedDecisions: ['retry', 'skip', 'compensate'] });
  expect(await customers('blocked@example.com')).toHaveLength(1);

  // A retry while the fault persists opens the issue again; then the operator gives up and compensates.
  await handle.executeUpdate(decideUpdate, { args: [{ decision: { action: 'retry' } }] });
  const again = await eventually('a new issue', async () => (await listIssues(h.pool, { workflowId: handle.workflowId, status: 'open' })).find((i) => i.id !== issue.id));
  expect(again).toMatchObject({ step: 'write-back-erp-id', kind: 'step-failed' });
  await clearFaults(h.hubspot.url);
  await handle.executeUpdate(decideUpdate, { args: [{ decision: { action: 'compensate' }, issueId: again.id }] });
  expect(await handle.result()).toEqual({ status: 'compensated', undone: ['write-back-erp-id', 'bind-customer'] });
  expect(await customers('blocked@example.com')).toHaveLength(0);
  const refs = await h.pool.query(`SELECT 1 FROM erp.external_ref WHERE external_id = $1 AND system = 'hubspot'`, [contact.id]);
  expect(refs.rowCount).toBe(0);
  await recordHistory(handle.workflowId, 'lead-conversion-compensated');
});

test('an operator retry after the CRM is fixed completes the flow', async () => {
  await injectFaults(h.hubspot.url, [{ method: 'PATCH', pathPattern: '^/crm/v3/objects/contacts/\\d+$', kind: 'status', status: 400, remaining: 1 }]);
  const contact = await newLead({ email: 'fixed@example.com', firstname: 'Fay', lastname: 'Fixed' });
  const handle = h.client.workflow.getHandle(leadWorkflowId('hubspot', contact.id));
  const issue = await eventually('an open issue', async () => (await listIssues(h.pool, { workflowId: handle.workflowId, status: 'open' }))[0]);
  await handle.executeUpdate(decideUpdate, { args: [{ decision: { action: 'retry' }, issueId: issue.id }] });
  expect(await handle.result()).toMatchObject({ status: 'converted' });
  expect(await erpNumberInCrm(contact.id)).toMatch(/^C-/);
});

/**
 * A contact converted by an earlier run changes again: the next run of the same workflow id breaks at its bind
 * step and waits for an operator. Returns what the earlier run made, and the waiting run.
 */
async function laterRunWaitingAtBind(email: string) {
  const contact = await newLead({ email, firstname: 'Tess', lastname: 'Twice' });
  expect(await converted(contact.id)).toMatchObject({ status: 'converted' });
  const customerNumber = await erpNumberInCrm(contact.id);
  const [customer] = await customers(email);
  expect(customer).toMatchObject({ customer_number: customerNumber });
  h.activityFaults.set('bindCustomer', { remaining: 1 });
  await crm.updateContact(contact.id, { phone: '+1 202 555 0199' });
  const handle = h.client.workflow.getHandle(leadWorkflowId('hubspot', contact.id));
  const issue = await eventually('the later run waiting at bind-customer', async () =>
    (await listIssues(h.pool, { workflowId: handle.workflowId, status: 'open' })).find((i) => i.step === 'bind-customer'));
  return { contact, customer, customerNumber, handle, issue };
}

async function expectStillConverted(contactId: string, email: string, customer: { id: number }, customerNumber: string) {
  expect(await customers(email)).toEqual([expect.objectContaining({ id: customer.id, customer_number: customerNumber })]);
  const refs = await h.pool.query(`SELECT erp_id FROM erp.external_ref WHERE system = 'hubspot' AND entity_type = 'contact' AND external_id = $1`, [contactId]);
  expect(refs.rows).toEqual([{ erp_id: customer.id }]);
  expect((await crm.getContact(contactId, ['erp_customer_number'])).properties.erp_customer_number).toBe(customerNumber);
}

test('a later run that is compensated leaves the customer and binding an earlier run created', async () => {
  const { contact, customer, customerNumber, handle, issue } = await laterRunWaitingAtBind('twice@example.com');
  await handle.executeUpdate(decideUpdate, { args: [{ decision: { action: 'compensate' }, issueId: issue.id, operator: 'test' }] });
  expect(await handle.result()).toEqual({ status: 'compensated', undone: ['bind-customer'] });
  await expectStillConverted(contact.id, 'twice@example.com', customer, customerNumber);
});

test('a later run that is cancelled leaves the customer and binding an earlier run created', async () => {
  const { contact, customer, customerNumber, handle } = await laterRunWaitingAtBind('thrice@example.com');
  await handle.cancel();
  await expect(handle.result()).rejects.toMatchObject({ cause: { name: 'CancelledFailure' } });
  await expectStillConverted(contact.id, 'thrice@example.com', customer, customerNumber);
});
