import { Worker } from '@temporalio/worker';
import { HubspotClient } from '../../connectors/hubspot/client';
import { listIssues } from '../../engine/issues';
import { leadWorkflowId } from '../../workflows/lead/api';
import { decideUpdate } from '../../workflows/shared/operator-api';
import type { LeadConversionResult } from '../../workflows/lead/workflow';
import { eventually, startHarness, type Harness } from '../support/harness';
import { clearFaults, injectFaults } from '../support/sim-control';

/** A contact that keeps changing: its lead flow continues as new instead of growing one endless history. */

const PASSES_PER_RUN = 2;
let h: Harness;
let crm: HubspotClient;

beforeAll(async () => {
  h = await startHarness({ leadPolicy: { qualifyingStage: 'salesqualifiedlead', defaultPhoneCountry: 'US', passesPerRun: PASSES_PER_RUN } });
  crm = new HubspotClient({ baseUrl: h.hubspot.url, accessToken: h.accessToken });
});
afterAll(async () => h?.close());
afterEach(async () => {
  h.activityFaults.clear();
  await clearFaults(h.hubspot.url);
});

async function runsOf(workflowId: string) {
  const runs: Array<{ runId: string; status: string }> = [];
  for await (const w of h.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push({ runId: w.runId, status: w.status.name });
  return runs;
}

/** Until the inbox has handed every event about the contact to Temporal: paces the changes to the relay's speed. */
async function eventsDispatched(contactId: string) {
  await eventually('events dispatched', async () => {
    const { rows } = await h.pool.query(`SELECT count(*)::int AS n FROM integration.webhook_inbox WHERE business_key = $1 AND status = 'pending'`, [
      `hubspot:contact:${contactId}`,
    ]);
    return rows[0].n === 0 ? true : undefined;
  });
}

/**
 * Creates a qualified contact and keeps changing it until its flow has continued as new. Slow CRM reads keep every
 * pass open long enough for the next change to arrive during it. Returns the first run and the one that continued.
 */
async function restlessContact(email: string) {
  await injectFaults(h.hubspot.url, [{ method: 'GET', pathPattern: '^/crm/v3/objects/contacts/\\d+$', kind: 'delay', delayMs: 1000, remaining: 1000 }]);
  const contact = await crm.createContact({ lifecyclestage: 'salesqualifiedlead', email, firstname: 'Rhea', lastname: 'Restless' });
  const workflowId = leadWorkflowId('hubspot', contact.id);
  const firstRun = await eventually('the first run', async () => (await h.client.workflow.getHandle(workflowId).describe().catch(() => undefined))?.runId);
  let change = 0;
  const continued = await eventually('a run that continued as new', async () => {
    await crm.updateContact(contact.id, { firstname: `Rhea${++change}` });
    await eventsDispatched(contact.id);
    return (await runsOf(workflowId)).find((r) => r.status === 'CONTINUED_AS_NEW');
  }, 120_000);
  await clearFaults(h.hubspot.url);
  return { contact, workflowId, firstRun, continued };
}

async function expectOneBoundCustomer(contactId: string, email: string) {
  const customers = await h.pool.query(`SELECT id, customer_number FROM erp.customer WHERE email = $1`, [email]);
  expect(customers.rows).toHaveLength(1);
  const refs = await h.pool.query(`SELECT erp_id FROM erp.external_ref WHERE system = 'hubspot' AND external_id = $1`, [contactId]);
  expect(refs.rows).toEqual([{ erp_id: customers.rows[0].id }]);
  expect((await crm.getContact(contactId, ['erp_customer_number'])).properties.erp_customer_number).toBe(customers.rows[0].customer_number);
}

test('a contact that keeps changing continues as new, carrying its passes, and ends converted with one customer', async () => {
  const { contact, workflowId, firstRun, continued } = await restlessContact('restless@example.com');
  expect(continued.runId).toBe(firstRun);

  // The chain from the first run (result() follows continue-as-new) ends converted, with the passes of every run.
  const result: LeadConversionResult = await h.client.workflow.getHandle(workflowId, firstRun).result();
  expect(result).toMatchObject({ status: 'converted', created: true });
  expect(result.status === 'converted' && result.passes).toBeGreaterThan(PASSES_PER_RUN);
  expect(new Set((await runsOf(workflowId)).map((r) => r.runId)).size).toBeGreaterThan(1);
  await expectOneBoundCustomer(contact.id, 'restless@example.com');
  // The run that continued as new replays on today's code (the hand-over is behind a patch marker).
  const history = await h.client.workflow.getHandle(workflowId, firstRun).fetchHistory();
  await expect(Worker.runReplayHistory({ workflowBundle: { codePath: process.env.TEST_WORKFLOW_BUNDLE! } }, history, workflowId)).resolves.toBeUndefined();
  // The next run of the chain is still found by its business key.
  const later = await h.client.workflow.getHandle(workflowId).describe();
  expect(later.typedSearchAttributes.getAll().find((a) => a.key.name === 'BusinessKey')?.value).toBe(`hubspot:contact:${contact.id}`);
});

test("compensating a run after continue-as-new keeps the earlier runs' committed customer and binding", async () => {
  const { contact, workflowId } = await restlessContact('committed@example.com');
  h.activityFaults.set('bindCustomer', { remaining: 1 });
  await crm.updateContact(contact.id, { firstname: 'Rhea Again' });
  const issue = await eventually('a later run waiting at bind-customer', async () =>
    (await listIssues(h.pool, { workflowId, status: 'open' })).find((i) => i.step === 'bind-customer'));
  const handle = h.client.workflow.getHandle(workflowId);
  await handle.executeUpdate(decideUpdate, { args: [{ decision: { action: 'compensate' }, issueId: issue.id, operator: 'test' }] });
  expect(await handle.result()).toMatchObject({ status: 'compensated', undone: expect.arrayContaining(['bind-customer']) });
  await expectOneBoundCustomer(contact.id, 'committed@example.com');
});
