import { readdirSync, readFileSync } from 'node:fs';

/** CPU time from /proc (Linux): the whole machine's busy time, and a set of processes' own, to say where the cores went. */

const TICKS_PER_SECOND = 100;

/** The machine's CPU counters in ticks: user, nice, system, idle, iowait, irq, softirq, steal, … */
function machineTicks(): number[] {
  return readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
}

/** The fields of /proc/<pid>/stat after the command name (index 1 is the parent, 11 to 14 the CPU times); none once gone. */
function statOf(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

const seconds = (fields: string[] | undefined, from: number, to: number): number =>
  (fields ? fields.slice(from, to + 1).reduce((sum, f) => sum + Number(f), 0) : 0) / TICKS_PER_SECOND;

export function machineBusySeconds(): number {
  const cpu = machineTicks();
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
  return (cpu.reduce((a, b) => a + b, 0) - idle) / TICKS_PER_SECOND;
}

/** Time the hypervisor gave this machine's virtual CPUs to others (steal), in seconds since boot. */
export function stolenSeconds(): number {
  return (machineTicks()[7] ?? 0) / TICKS_PER_SECOND;
}

/** A process's own CPU time (user and system). */
export function processCpuSeconds(pid: number): number {
  return seconds(statOf(pid), 11, 12);
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

/** Every process on the machine with its stat fields. */
function allStats(): Map<number, string[]> {
  const stats = new Map<number, string[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    const fields = Number.isInteger(pid) ? statOf(pid) : undefined;
    if (fields) stats.set(pid, fields);
  }
  return stats;
}

/** CPU seconds of each child of this process with all its descendants (live ones, and those already reaped). */
export function childTreeSeconds(): Map<number, number> {
  const stats = allStats();
  const parentOf = (pid: number) => (stats.has(pid) ? Number(stats.get(pid)![1]) : undefined);
  const rootOf = (pid: number): number | undefined => {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && hops < 64; p = parentOf(p), hops++) {
      if (parentOf(p) === process.pid) return p;
    }
    return undefined;
  };
  const totals = new Map<number, number>();
  for (const [pid, fields] of stats) {
    const root = rootOf(pid);
    if (root === undefined) continue;
    // The root's reaped children are in its cutime and cstime; live descendants count their own time only.
    totals.set(root, (totals.get(root) ?? 0) + seconds(fields, 11, pid === root ? 14 : 12));
  }
  return totals;
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
  for (const [pid, fields] of allStats()) {
    if (Number(fields[1]) !== process.pid) continue;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
      const script = argv.find((a) => a.endsWith('.js'));
      names.set(pid, script ? script.replace(/^.*\/dist\//, '').replace(/\.js$/, '') : (argv[0] ?? String(pid)).replace(/^.*\//, ''));
    } catch {
      // exited between the two reads
    }
  }
  return names;
}
