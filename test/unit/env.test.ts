import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envSchema, loadConfig } from '../../config/env';
import { PROJECT_ROOT } from '../../config/paths';

describe('configuration', () => {
  it('has defaults for everything npm start needs', () => {
    expect(loadConfig({})).toMatchObject({ TEMPORAL_NAMESPACE: 'default', RELAY_PORT: 3000, RUN_SIMULATORS: true, LEAD_QUALIFYING_STAGE: 'salesqualifiedlead' });
  });
  it('names every offending variable', () => {
    const attempt = () => loadConfig({ RELAY_PORT: '70000', TEMPORAL_ADDRESS: 'nohost', LEAD_QUALIFYING_STAGE: 'hot', DEFAULT_PHONE_COUNTRY: 'usa' });
    expect(attempt).toThrow(/^Invalid configuration:/);
    for (const line of [/RELAY_PORT: Too big/, /TEMPORAL_ADDRESS: must be host:port/, /LEAD_QUALIFYING_STAGE: Invalid option/, /DEFAULT_PHONE_COUNTRY: must be an ISO 3166/]) {
      expect(attempt).toThrow(line);
    }
  });
  it('treats blank values as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', RELAY_PORT: '' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.RELAY_PORT).toBe(3000);
  });
  it('lists exactly the schema variables in .env.example', () => {
    const listed = readFileSync(join(PROJECT_ROOT, '.env.example'), 'utf8').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => l.split('=')[0]).sort();
    expect(listed).toEqual(Object.keys(envSchema.shape).sort());
  });
});
