import { join } from 'node:path';
import { CONNECTORS } from '../connectors/registry';
import type { EntityMapping } from '../connectors/mapping-table';
import { sourceExists } from './repo';

/** Every connector's mapping tables (`connectors/<vendor>/mapping.ts`); a registered connector without one is an error. */
export function loadMappings(): EntityMapping[] {
  const vendors = [...CONNECTORS].map((c) => c.vendor).sort();
  const missing = vendors.filter((v) => !sourceExists(`connectors/${v}/mapping.ts`));
  if (missing.length > 0) throw new Error(`docgen: connector(s) ${missing.join(', ')} have no mapping table (connectors/<vendor>/mapping.ts, see connectors/mapping-table.ts)`);
  return vendors.flatMap((vendor) => {
    // The vendor list comes from the registry at run time, hence require.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const module = require(join(__dirname, '..', 'connectors', vendor, 'mapping')) as { MAPPINGS: readonly EntityMapping[] };
    return [...module.MAPPINGS];
  });
}
