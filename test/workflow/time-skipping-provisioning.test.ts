import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onPath } from '../../stack/go-install';
import { ensureTestServer } from '../support/time-skipping';

/** Without Java or Maven the workflow tests fail (never skip), saying what to install. */

const saved = { PATH: process.env.PATH, JAVA_HOME: process.env.JAVA_HOME, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
let scratch: string;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'time-skipping-'));
  delete process.env.JAVA_HOME;
  process.env.XDG_CACHE_HOME = join(scratch, 'cache'); // nothing provisioned yet
});
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rmSync(scratch, { recursive: true, force: true });
});

test('without Java the provisioning fails naming Java', async () => {
  process.env.PATH = join(scratch, 'empty');
  await expect(ensureTestServer(() => undefined)).rejects.toThrow(/needs Java 17 or later .*openjdk-17-jre-headless/);
});

test('with Java but without Maven (and nothing cached) it fails naming Maven', async () => {
  const java = onPath('java');
  expect(java).toBeDefined(); // this machine runs the workflow tests, so it has Java
  symlinkSync(java!, join(scratch, 'java'));
  process.env.PATH = scratch;
  await expect(ensureTestServer(() => undefined)).rejects.toThrow(/needs Maven .*apt-get install maven/);
});
