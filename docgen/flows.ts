import { join } from 'node:path';
import { importsFrom, messagesOf, type MessageInfo } from './ts-source';
import { sourceExists, sourceFiles, subfolders } from './repo';

/**
 * The flows, as the code defines them: every `workflows/<flow>/api.ts` (its workflow types, id and business-key
 * functions, step constants, policies and messages) plus the operator messages every flow shares. A new flow
 * folder with an api.ts appears in the documents after a regeneration, with nothing to register here.
 */

export interface FlowIdPattern { name: string; pattern: string }
export interface FlowInfo {
  folder: string;
  workflowTypes: string[];
  /** The workflow the folder is for (its `<FOLDER>_WORKFLOW`), which takes the folder's messages. */
  main: string;
  /** Workflow ids, schedule ids and business keys, with the function's own parameter names as placeholders. */
  ids: FlowIdPattern[];
  steps: Array<{ constant: string; steps: string[] }>;
  policies: Array<{ constant: string; value: Record<string, unknown> }>;
  messages: MessageInfo[];
  /** The port interfaces its activities use (`activities/<flow>/`). */
  ports: string[];
}

export const SHARED_MESSAGES_FILE = 'workflows/shared/operator-api.ts';

type ApiModule = Record<string, unknown>;

function loadApi(folder: string): ApiModule {
  // From docgen/ (ts-jest) or dist/docgen/ (compiled): the workflows folder is a sibling either way. The folder
  // list is only known at run time, hence require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(join(__dirname, '..', 'workflows', folder, 'api')) as ApiModule;
}

/** The parameter names of a small id function, e.g. `(shop, shopOrderId) => ...`. */
function parameterNames(fn: (...args: string[]) => unknown): string[] {
  const text = fn.toString();
  const list = /^\s*(?:function\s*\w*\s*)?\(([^)]*)\)/.exec(text)?.[1] ?? /^\s*(\w+)\s*=>/.exec(text)?.[1] ?? '';
  return list.split(',').map((p) => p.trim().replace(/[:=].*$/, '')).filter(Boolean);
}

function idPattern(fn: (...args: string[]) => unknown): string {
  return String(fn(...parameterNames(fn).map((p) => `<${p}>`)));
}

export function discoverFlows(): FlowInfo[] {
  return subfolders('workflows')
    .filter((folder) => sourceExists(`workflows/${folder}/api.ts`))
    .map((folder) => {
      const api = loadApi(folder);
      const names = Object.keys(api).sort();
      const workflowTypes = names.filter((n) => /_WORKFLOW$/.test(n) && typeof api[n] === 'string').map((n) => api[n] as string);
      const ids = [
        ...names
          .filter((n) => typeof api[n] === 'function' && /(WorkflowId|BusinessKey|ScheduleId)$/.test(n))
          .map((n) => ({ name: n, pattern: idPattern(api[n] as (...args: string[]) => unknown) })),
        ...names.filter((n) => typeof api[n] === 'string' && /(_BUSINESS_KEY|_SCHEDULE_ID|_WORKFLOW_ID)$/.test(n)).map((n) => ({ name: n, pattern: api[n] as string })),
      ];
      const steps = names
        .filter((n) => /_STEPS$/.test(n) && api[n] && typeof api[n] === 'object')
        .map((n) => ({ constant: n, steps: Object.values(api[n] as Record<string, string>) }));
      const policies = names
        .filter((n) => /^DEFAULT_.*_POLICY$/.test(n) && api[n] && typeof api[n] === 'object')
        .map((n) => ({ constant: n, value: api[n] as Record<string, unknown> }));
      const ports = [...new Set(sourceFiles(`activities/${folder}`).flatMap((f) => importsFrom(f, /\/ports\//)).filter((n) => /^[A-Z]\w*(Port|Source)$/.test(n)))].sort();
      const main = (api[`${folder.toUpperCase()}_WORKFLOW`] as string | undefined) ?? workflowTypes[0]!;
      return { folder, workflowTypes, main, ids, steps, policies, messages: messagesOf(`workflows/${folder}/api.ts`), ports };
    })
    .filter((flow) => flow.workflowTypes.length > 0);
}

export function sharedMessages(): MessageInfo[] {
  return messagesOf(SHARED_MESSAGES_FILE);
}
