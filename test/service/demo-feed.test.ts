import { startDemoFeed } from '../../stack/demo';
import type { StackInfo } from '../../stack/stack-info';

/** `npm start -- --demo`: a feed that fails is logged and ends; it never rejects into the stack's process. */

const info: StackInfo = {
  startedAt: '2025-01-01T00:00:00.000Z',
  temporal: { address: '127.0.0.1:1', namespace: 'default', taskQueue: 'integration', uiUrl: null, embedded: true },
  databaseUrl: 'postgres://postgres:postgres@127.0.0.1:1/erp',
  connections: [{ id: 'shopify', role: 'shop', vendor: 'shopify' }],
  relay: { url: 'http://127.0.0.1:1', webhooks: { hubspot: 'h', shopify: 's', stripe: 'st' } },
  dashboard: { url: 'http://127.0.0.1:2', token: null },
  simulators: { hubspot: null, shopify: null, woocommerce: null, stripe: null },
  catalogue: [],
  secrets: {},
};

const unhandled: unknown[] = [];
const recordUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', recordUnhandled));
afterAll(() => process.off('unhandledRejection', recordUnhandled));

describe('the demo feed inside npm start', () => {
  it('logs why the real feed failed and settles, with no unhandled rejection', async () => {
    const lines: string[] = [];
    const feed = startDemoFeed(info, (line) => lines.push(line));
    await feed.done;
    expect(lines).toEqual([
      'demo feed stopped: the demo needs the simulators (RUN_SIMULATORS=true); the stack keeps running (`npm run demo` starts a new feed)',
    ]);
    // Give a stray rejection the turn of the event loop it needs to be reported.
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  });

  it('survives a feed that throws before its first await', async () => {
    const lines: string[] = [];
    const feed = startDemoFeed(info, (line) => lines.push(line), () => {
      throw new Error('boom');
    });
    await feed.done;
    expect(lines).toEqual(['demo feed stopped: boom; the stack keeps running (`npm run demo` starts a new feed)']);
  });

  it('stop() aborts a running feed and waits until it has ended, so the stack stops the pieces after it', async () => {
    const events: string[] = [];
    let running: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (running = resolve));
    const feed = startDemoFeed(info, (line) => events.push(line), async (_info, opts) => {
      const aborted = new Promise((resolve) => opts.signal.addEventListener('abort', resolve));
      running();
      await aborted;
      events.push('feed saw abort');
    });
    await started;
    await feed.stop();
    events.push('stop returned');
    expect(events).toEqual(['feed saw abort', 'demo feed ended', 'stop returned']);
  }, 10_000);
});
