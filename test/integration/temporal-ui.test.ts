import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { listIssues } from '../../engine/issues';
import { startDevServer, type DevServerHandle } from '../../stack/temporal-server';
import { launchChromium } from '../support/chromium';
import { eventually, startHarness, type Harness } from '../support/harness';
import { reachesState, ship } from '../support/orders';
import { freePort } from '../../stack/free-port';
import { shopDriver } from '../support/shop-drivers';

/**
 * The Temporal Web UI, proven in a real browser: an operator finds an order parked for a decision by the order
 * number the customer quotes, opens it, sends the decision from the UI, and sees the flow complete. The test runs
 * its own dev server with the UI on (the shared one is headless), and keeps a screenshot of each step in
 * test-artifacts/temporal-ui/.
 */

const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'temporal-ui');
const UI_TIMEOUT = 60_000;

describe('Temporal Web UI', () => {
  let server: DevServerHandle;
  let h: Harness;
  let browser: Browser;
  let page: Page;
  let ui: string;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const log = (line: string) => process.stderr.write(`[temporal-ui test] ${line}\n`);
    server = await startDevServer({ port: await freePort(), uiPort: await freePort(), cliPath: process.env.TEMPORAL_CLI_PATH, log });
    ui = server.uiUrl!;
    await eventually('the Web UI to answer', async () => ((await fetch(`${ui}/api/v1/settings`)).ok ? true : undefined));
    h = await startHarness({ temporalAddress: server.address });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    page.setDefaultTimeout(UI_TIMEOUT);
    page.setDefaultNavigationTimeout(UI_TIMEOUT);
    // What the page itself complains about goes with the screenshots.
    const consoleLog = join(ARTIFACTS, 'browser-console.log');
    writeFileSync(consoleLog, '');
    page.on('console', (m) => appendFileSync(consoleLog, `${m.type()}: ${m.text()}\n`));
    page.on('pageerror', (e) => appendFileSync(consoleLog, `pageerror: ${e.message}\n`));
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await h?.close();
    await server?.stop();
  });

  /** A screenshot and the page's accessibility tree, named by step. */
  async function snapshot(name: string): Promise<void> {
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    writeFileSync(join(ARTIFACTS, `${name}.aria.yml`), await page.locator('body').ariaSnapshot());
  }

  /** Clicks, or on failure keeps what the page looked like for whoever reads the failure. */
  async function step<T>(name: string, action: () => Promise<T>): Promise<T> {
    try {
      const result = await action();
      await snapshot(name);
      return result;
    } catch (err) {
      await snapshot(`${name}-failed`).catch(() => undefined);
      throw err;
    }
  }

  // Generous: a browser, a second dev server and the engine share two cores with the rest of the suite.
  test('an operator finds a parked order by its number, decides retry from the UI, and the flow completes', async () => {
    const shop = shopDriver(h, 'shopify');
    await shop.seedProduct('TEE', 100, 2500);
    // The invoice cannot be posted: the order waits for an operator at post-invoice.
    h.activityFaults.set('postInvoice', { remaining: 1 });
    const placed = await shop.placeOrder({ lines: [{ sku: 'TEE', quantity: 1, unitPriceMinor: 2500 }], payment: 'authorized' });
    const number = placed.order.name.replace(/^#/, '');
    const issue = await eventually('the order parked for an operator', async () =>
      (await listIssues(h.pool, { workflowId: placed.workflowId, status: 'open' })).find((i) => i.step === 'post-invoice'));
    await reachesState(h, placed.workflowId, 'waiting-operator');

    // 1. The workflow list, filtered by the order number people quote, with the business-key and state columns.
    const query = `ShopOrderNumber = "${number}"`;
    await eventually('the order visible to the query', async () => {
      for await (const found of h.client.workflow.list({ query })) if (found.workflowId === placed.workflowId) return true;
      return undefined;
    });
    await step('01-list-by-order-number', async () => {
      await page.goto(`${ui}/namespaces/default/workflows?query=${encodeURIComponent(query)}`);
      await page.getByRole('link', { name: placed.workflowId }).waitFor();
      await expect(rowsOf(page)).resolves.toEqual([expect.stringContaining(placed.workflowId)]);
    });
    await step('02-list-with-columns', async () => {
      await addColumns(page, ['ShopOrderNumber', 'FlowState', 'NeedsAttention']);
      const row = page.getByRole('row').filter({ hasText: placed.workflowId });
      await row.getByText('waiting-operator').waitFor();
      await row.getByText(number, { exact: true }).waitFor();
    });

    // 2. The workflow: its summary names the order number, its current details the open issue.
    await step('03-workflow-waiting', async () => {
      await page.getByRole('link', { name: placed.workflowId }).first().click();
      await page.getByRole('heading', { level: 1, name: placed.workflowId }).waitFor();
      // The summary (set at start from the webhook) and the current details (the flow's state and its order).
      // The UI renders both as Markdown in frames of their own.
      await page.getByRole('tab', { name: 'User Metadata' }).click();
      const [summary, details] = metadataFrames(page);
      await summary.getByText(`Order ${placed.order.name} (Shopify ${placed.order.id})`).waitFor();
      await details.getByText(`issue #${issue.id} at post-invoice`).waitFor();
      await details.getByText(`Order ${placed.order.name} · shopify order ${placed.order.id}`).waitFor();
    });

    // 3. The decision, sent from the UI as the validated update `decide`.
    await step('04-decision-sent', async () => {
      await page.getByRole('button', { name: 'More Actions' }).click();
      await page.getByRole('menuitem', { name: 'Send an Update' }).click();
      const dialog = page.getByRole('dialog', { name: /Send an Update/ });
      await chooseName(page, dialog, 'decide');
      await typeJson(page, dialog, JSON.stringify({ decision: { action: 'retry' }, operator: 'ui-test', issueId: issue.id }));
      await dialog.getByRole('button', { name: 'Submit' }).click();
      // The UI closes the dialog once the update is accepted (a refused one keeps it open with the reason); its
      // "Update successful" toast is in the screenshot. The issue log below proves who decided what.
      await dialog.waitFor({ state: 'hidden' });
    });
    const decided = await eventually('the issue resolved by the UI\'s decision', async () => {
      const found = (await listIssues(h.pool, { workflowId: placed.workflowId })).find((i) => i.id === issue.id);
      return found?.status === 'resolved' ? found : undefined;
    });
    expect(decided).toMatchObject({ resolution: { action: 'retry' }, resolvedBy: 'ui-test' });

    // 4. The invoice is posted on retry; the warehouse ships; the flow completes, as the UI shows.
    await reachesState(h, placed.workflowId, 'awaiting-shipment');
    await ship(h, placed.workflowId);
    await expect(h.client.workflow.getHandle(placed.workflowId).result()).resolves.toMatchObject({ status: 'fulfilled' });
    await step('05-workflow-completed', async () => {
      await page.reload();
      await page.getByRole('heading', { level: 1, name: placed.workflowId }).waitFor();
      await page.getByText('Completed', { exact: true }).first().waitFor();
      await page.getByRole('tab', { name: 'User Metadata' }).click();
      await metadataFrames(page)[1].getByText('fulfilled', { exact: true }).waitFor();
    });
    await step('06-list-completed', async () => {
      await page.goto(`${ui}/namespaces/default/workflows?query=${encodeURIComponent(`${query} AND ExecutionStatus = "Completed"`)}`);
      await page.getByRole('link', { name: placed.workflowId }).waitFor();
    });
  }, 600_000);
});

/** The User Metadata tab's summary and current details, each rendered in its own frame. */
function metadataFrames(page: Page): [FrameLocator, FrameLocator] {
  return [page.locator('iframe').first().contentFrame(), page.locator('iframe').last().contentFrame()];
}

/** The workflow list's data rows, as text. */
async function rowsOf(page: Page): Promise<string[]> {
  const table = page.getByRole('table', { name: 'Workflows' });
  const rows = table.getByRole('row');
  const texts = await rows.allInnerTexts();
  return texts.slice(1).map((t) => t.replace(/\s+/g, ' ').trim()).filter(Boolean);
}

/** What the runbook tells operators to do: add search attributes as columns (the table's configuration drawer). */
async function addColumns(page: Page, names: string[]): Promise<void> {
  await page.getByTestId('workflows-summary-table-configuration-button').click();
  for (const name of names) await page.getByRole('button', { name: `Add ${name} column` }).click();
  await page.getByRole('button', { name: 'Remove Run ID column' }).click();
  await page.getByRole('button', { name: 'Close Workflows Table configuration' }).click();
  await page.getByRole('heading', { name: 'Configure Workflows Table' }).waitFor({ state: 'hidden' });
}

/** The update's name, chosen from the updates the workflow itself declares (the UI asks its worker). */
async function chooseName(page: Page, dialog: Locator, name: string): Promise<void> {
  await dialog.getByRole('button', { name: 'Select an Update' }).click();
  await page.getByRole('option', { name, exact: true }).or(page.getByRole('menuitem', { name, exact: true })).first().click();
}

/**
 * The JSON input goes into the dialog's code editor. The UI re-formats it when the editor loses focus, which moves
 * the buttons below: blur first and wait for the formatted text, so the next click lands where it aims.
 */
async function typeJson(page: Page, dialog: Locator, json: string): Promise<void> {
  const editor = dialog.locator('.cm-content').last();
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(json);
  // Focus the update id field (harmless): the editor loses focus and the UI formats the JSON.
  await dialog.getByRole('textbox').nth(1).click();
  await eventually('the input re-formatted by the UI', async () => ((await editor.innerText()).trim().split('\n').length > 1 ? true : undefined));
}
