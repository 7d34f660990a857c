import { join } from 'node:path';
import { HubspotClient } from '../../connectors/hubspot/client';
import { leadWorkflowId } from '../../relay/routes';
import { startDevServer, type DevServerHandle } from '../../stack/temporal-server';
import { eventually, startHarness, type Harness } from '../support/harness';
import { freePort } from '../support/ports';
import { simGet } from '../support/sim-control';

/** Temporal goes away while webhooks keep arriving: the relay still answers 2xx, keeps them, and delivers them later. */

let server: DevServerHandle | undefined;
let h: Harness;
let port: number;
const dbFilename = join(process.env.TEST_SCRATCH_DIR ?? '/tmp', `outage-${process.pid}.db`);
const log = () => undefined;

beforeAll(async () => {
  port = await freePort();
  server = await startDevServer({ port, dbFilename, cliPath: process.env.TEMPORAL_CLI_PATH, log });
  h = await startHarness({ temporalAddress: server.address });
});
afterAll(async () => {
  await h?.close();
  await server?.stop();
});

test('webhooks received while Temporal is down are kept and dispatched once it is back', async () => {
  const crm = new HubspotClient({ baseUrl: h.hubspot.url, accessToken: h.accessToken });
  await h.stopWorker();
  await server!.stop();
  server = undefined;

  const contacts = await Promise.all(['one', 'two', 'three'].map((n) =>
    crm.createContact({ email: `outage-${n}@example.com`, firstname: 'Out', lastname: n, lifecyclestage: 'customer' })));

  // The relay accepted every delivery (no redelivery needed) and the events wait in the inbox.
  const deliveries = await eventually('deliveries', async () => {
    const { deliveries: d } = await simGet<{ deliveries: Array<{ ok: boolean; status: number }> }>(h.hubspot.url, 'deliveries');
    return d.length >= 3 ? d : undefined;
  });
  expect(deliveries.every((d) => d.ok && d.status === 200)).toBe(true);
  const waiting = await eventually('a failed dispatch attempt', async () => {
    const r = await h.pool.query(`SELECT status, attempts, last_error FROM integration.webhook_inbox`);
    return r.rows.length > 0 && r.rows.every((row) => row.status === 'pending' && row.attempts > 0) ? r.rows : undefined;
  }, 30_000);
  expect(waiting.length).toBeGreaterThanOrEqual(3);

  server = await startDevServer({ port, dbFilename, cliPath: process.env.TEMPORAL_CLI_PATH, log });
  await h.startWorker();

  for (const contact of contacts) {
    const result = await eventually(`conversion of ${contact.id}`, async () => {
      const handle = h.client.workflow.getHandle(leadWorkflowId(contact.id));
      const d = await handle.describe().catch(() => undefined);
      return d?.status.name === 'COMPLETED' ? handle.result() : undefined;
    }, 90_000);
    expect(result).toMatchObject({ status: 'converted' });
  }
  const inbox = await h.pool.query(`SELECT status, count(*)::int AS n FROM integration.webhook_inbox GROUP BY status`);
  expect(inbox.rows).toEqual([{ status: 'dispatched', n: waiting.length }]);
  const customers = await h.pool.query(`SELECT count(*)::int AS n FROM erp.customer WHERE email LIKE 'outage-%'`);
  expect(customers.rows[0].n).toBe(3);
});
