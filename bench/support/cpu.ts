import { readdirSync, readFileSync } from 'node:fs';

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

/** A process's own CPU plus what its reaped children used (utime, stime, cutime, cstime). */
function treeSelfSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** CPU seconds of each child of this process with all its descendants (live ones, and those already reaped). */
export function childTreeSeconds(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const ppid = parentOf(pid);
    if (ppid !== undefined) parents.set(pid, ppid);
  }
  const rootOf = (pid: number): number | undefined => {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && hops < 64; p = parents.get(p), hops++) {
      if (parents.get(p) === process.pid) return p;
    }
    return undefined;
  };
  const totals = new Map<number, number>();
  for (const pid of parents.keys()) {
    const root = rootOf(pid);
    if (root === undefined) continue;
    // The root's reaped children are in its cutime; live descendants count their own time only.
    const seconds = pid === root ? treeSelfSeconds(pid) : processCpuSeconds(pid);
    totals.set(root, (totals.get(root) ?? 0) + seconds);
  }
  return totals;
}

/** Time the hypervisor gave this machine's virtual CPUs to others (steal), in seconds since boot. */
export function stolenSeconds(): number {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return (cpu[7] ?? 0) / TICKS_PER_SECOND;
}

/** CPU seconds per named child process tree between start and stop, plus this process and the whole machine. */
export function treeMeter(names: () => Map<number, string>) {
  const before = childTreeSeconds();
  const self0 = process.cpuUsage();
  const machine0 = machineBusySeconds();
  const stolen0 = stolenSeconds();
  return () => {
    const after = childTreeSeconds();
    const byName = new Map<string, number>();
    for (const [pid, name] of names()) {
      const used = (after.get(pid) ?? 0) - (before.get(pid) ?? 0);
      byName.set(name, (byName.get(name) ?? 0) + used);
    }
    const self = process.cpuUsage(self0);
    byName.set('load generator (bench)', (self.user + self.system) / 1e6);
    return { machine: machineBusySeconds() - machine0, stolen: stolenSeconds() - stolen0, byName };
  };
}

/** Names this process's children by their command line: the script a node child runs, else the program. */
export function childNames(): Map<number, string> {
  const names = new Map<number, string>();
  for (const pid of childTreeSeconds().keys()) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const script = argv.find((a) => a.endsWith('.js'));
      const name = script ? script.replace(/^.*\/dist\//, '').replace(/\.js$/, '') : (argv[0] ?? String(pid)).replace(/^.*\//, '');
      names.set(pid, name);
    } catch {
      // exited between the two reads
    }
  }
  return names;
}
