import type { FaultRuleInput } from '../../simulators/faults';

/** Drives a simulator's /__sim control API the way a tester or the demo would, over plain HTTP. */
export async function simPost(baseUrl: string, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${baseUrl}/__sim/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`POST /__sim/${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

export async function simGet<T>(baseUrl: string, path: string): Promise<T> {
  const res = await fetch(`${baseUrl}/__sim/${path}`);
  if (!res.ok) throw new Error(`GET /__sim/${path} answered ${res.status}`);
  return (await res.json()) as T;
}

export const injectFaults = (baseUrl: string, rules: FaultRuleInput[]) => simPost(baseUrl, 'faults', rules);
export const clearFaults = (baseUrl: string) => fetch(`${baseUrl}/__sim/faults`, { method: 'DELETE' });
