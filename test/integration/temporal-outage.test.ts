import { join } from 'node:path';
import { HubspotClient } from '../../connectors/hubspot/client';
import { listIssues } from '../../engine/issues';
import { leadWorkflowId } from '../../workflows/lead/api';
import { startDevServer, type DevServerHandle } from '../../stack/temporal-server';
import { eventually, startHarness, type Harness } from '../support/harness';
import { freePort } from '../../stack/free-port';
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
  // Several hand-overs failed for the outage, and none counted as a failure: the rows wait, they do not become failed.
  const waiting = await eventually('repeated dispatch attempts', async () => {
    const r = await h.pool.query(`SELECT id, status, attempts, failures, last_error FROM integration.webhook_inbox ORDER BY id`);
    return r.rows.length >= 3 && r.rows.every((row) => row.status === 'pending' && row.attempts >= 2) ? r.rows : undefined;
  }, 60_000);
  for (const row of waiting) expect(row).toMatchObject({ failures: 0, last_error: expect.stringMatching(/^Temporal unreachable: /) });

  server = await startDevServer({ port, dbFilename, cliPath: process.env.TEMPORAL_CLI_PATH, log });
  await h.startWorker();

  for (const contact of contacts) {
    const result = await eventually(`conversion of ${contact.id}`, async () => {
      const handle = h.client.workflow.getHandle(leadWorkflowId('hubspot', contact.id));
      const d = await handle.describe().catch(() => undefined);
      return d?.status.name === 'COMPLETED' ? handle.result() : undefined;
    }, 90_000);
    expect(result).toMatchObject({ status: 'converted' });
  }
  // Later events (the write-back's own webhooks) may still be on their way: wait for the inbox to settle.
  const inbox = await eventually('every stored event dispatched', async () => {
    const r = await h.pool.query(`SELECT id, status, failures FROM integration.webhook_inbox ORDER BY id`);
    return r.rows.every((row) => row.status !== 'pending') ? r.rows : undefined;
  });
  expect(inbox.filter((row) => waiting.some((w) => w.id === row.id))).toEqual(waiting.map((w) => ({ id: w.id, status: 'dispatched', failures: 0 })));
  expect(inbox.filter((row) => row.status !== 'dispatched')).toEqual([]);
  expect(await listIssues(h.pool, { status: 'open' })).toEqual([]);
  const customers = await h.pool.query(`SELECT count(*)::int AS n FROM erp.customer WHERE email LIKE 'outage-%'`);
  expect(customers.rows[0].n).toBe(3);
});
