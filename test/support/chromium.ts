import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';

/**
 * Browser tests drive Debian's own Chromium through playwright-core (no browser download from a CDN). The tests
 * provision it themselves: when /usr/bin/chromium is missing and we are root on a Debian-like system (as CI is),
 * `apt-get install -y chromium` installs it; otherwise the error says what to run. CHROMIUM_PATH overrides the path.
 */

const run = promisify(execFile);
export const DEFAULT_CHROMIUM_PATH = '/usr/bin/chromium';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// One installation per process, however many test files ask at once.
let installing: Promise<string> | undefined;

/** The path of an executable Chromium, installing Debian's package first when it is absent. */
export function ensureChromium(log: (line: string) => void = (l) => process.stderr.write(`[chromium] ${l}\n`)): Promise<string> {
  const path = process.env.CHROMIUM_PATH || DEFAULT_CHROMIUM_PATH;
  if (isExecutable(path)) return Promise.resolve(path);
  installing ??= install(path, log);
  return installing;
}

async function install(path: string, log: (line: string) => void): Promise<string> {
  const manual = `install it (Debian/Ubuntu as root: apt-get update && apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary`;
  if (process.env.CHROMIUM_PATH) throw new Error(`CHROMIUM_PATH=${path} is not an executable file: ${manual}`);
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new Error(`Chromium is not installed at ${path} and the tests are not running as root, so they cannot install it: ${manual}`);
  }
  if (!isExecutable('/usr/bin/apt-get')) throw new Error(`Chromium is not installed at ${path} and this system has no apt-get: ${manual}`);
  const started = Date.now();
  log(`${path} is missing: installing Debian's chromium package (apt-get, about a minute)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['update'], { env, maxBuffer: 64 * 1024 * 1024 });
    await run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env, maxBuffer: 64 * 1024 * 1024 });
  } catch (err) {
    const detail = (err as { stderr?: string }).stderr?.trim().split('\n').slice(-3).join(' / ') ?? String(err);
    throw new Error(`apt-get could not install chromium (${detail}): ${manual}`);
  }
  if (!isExecutable(path)) throw new Error(`apt-get installed chromium but ${path} is still missing: ${manual}`);
  log(`chromium installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return path;
}

/** A headless Chromium for a test file; close it in afterAll. */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await ensureChromium();
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
}
