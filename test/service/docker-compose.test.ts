import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configuredConnections, envSchema, loadConfig } from '../../config/env';
import { PROJECT_ROOT } from '../../config/paths';
import { ALL_SEARCH_ATTRIBUTES } from '../../domain/search-attributes';
import { composeCheckPath } from '../../stack/go-tools';

/**
 * Keeps docker-compose.yml and the Dockerfile true to the code: the compose file must validate, every engine
 * service must start an entry point that the build produces, set only settings that config/env.ts knows (with
 * values it accepts), and register exactly the search attributes that the flows set.
 *
 * Validation runs the Compose specification's own loader (compose-go, the library inside `docker compose`) through
 * test/support/compose-check, which the service tests' global setup builds with Go: schema, ${VAR:-default} and
 * ${VAR:?message} interpolation, merge keys and consistency checks, without a Docker engine. Its JSON rendering is
 * what the cross-checks read.
 */

const COMPOSE_FILE = join(PROJECT_ROOT, 'docker-compose.yml');
const DOCKERFILE = join(PROJECT_ROOT, 'Dockerfile');
const DOCKERIGNORE = join(PROJECT_ROOT, '.dockerignore');

type Scalar = string | number | boolean | null;
type Env = Record<string, string | undefined>;
interface ServiceDef {
  image?: string;
  build?: unknown;
  command?: string | string[] | null;
  entrypoint?: string | string[] | null;
  environment?: Record<string, Scalar> | string[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  ports?: Array<{ host_ip?: string; target: number; published?: string }>;
  volumes?: Array<{ type: string; source?: string; target: string }>;
}
interface ComposeDoc {
  services: Record<string, ServiceDef>;
}

// ---------------------------------------------------------------------------------------------- tools

let composeCheck: string;
beforeAll(async () => {
  composeCheck = await composeCheckPath();
}, 600_000); // generous: builds the checker when run without the service project's global setup

/** Strips // and block comments so that a tsconfig with comments still parses. */
function readJsonc(path: string): Record<string, unknown> {
  const text = readFileSync(path, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  return JSON.parse(text) as Record<string, unknown>;
}

// --------------------------------------------------------------------------------- compose rendering

const rawCompose = existsSync(COMPOSE_FILE) ? readFileSync(COMPOSE_FILE, 'utf8') : '';
const uncommented = rawCompose.split('\n').filter((line) => !/^\s*#/.test(line)).join('\n');

/** Variables written ${VAR:?message}: the stack must not start without them. */
const REQUIRED_VARS = [...new Set([...uncommented.matchAll(/(?<!\$)\$\{([A-Za-z_]\w*):?\?/g)].map((m) => m[1] as string))];

/** A clean environment, so that the developer's own shell does not change what is checked. */
function composeEnv(withRequired: boolean): Env {
  // Every optional profile too (the simulators), so that their services are checked like the others.
  const env: Env = { PATH: process.env.PATH, HOME: process.env.HOME ?? tmpdir(), LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', COMPOSE_PROFILES: '*' };
  // Stand-in values of the right form: URLs where a URL is required, plain tokens elsewhere.
  if (withRequired) for (const name of REQUIRED_VARS) env[name] = name.endsWith('_URL') ? `https://compose-test-${name.toLowerCase().replace(/_/g, '-')}.example.com` : `compose-test-${name.toLowerCase()}`;
  return env;
}

let workDir: string | undefined;
function emptyEnvFile(): string {
  workDir ??= mkdtempSync(join(tmpdir(), 'compose-test-'));
  const file = join(workDir, 'empty.env');
  writeFileSync(file, '');
  return file;
}
afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/** Loads and renders the compose file as JSON, like `docker compose config --format json`. */
function runCompose(env: Env) {
  // -env-file: a developer's .env beside the compose file must not take part either.
  return spawnSync(composeCheck, ['-env-file', emptyEnvFile(), '-f', COMPOSE_FILE], {
    cwd: PROJECT_ROOT,
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

let rendered: ComposeDoc | undefined;
/** The compose file as the Compose loader renders it: interpolated, normalised, merge keys applied. */
function composeDoc(): ComposeDoc {
  if (rendered) return rendered;
  const result = runCompose(composeEnv(true));
  if (result.status !== 0) throw new Error(`compose-check failed:\n${result.stderr}`);
  const doc = JSON.parse(result.stdout) as ComposeDoc;
  if (!doc || typeof doc.services !== 'object') throw new Error('compose file has no services');
  rendered = doc;
  return doc;
}

// ------------------------------------------------------------------------------------ service helpers

function tokens(value: string | string[] | null | undefined): string[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map(String) : value.trim().split(/\s+/);
}

function environmentOf(service: ServiceDef): Env {
  const env: Env = {};
  const raw = service.environment;
  if (Array.isArray(raw)) {
    for (const entry of raw) {
      const i = entry.indexOf('=');
      env[i < 0 ? entry : entry.slice(0, i)] = i < 0 ? undefined : entry.slice(i + 1);
    }
  } else if (raw) {
    for (const [key, value] of Object.entries(raw)) env[key] = value === null ? undefined : String(value);
  }
  return env;
}

function dependsOn(service: ServiceDef): Record<string, string | undefined> {
  const deps = service.depends_on;
  if (!deps) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, d]) => [name, d.condition ?? 'service_started']));
}

/** Services running this repository's image: built here, or using the image a built service is tagged with. */
function engineServices(doc: ComposeDoc): [string, ServiceDef][] {
  const all = Object.entries(doc.services);
  const builtImages = new Set(all.filter(([, s]) => s.build !== undefined && s.image).map(([, s]) => s.image));
  return all.filter(([, s]) => s.build !== undefined || (s.image !== undefined && builtImages.has(s.image)));
}

/** Engine services that use the stores (PostgreSQL, Temporal): all but the simulators, which run beside them. */
function storeUsers(doc: ComposeDoc): [string, ServiceDef][] {
  return engineServices(doc).filter(([, s]) => !tokens(s.command).some((t) => t.includes('/simulator/')));
}

function scriptOf(service: ServiceDef): string {
  return [...tokens(service.entrypoint), ...(Array.isArray(service.command) ? service.command : [service.command ?? ''])].join('\n');
}

/** Expands "$NAME", "$$NAME" (compose-escaped) and "${NAME}" from the service's own environment. */
function shellValue(word: string, env: Env): string {
  return word.replace(/^["']|["']$/g, '').replace(/\$\$?\{?([A-Za-z_]\w*)\}?/g, (_m, name: string) => env[name] ?? `$${name}`);
}

// ------------------------------------------------------------------------------------- Dockerfile

interface Stage { from: string; name?: string; instructions: string[] }

function dockerfileStages(): Stage[] {
  const lines = readFileSync(DOCKERFILE, 'utf8')
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) stages.push({ from: from[1] as string, name: from[2], instructions: [] });
    else stages.at(-1)?.instructions.push(line);
  }
  return stages;
}

/** The image's default command (last CMD of the last stage), as tokens. */
function dockerfileCmd(): string[] {
  const cmd = dockerfileStages().at(-1)?.instructions.filter((i) => /^CMD\s/i.test(i)).at(-1);
  if (!cmd) return [];
  const arg = cmd.replace(/^CMD\s+/i, '');
  return arg.startsWith('[') ? (JSON.parse(arg) as string[]) : arg.split(/\s+/);
}

// --------------------------------------------------------------------------- build layout (tsconfig)

function buildLayout(): { outDir: string; rootDir: string; include: string[] } {
  const build = readJsonc(join(PROJECT_ROOT, 'tsconfig.build.json'));
  const base = typeof build.extends === 'string' ? readJsonc(join(PROJECT_ROOT, build.extends)) : {};
  const options = { ...(base.compilerOptions as object), ...(build.compilerOptions as object) } as Record<string, unknown>;
  const include = (build.include ?? base.include ?? []) as string[];
  const clean = (p: unknown, fallback: string) => String(p ?? fallback).replace(/^\.\//, '').replace(/\/$/, '');
  return { outDir: clean(options.outDir, 'dist'), rootDir: clean(options.rootDir, '.'), include: include.map((i) => clean(i, '')) };
}

/** Problems with one command: it must be `node <outDir>/X.js` where X.ts exists and is compiled by npm run build. */
function entryPointProblems(who: string, command: string[]): string[] {
  const { outDir, rootDir, include } = buildLayout();
  const shown = command.join(' ');
  if (command[0] !== 'node') return [`${who} runs \`${shown}\`, not node`];
  const pattern = new RegExp(`^(?:\\./)?${outDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(.+)\\.js$`);
  const entry = command.map((t) => pattern.exec(t)).find((m) => m !== null);
  if (!entry) return [`${who} runs \`${shown}\`, which names no ${outDir}/*.js entry point`];
  const source = join(rootDir, `${entry[1] as string}.ts`).replace(/^\.\//, '');
  const problems: string[] = [];
  if (!existsSync(join(PROJECT_ROOT, source))) {
    problems.push(`${who} runs \`${shown}\`, but its source ${source} does not exist, so npm run build will not produce ${entry[0]}`);
  }
  const topDir = source.split('/')[0] as string;
  if (!include.some((i) => i === topDir || source.startsWith(`${i}/`))) {
    problems.push(`${who} runs \`${shown}\`, but ${topDir}/ is not in tsconfig.build.json "include", so it is not compiled`);
  }
  return problems;
}

// ================================================================================================ tests

describe('docker-compose.yml', () => {
  it('exists', () => {
    expect(existsSync(COMPOSE_FILE)).toBe(true);
  });

  it('loads under the Compose specification (schema, interpolation, consistency), as `docker compose config` does', () => {
    const result = runCompose(composeEnv(true));
    if (result.error) throw result.error;
    expect({ status: result.status, stderr: result.stderr.trim() }).toEqual({ status: 0, stderr: '' });
  });

  it('refuses to render while a required secret is unset', () => {
    expect(REQUIRED_VARS.length).toBeGreaterThan(0);
    const result = runCompose(composeEnv(false));
    expect(result.status).not.toBe(0);
    expect(REQUIRED_VARS.some((name) => result.stderr.includes(name))).toBe(true);
  });

  it('fills ${VAR:-default} from the environment when set, else with the default', () => {
    const workerEnv = (env: Env) => {
      const result = runCompose(env);
      if (result.status !== 0) throw new Error(`compose-check failed:\n${result.stderr}`);
      return environmentOf((JSON.parse(result.stdout) as ComposeDoc).services.worker ?? {});
    };
    const defaults = workerEnv(composeEnv(true));
    expect({ namespace: defaults.TEMPORAL_NAMESPACE, url: defaults.DATABASE_URL })
      .toEqual({ namespace: 'default', url: 'postgres://integration:integration@postgresql:5432/erp' });
    const chosen = workerEnv({ ...composeEnv(true), TEMPORAL_NAMESPACE: 'billing', POSTGRES_USER: 'erp_app', ERP_DATABASE: 'ledger' });
    expect({ namespace: chosen.TEMPORAL_NAMESPACE, url: chosen.DATABASE_URL })
      .toEqual({ namespace: 'billing', url: 'postgres://erp_app:integration@postgresql:5432/ledger' });
  });

  it('passes the connection choice and the WooCommerce settings to worker and relay, and keeps the default shop without them', () => {
    const rendered = (env: Env) => {
      const result = runCompose(env);
      if (result.status !== 0) throw new Error(`compose-check failed:\n${result.stderr}`);
      const services = (JSON.parse(result.stdout) as ComposeDoc).services;
      return { worker: environmentOf(services.worker ?? {}), relay: environmentOf(services.relay ?? {}), sim: environmentOf(services['woocommerce-sim'] ?? {}) };
    };
    const woo = {
      SHOP: 'woocommerce', WOOCOMMERCE_BASE_URL: 'https://shop.example.com', WOOCOMMERCE_CONSUMER_KEY: 'ck_1', WOOCOMMERCE_CONSUMER_SECRET: 'cs_1', WOOCOMMERCE_WEBHOOK_SECRET: 'wh_1',
    };
    const { worker, relay, sim } = rendered({ ...composeEnv(true), ...woo });
    const pick = (env: Env, keys: string[]) => Object.fromEntries(keys.map((k) => [k, env[k]]));
    expect(pick(worker, ['SHOP', 'WOOCOMMERCE_BASE_URL', 'WOOCOMMERCE_CONSUMER_KEY', 'WOOCOMMERCE_CONSUMER_SECRET']))
      .toEqual(pick(woo, ['SHOP', 'WOOCOMMERCE_BASE_URL', 'WOOCOMMERCE_CONSUMER_KEY', 'WOOCOMMERCE_CONSUMER_SECRET']));
    expect(pick(relay, ['SHOP', 'WOOCOMMERCE_WEBHOOK_SECRET'])).toEqual(pick(woo, ['SHOP', 'WOOCOMMERCE_WEBHOOK_SECRET']));
    // The simulator signs with the relay's secret and posts to the relay service.
    expect(pick(sim, ['SHOP', 'WOOCOMMERCE_WEBHOOK_SECRET', 'RELAY_HOST'])).toEqual({ SHOP: 'woocommerce', WOOCOMMERCE_WEBHOOK_SECRET: 'wh_1', RELAY_HOST: 'relay' });

    const defaults = rendered(composeEnv(true));
    expect([defaults.worker, defaults.relay].map((env) => configuredConnections(loadConfig(env as NodeJS.ProcessEnv)).shops.map((c) => c.id)))
      .toEqual([['shopify'], ['shopify']]);
  });

  describe('against the code', () => {
    it('runs the engine image as at least a worker and a relay', () => {
      const engines = engineServices(composeDoc());
      expect(engines.length).toBeGreaterThanOrEqual(2);
    });

    it('starts, in every engine service and as the image default, an entry point that the build produces', () => {
      const problems = engineServices(composeDoc()).flatMap(([name, service]) => {
        const command = [...tokens(service.entrypoint), ...tokens(service.command)];
        return entryPointProblems(`service ${name}`, command.length ? command : dockerfileCmd());
      });
      problems.push(...entryPointProblems('Dockerfile CMD', dockerfileCmd()));
      expect(problems).toEqual([]);
    });

    it('sets on engine services only settings of envSchema (config/env.ts), with values loadConfig accepts', () => {
      const known = new Set(Object.keys(envSchema.shape));
      const problems: string[] = [];
      for (const [name, service] of engineServices(composeDoc())) {
        const env = environmentOf(service);
        for (const key of Object.keys(env)) if (!known.has(key)) problems.push(`service ${name} sets ${key}, which config/env.ts does not read`);
        try {
          loadConfig(env as NodeJS.ProcessEnv);
        } catch (err) {
          problems.push(`service ${name}: ${(err as Error).message}`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('points engine services at hosts that are services of this file', () => {
      const doc = composeDoc();
      const problems: string[] = [];
      for (const [name, service] of storeUsers(doc)) {
        const env = environmentOf(service);
        const hosts: [string, string | undefined][] = [
          ['TEMPORAL_ADDRESS', env.TEMPORAL_ADDRESS?.split(':')[0]],
          ['DATABASE_URL', env.DATABASE_URL ? new URL(env.DATABASE_URL).hostname : undefined],
        ];
        for (const [key, host] of hosts) {
          if (host === undefined) problems.push(`service ${name} does not set ${key}`);
          else if (!(host in doc.services)) problems.push(`service ${name}: ${key} host ${host} is no service here`);
          else if (!(host in dependsOn(service))) problems.push(`service ${name} uses ${host} (${key}) without depends_on`);
        }
      }
      expect(problems).toEqual([]);
    });

    it('registers exactly the search attributes of domain/search-attributes.ts, before engine services start', () => {
      const doc = composeDoc();
      const jobs = Object.entries(doc.services).filter(([, s]) => /search-attribute\s+create/.test(scriptOf(s)));
      expect(jobs.map(([name]) => name)).toHaveLength(1);
      const [jobName, job] = jobs[0] as [string, ServiceDef];

      const registered: Record<string, string> = {};
      const namespaces = new Set<string>();
      const script = scriptOf(job).replace(/\\\r?\n/g, ' ');
      for (const invocation of script.split(/\r?\n|;|&&|\|\|/).filter((l) => /search-attribute\s+create/.test(l))) {
        const names = [...invocation.matchAll(/--name[=\s]+["']?([A-Za-z_]\w*)/g)].map((m) => m[1] as string);
        const types = [...invocation.matchAll(/--type[=\s]+["']?([A-Za-z]+)/g)].map((m) => m[1] as string);
        expect({ invocation: invocation.trim(), types: types.length }).toEqual({ invocation: invocation.trim(), types: 1 });
        // CLI type names (Keyword, KeywordList, Bool) -> SDK SearchAttributeType (KEYWORD, KEYWORD_LIST, BOOL)
        const type = (types[0] as string).replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
        for (const name of names) registered[name] = type;
        const ns = /--namespace[=\s]+(\S+)/.exec(invocation);
        namespaces.add(ns ? shellValue(ns[1] as string, environmentOf(job)) : 'default');
      }
      const expected = Object.fromEntries(ALL_SEARCH_ATTRIBUTES.map((key) => [key.name, key.type]));
      expect(registered).toEqual(expected);

      // Registered in the namespace the engine uses, and before any engine service starts.
      for (const [name, service] of storeUsers(doc)) {
        const namespace = environmentOf(service).TEMPORAL_NAMESPACE ?? 'default';
        expect({ service: name, namespaces: [...namespaces] }).toEqual({ service: name, namespaces: [namespace] });
        expect({ service: name, waitsFor: dependsOn(service)[jobName] }).toEqual({ service: name, waitsFor: 'service_completed_successfully' });
      }
    });
  });
});

// ------------------------------------------------------------------------------------- monitoring

const PROMETHEUS_CONFIG = join(PROJECT_ROOT, 'deploy/prometheus/prometheus.yml');

/** Scrape targets of deploy/prometheus/prometheus.yml as host:port: static targets and DNS names with their port. */
function scrapeTargets(): Record<string, string[]> {
  const jobs: Record<string, string[]> = {};
  const text = readFileSync(PROMETHEUS_CONFIG, 'utf8').replace(/#.*$/gm, '');
  for (const block of text.split(/^\s*- job_name:\s*/m).slice(1)) {
    const name = block.split(/\s/)[0] as string;
    const statics = [...block.matchAll(/targets:\s*\[([^\]]*)\]/g)].flatMap((m) => (m[1] as string).split(',').map((t) => t.trim().replace(/^["']|["']$/g, '')));
    const dns = [...block.matchAll(/names:\s*\[([^\]]*)\][\s\S]*?port:\s*(\d+)/g)]
      .flatMap((m) => (m[1] as string).split(',').map((n) => `${n.trim().replace(/^["']|["']$/g, '')}:${m[2] as string}`));
    jobs[name] = [...statics, ...dns].filter(Boolean);
  }
  return jobs;
}

describe('monitoring (docker-compose.yml, deploy/)', () => {
  it('publishes the Temporal UI, Prometheus and Grafana on loopback only: none of them asks for a login by default', () => {
    const doc = composeDoc();
    for (const name of ['temporal-ui', 'prometheus', 'grafana']) {
      const service = doc.services[name];
      expect({ name, present: service !== undefined }).toEqual({ name, present: true });
      for (const port of service?.ports ?? []) expect({ name, port: port.target, hostIp: port.host_ip }).toEqual({ name, port: port.target, hostIp: '127.0.0.1' });
    }
  });

  it('scrapes the relay, every worker and the Temporal SDK in each worker, on the ports those services serve', () => {
    const doc = composeDoc();
    const relay = environmentOf(doc.services.relay!);
    const worker = environmentOf(doc.services.worker!);
    const config = loadConfig(worker);
    expect(config.WORKER_METRICS_HOST).toBe('0.0.0.0');
    expect(scrapeTargets()).toEqual({
      relay: [`relay:${loadConfig(relay).RELAY_PORT}`],
      worker: [`worker:${config.WORKER_METRICS_PORT}`],
      'temporal-sdk': [`worker:${config.TEMPORAL_SDK_METRICS_PORT}`],
    });
    const mounts = (doc.services.prometheus?.volumes ?? []).map((v) => [v.source, v.target]);
    expect(mounts).toContainEqual([PROMETHEUS_CONFIG, '/etc/prometheus/prometheus.yml']);
  });

  it('provisions Grafana with the Prometheus data source its dashboard queries', () => {
    const doc = composeDoc();
    const mounts = Object.fromEntries((doc.services.grafana?.volumes ?? []).map((v) => [v.target, v.source]));
    expect(mounts['/etc/grafana/provisioning']).toBe(join(PROJECT_ROOT, 'deploy/grafana/provisioning'));
    expect(mounts['/var/lib/grafana/dashboards']).toBe(join(PROJECT_ROOT, 'deploy/grafana/dashboards'));
    const datasource = readFileSync(join(PROJECT_ROOT, 'deploy/grafana/provisioning/datasources/prometheus.yml'), 'utf8');
    const uid = /uid:\s*(\S+)/.exec(datasource)?.[1];
    expect(/url:\s*http:\/\/prometheus:9090/.test(datasource)).toBe(true);
    const dashboard = JSON.parse(readFileSync(join(PROJECT_ROOT, 'deploy/grafana/dashboards/engine.json'), 'utf8')) as { panels: Array<{ type: string; datasource?: { uid: string } }> };
    const uids = new Set(dashboard.panels.filter((p) => p.type !== 'row').map((p) => p.datasource?.uid));
    expect([...uids]).toEqual([uid]);
  });
});

describe('Dockerfile (the image docker-compose builds)', () => {
  it('exists', () => {
    expect(existsSync(DOCKERFILE)).toBe(true);
  });

  it('builds in an earlier stage (npm ci, npm run build, npm prune --omit=dev) and runs as a non-root user', () => {
    const stages = dockerfileStages();
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const runtime = stages.at(-1) as Stage;
    const buildRuns = stages.slice(0, -1).flatMap((s) => s.instructions.filter((i) => /^RUN\s/i.test(i)));
    const runsIn = (re: RegExp) => buildRuns.some((r) => re.test(r));
    expect({
      npmCi: runsIn(/\bnpm ci\b/),
      npmRunBuild: runsIn(/\bnpm run build\b/),
      prune: runsIn(/\bnpm prune\b.*--omit[= ]dev/),
    }).toEqual({ npmCi: true, npmRunBuild: true, prune: true });

    const user = runtime.instructions.filter((i) => /^USER\s/i.test(i)).at(-1)?.split(/\s+/)[1];
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);

    const copies = runtime.instructions.filter((i) => /^COPY\s/i.test(i)).join('\n');
    for (const path of ['node_modules', 'dist', 'db/migrations', 'package.json']) expect({ path, copied: copies.includes(path) }).toEqual({ path, copied: true });
  });

  it('is not sent node_modules, dist or .git from the host (.dockerignore)', () => {
    const ignored = existsSync(DOCKERIGNORE)
      ? readFileSync(DOCKERIGNORE, 'utf8').split(/\r?\n/).map((l) => l.trim().replace(/^\/|\/$/g, ''))
      : [];
    for (const entry of ['node_modules', 'dist', '.git', '.data']) expect({ entry, ignored: ignored.includes(entry) }).toEqual({ entry, ignored: true });
  });
});
