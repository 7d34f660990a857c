import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateSecrets } from '../../stack/secrets';
import { writeStackInfo, type StackInfo } from '../../stack/stack-info';

/** The files npm start leaves in .data/ that hold local secrets are readable by their owner only. */

const dir = mkdtempSync(join(tmpdir(), 'stack-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (file: string) => (statSync(file).mode & 0o777).toString(8);

const info: StackInfo = {
  startedAt: '2025-01-01T00:00:00.000Z',
  temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'integration', uiUrl: 'http://127.0.0.1:8233', embedded: true },
  databaseUrl: 'postgres://postgres:postgres@127.0.0.1:5433/erp',
  connections: [{ id: 'shopify', role: 'shop', vendor: 'shopify' }],
  relay: { url: 'http://127.0.0.1:3000', webhooks: { hubspot: 'h', shopify: 's', stripe: 'st' } },
  dashboard: { url: 'http://127.0.0.1:3100', token: null },
  simulators: { hubspot: { url: 'http://127.0.0.1:4010', accessToken: 'pat-local-secret' }, shopify: null, woocommerce: null, stripe: null },
  catalogue: [],
  secrets: { STRIPE_WEBHOOK_SECRET: 'whsec_local' },
};

describe('.data files with secrets', () => {
  it('writes stack.json with mode 0600, also over a readable one an older version left', () => {
    const fresh = writeStackInfo(dir, info);
    expect(modeOf(fresh)).toBe('600');
    chmodSync(fresh, 0o644);
    writeStackInfo(dir, { ...info, startedAt: '2025-01-02T00:00:00.000Z' });
    expect(modeOf(fresh)).toBe('600');
    expect(JSON.parse(readFileSync(fresh, 'utf8'))).toMatchObject({ startedAt: '2025-01-02T00:00:00.000Z', secrets: info.secrets });
  });

  it('writes secrets.json with mode 0600, also over a readable one, keeping the stored secrets', () => {
    const file = join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ STRIPE_API_KEY: 'sk_test_kept' }), { mode: 0o644 });
    const secrets = loadOrCreateSecrets(dir, {});
    expect({ mode: modeOf(file), key: secrets.STRIPE_API_KEY }).toEqual({ mode: '600', key: 'sk_test_kept' });
  });
});
