import { readFileSync } from 'node:fs';

/** CPU time from /proc (Linux): the whole machine's busy time, and a set of processes' own, to say where the cores went. */

const TICKS_PER_SECOND = 100;

export function machineBusySeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return (cpu.reduce((a, b) => a + b, 0) - idle) / TICKS_PER_SECOND;
}

export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** CPU seconds used between start() and stop(), by the machine and by the given processes. */
export function cpuMeter(pids: () => number[]) {
  const machine0 = machineBusySeconds();
  const own0 = new Map(pids().map((p) => [p, processCpuSeconds(p)]));
  return () => ({
    machine: machineBusySeconds() - machine0,
    processes: pids().reduce((sum, p) => sum + processCpuSeconds(p) - (own0.get(p) ?? 0), 0),
  });
}
