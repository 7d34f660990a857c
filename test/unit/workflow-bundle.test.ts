import { bundleWorkflowCode } from '@temporalio/worker';
import vm from 'node:vm';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOW_PRELOAD_MODULES } from '../../observability/workflow-bundle';
import { WORKFLOW_STACK_DEPTH } from '../../observability/workflow-stack-depth';

/**
 * What a workflow run costs in a worker's cache: with the SDK's reused V8 context each cached workflow evaluates
 * every module it imports once more (its own module cache), so a library reachable from workflow code costs heap
 * per open flow (zod about 1 MiB, libphonenumber-js about 0.55 MiB: docs/benchmarks.md, "Worker memory"). This
 * builds the bundle the way a worker does and checks that neither is evaluated by a workflow run.
 */
describe('workflow bundle', () => {
  let code = '';
  const evaluated: string[] = [];
  let moduleCache: Record<string, { exports?: Record<string, unknown> }> = {};
  let stackTraceLimit = 0;

  beforeAll(async () => {
    const noop = () => undefined;
    const logger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };
    ({ code } = await bundleWorkflowCode({
      workflowsPath: require.resolve('../../workflows'), workflowInterceptorModules: [...WORKFLOW_INTERCEPTOR_MODULES],
      preloadModules: [...WORKFLOW_PRELOAD_MODULES], logger,
    }));
    // What one workflow run evaluates: the SDK routes webpack's module cache through this global, one per workflow.
    moduleCache = {};
    // Plus the globals the SDK gives its sandbox that module code reads at load (OpenTelemetry: performance).
    const context = vm.createContext({
      __webpack_module_cache__: moduleCache, performance, TextEncoder, TextDecoder, URL, URLSearchParams, AbortController,
    });
    vm.runInContext(code, context);
    const temporal = (context as { __TEMPORAL__: { preloadModules(): unknown; importWorkflows(): unknown; importInterceptors(): unknown } }).__TEMPORAL__;
    // As the SDK's reused context does: the preloaded modules once, before the globals are frozen.
    temporal.preloadModules();
    stackTraceLimit = vm.runInContext('Error.stackTraceLimit', context) as number;
    temporal.importWorkflows();
    temporal.importInterceptors();
    evaluated.push(...Object.keys(moduleCache));
  }, 120_000);

  it('evaluates the workflows and their modules (the check below sees real module ids)', () => {
    expect(evaluated.some((id) => id.includes('workflows/order/workflow'))).toBe(true);
    expect(evaluated.some((id) => id.includes('domain/order-rules'))).toBe(true);
    expect(evaluated.some((id) => id.includes('node_modules/@temporalio/workflow'))).toBe(true);
  });

  it('keeps stack traces in the sandbox short: the SDK records one for every promise a workflow creates', () => {
    expect(stackTraceLimit).toBe(WORKFLOW_STACK_DEPTH);
    expect(WORKFLOW_STACK_DEPTH).toBeLessThan(10);
  });

  it('does not contain zod: schemas stay with activities, connectors and the relay', () => {
    expect(code).not.toMatch(/node_modules\/zod\//);
  });

  it('does not evaluate libphonenumber-js in a workflow run; only a lead flow that validates a contact loads it', () => {
    expect(evaluated.filter((id) => id.includes('libphonenumber-js') || id.includes('domain/phone'))).toEqual([]);
    // Still bundled (lead histories recorded so far replay through it), behind a require inside a function.
    expect(code).toMatch(/node_modules\/libphonenumber-js\//);
  });

  it('loads libphonenumber-js inside the bundle when a lead is validated', () => {
    const leadRules = Object.entries(moduleCache).find(([id]) => id.includes('domain/lead-rules'))?.[1].exports;
    const toLeadCandidate = leadRules?.toLeadCandidate as (contact: object, policy: object) => { ok: boolean; lead?: { phoneE164: string | null } };
    const validation = toLeadCandidate({
      id: '1', email: null, firstName: 'Ada', lastName: null, phone: '030 1234567', company: null, country: 'DE',
      lifecycleStage: 'customer', erpCustomerNumber: null, updatedAt: '2026-11-30T00:00:00Z',
    }, { defaultPhoneCountry: 'US' });
    expect(validation).toMatchObject({ ok: true, lead: { phoneE164: '+49301234567' } });
    expect(Object.keys(moduleCache).some((id) => id.includes('libphonenumber-js'))).toBe(true);
  });
});
