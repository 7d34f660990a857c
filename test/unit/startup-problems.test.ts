import { loadConfig } from '../../config/env';
import {
  StartupProblem, clashingPortsProblem, diagnosePostgresOutput, diagnoseTemporalOutput, firstBlockedFolder, judgePidFile, majorVersion,
  pidInPidFile, portsInUseProblem, stackPorts, startupFailureLine, versionMismatchProblem, type PortClaim,
} from '../../stack/startup-problems';

const pgClaim: PortClaim = { port: 5433, host: '127.0.0.1', piece: 'PostgreSQL', setting: 'EMBEDDED_PG_PORT' };
const relayClaim: PortClaim = { port: 3000, host: '127.0.0.1', piece: 'webhook relay', setting: 'RELAY_PORT' };
const oneLine = (text: string | undefined) => expect(text).toMatch(/^[^\n]+$/);

describe('stackPorts', () => {
  it('claims every default port of npm start', () => {
    expect(stackPorts(loadConfig({})).map((c) => [c.port, c.setting])).toEqual([
      [5433, 'EMBEDDED_PG_PORT'], [7233, 'TEMPORAL_DEV_PORT'], [8233, 'TEMPORAL_UI_PORT'], [3000, 'RELAY_PORT'], [3100, 'DASHBOARD_PORT'],
      [4010, 'HUBSPOT_SIM_PORT'], [4020, 'SHOPIFY_SIM_PORT'], [4030, 'STRIPE_SIM_PORT'],
    ]);
  });

  it('claims the simulators of the shops in use: WooCommerce\'s in place of Shopify\'s, or both', () => {
    const simulatorPorts = (env: NodeJS.ProcessEnv) => stackPorts(loadConfig(env)).filter((c) => c.setting.endsWith('_SIM_PORT')).map((c) => [c.port, c.piece]);
    expect(simulatorPorts({ SHOP: 'woocommerce' })).toEqual([[4010, 'HubSpot simulator'], [4040, 'WooCommerce simulator'], [4030, 'Stripe simulator']]);
    expect(simulatorPorts({ SHOPS: 'woocommerce,eu=shopify' }).map(([port]) => port)).toEqual([4010, 4020, 4040, 4030]);
  });

  it('leaves out what runs elsewhere: an external database, an external Temporal, no simulators', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/erp', TEMPORAL_ADDRESS: 'temporal:7233', RUN_SIMULATORS: 'false', RELAY_HOST: '0.0.0.0' });
    expect(stackPorts(config)).toEqual([
      { port: 3000, host: '0.0.0.0', piece: 'webhook relay', setting: 'RELAY_PORT' },
      { port: 3100, host: '127.0.0.1', piece: 'monitoring dashboard', setting: 'DASHBOARD_PORT' },
    ]);
  });
});

describe('port problems', () => {
  it('names the busy port, its piece, the setting that moves it, and how to find the holder', () => {
    const line = portsInUseProblem([pgClaim]);
    oneLine(line);
    expect(line).toMatch(/^port 5433 \(PostgreSQL\) is already in use/);
    expect(line).toContain('set EMBEDDED_PG_PORT to a free port');
    expect(line).toContain("ss -ltnp 'sport = :5433'");
  });

  it('lists several busy ports in one line', () => {
    const line = portsInUseProblem([pgClaim, relayClaim]);
    oneLine(line);
    expect(line).toContain('5433 (PostgreSQL, EMBEDDED_PG_PORT), 3000 (webhook relay, RELAY_PORT)');
  });

  it('is silent when nothing is busy', () => {
    expect(portsInUseProblem([])).toBeUndefined();
  });

  it('finds two pieces set to the same port', () => {
    expect(clashingPortsProblem([pgClaim, relayClaim])).toBeUndefined();
    expect(clashingPortsProblem([pgClaim, { ...relayClaim, port: 5433 }]))
      .toBe('PostgreSQL and webhook relay are both set to port 5433: give RELAY_PORT another value');
  });
});

describe('postmaster.pid', () => {
  it('reads the pid from the first line', () => {
    expect(pidInPidFile('4242\n/data/pg\n1700000000\n5433\n')).toBe(4242);
    expect(pidInPidFile('')).toBeUndefined();
    expect(pidInPidFile('garbage\n')).toBeUndefined();
  });

  it('is stale when its process is gone or is another program, running when a postgres runs on this folder', () => {
    expect(judgePidFile(null, '/srv/app/.data/postgres')).toBe('stale');
    expect(judgePidFile('/usr/bin/node /srv/app/dist/relay/main.js', '/srv/app/.data/postgres')).toBe('stale');
    expect(judgePidFile('/x/native/bin/postgres -D /srv/app/.data/postgres -p 5433', '/srv/app/.data/postgres')).toBe('running');
  });

  it('leaves unclear cases to PostgreSQL: a postgres on another folder, or a command line we cannot read', () => {
    expect(judgePidFile('/x/native/bin/postgres -D /elsewhere -p 5432', '/srv/app/.data/postgres')).toBe('unclear');
    expect(judgePidFile(undefined, '/srv/app/.data/postgres')).toBe('unclear');
  });
});

describe('PostgreSQL versions', () => {
  it('reads major versions old and new', () => {
    expect([majorVersion('16\n'), majorVersion('18.4'), majorVersion('9.6'), majorVersion('9.6.24')]).toEqual(['16', '18', '9.6', '9.6']);
  });

  it('accepts the same major version and names both versions, the move and the alternative otherwise', () => {
    expect(versionMismatchProblem('18\n', '18.4', '.data/postgres')).toBeUndefined();
    const line = versionMismatchProblem('16\n', '18.4', '.data/postgres');
    oneLine(line);
    expect(line).toContain('.data/postgres holds a PostgreSQL 16 database, but the embedded server is PostgreSQL 18');
    expect(line).toContain('`mv .data/postgres .data/postgres-pg16`');
    expect(line).toContain('DATABASE_URL');
  });
});

describe('firstBlockedFolder', () => {
  const postgres = { uid: 999, gid: 999 };
  const dir = (path: string, mode: number, uid = 0, gid = 0) => ({ path, mode: 0o40000 | mode, uid, gid });

  it('finds the first folder the user may not enter, such as /root', () => {
    const chain = [dir('/', 0o755), dir('/root', 0o700), dir('/root/app', 0o755)];
    expect(firstBlockedFolder(chain, postgres)).toBe('/root');
    expect(firstBlockedFolder(chain, undefined)).toBe('/root');
  });

  it('lets the user through by owner, group or other permission', () => {
    expect(firstBlockedFolder([dir('/', 0o755), dir('/srv', 0o700, 999, 5), dir('/srv/g', 0o710, 0, 999)], postgres)).toBeUndefined();
    expect(firstBlockedFolder([dir('/srv/owner-blocked', 0o077, 999, 999)], postgres)).toBe('/srv/owner-blocked');
    expect(firstBlockedFolder([dir('/', 0o700)], { uid: 0, gid: 0 })).toBeUndefined();
  });
});

describe('diagnosePostgresOutput (PostgreSQL 18 wording)', () => {
  const ctx = { port: 5433, shownDataDir: '.data/postgres' };

  it('reads a busy port', () => {
    const output = 'LOG:  could not bind IPv4 address "127.0.0.1": Address already in use\nFATAL:  could not create any TCP/IP sockets';
    expect(diagnosePostgresOutput(output, ctx)).toBe(portsInUseProblem([pgClaim]));
  });

  it('reads another postmaster on the folder', () => {
    const output = 'FATAL:  lock file "postmaster.pid" already exists\nHINT:  Is another postmaster (PID 14300) running in data directory "/x"?';
    expect(diagnosePostgresOutput(output, ctx)).toMatch(/^PostgreSQL \(pid 14300\) is still running on \.data\/postgres.*`kill 14300`/);
  });

  it('reads incompatible data files', () => {
    const output = 'FATAL:  database files are incompatible with server\nDETAIL:  The data directory was initialized by PostgreSQL version 16, ' +
      'which is not compatible with this version 18.4.';
    expect(diagnosePostgresOutput(output, ctx)).toBe(versionMismatchProblem('16', '18.4', '.data/postgres'));
  });

  it('reads a folder it may not open', () => {
    const line = diagnosePostgresOutput('initdb: error: could not access directory "/root/app/.data/postgres": Permission denied', ctx);
    oneLine(line);
    expect(line).toMatch(/^PostgreSQL may not open \/root\/app\/\.data\/postgres \(permission denied\)/);
  });

  it('reads leftover server processes', () => {
    const output = 'FATAL:  pre-existing shared memory block (key 5433001, ID 3) is still in use';
    expect(diagnosePostgresOutput(output, ctx)).toMatch(/^server processes of an earlier PostgreSQL still run on \.data\/postgres/);
  });

  it('says nothing about output it does not know', () => {
    expect(diagnosePostgresOutput('LOG:  database system is shut down', ctx)).toBeUndefined();
  });
});

describe('diagnoseTemporalOutput', () => {
  const claims: PortClaim[] = [
    { port: 7233, host: '127.0.0.1', piece: 'Temporal', setting: 'TEMPORAL_DEV_PORT' },
    { port: 8233, host: '127.0.0.1', piece: 'Temporal UI', setting: 'TEMPORAL_UI_PORT' },
  ];

  it('names the port the CLI could not bind and its setting', () => {
    const output = '{"level":"ERROR","msg":"can\'t set frontend port 8233: listen tcp 127.0.0.1:8233: bind: address already in use"}';
    expect(diagnoseTemporalOutput(output, claims)).toBe(portsInUseProblem([claims[1]!]));
    expect(diagnoseTemporalOutput('panic: something else', claims)).toBeUndefined();
  });
});

describe('startupFailureLine', () => {
  it('never prints "undefined" for a rejection without an error', () => {
    expect(startupFailureLine(undefined)).toBe('start-up failed: a piece stopped without saying why (see the lines above)');
    expect(startupFailureLine(new Error(''))).not.toContain('undefined');
  });

  it('prints a known problem and any other error after one prefix', () => {
    expect(startupFailureLine(new StartupProblem('port 1 is busy: free it'))).toBe('start-up failed: port 1 is busy: free it');
    expect(startupFailureLine(new Error('boom'))).toBe('start-up failed: boom');
  });
});
