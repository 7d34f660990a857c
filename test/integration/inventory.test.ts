import { inventoryResyncScheduleSuite } from './suites/inventory-resync-schedule';
import { inventorySyncSuite } from './suites/inventory-sync';
import { syncAuditSuite } from './suites/sync-audit';

/**
 * The suites that run the shops' inventory syncs. A sync's workflow id is its business key (`inventory-<shop>`),
 * the same for every harness on the shared Temporal server, and each suite ends the syncs it started: run in two
 * jest workers at once, one suite terminated the other's workflows. In one file they run one after another.
 */
describe('inventory sync, ERP to shops', inventorySyncSuite);
describe('periodic inventory resync', inventoryResyncScheduleSuite);
describe('data synchronisation audit', syncAuditSuite);
