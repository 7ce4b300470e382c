/**
 * Runs a command and measures its wall time, the peak memory and the CPU time of its whole
 * process tree (Chromium runs a dozen processes).
 *
 * Memory is the sum of PSS over every descendant. PSS splits shared pages between the processes
 * that share them, so the sum does not count the browser's shared libraries a dozen times (an
 * RSS sum would). Reading PSS walks a process's page tables, which for Chromium's terabyte-sized
 * address spaces costs the kernel real time (about 40 ms for Chromium's fifteen processes at
 * N=300): read at every 100 ms sample near the peak, it took two seconds from a 12-second build.
 * So the cheap RSS sum (`statm`) is read every 100 ms, and PSS every half second while that sum
 * is within 10% of its highest yet (every two seconds otherwise); and a run that is timed can
 * leave PSS out altogether (`memory: false`), its peak taken from a run of its own.
 *
 * CPU time is the sum of each process's own user and system time (`/proc/PID/stat`), as last
 * seen: a process's CPU after its last sample is missed (at most 100 ms of it), while the
 * shell's `times` missed every Chromium process that its parent did not wait for. It is kept
 * apart by kind of process (Node, Chromium's browser process, its renderers, the rest of
 * Chromium: GPU, utility and zygote processes) and split into user and system time, with each
 * kind's minor page faults, so that a report says where system time goes.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** What one measured run gave. */
export interface Measurement {
  readonly seconds: number;
  readonly peakMiB: number;
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Highest number of processes seen in the tree at once. */
  readonly peakProcesses: number;
  /** Names of every process seen in the tree. */
  readonly commands: ReadonlySet<string>;
  /** CPU seconds (user + system) of the whole tree. */
  readonly cpuSeconds: number;
  /** CPU seconds and minor page faults by kind of process. */
  readonly byKind: Readonly<Record<ProcessKind, KindCpu>>;
}

/** The kinds of process a build runs. */
export const PROCESS_KINDS = ['node', 'browser', 'renderer', 'other'] as const;
export type ProcessKind = (typeof PROCESS_KINDS)[number];

/** User and system CPU seconds and minor page faults of one kind of process. */
export interface KindCpu {
  readonly user: number;
  readonly system: number;
  readonly faults: number;
}

/** Clock ticks per second of `/proc/PID/stat` times (USER_HZ, 100 on Linux). */
const TICKS = 100;
const PAGE_KIB = 4;

interface Proc {
  readonly pid: number;
  /** utime + stime, in ticks. */
  readonly ticks: number;
  readonly user: number;
  readonly system: number;
  /** Minor page faults. */
  readonly faults: number;
}

/** Every process, with its CPU ticks, by parent and by pid. */
function processes(): { byParent: Map<number, Proc[]>; byPid: Map<number, Proc> } {
  const byParent = new Map<number, Proc[]>();
  const byPid = new Map<number, Proc>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const user = Number(f[11]);
      const system = Number(f[12]);
      const proc = { pid: Number(name), ticks: user + system, user, system, faults: Number(f[7]) };
      const ppid = Number(f[1]);
      const siblings = byParent.get(ppid) ?? [];
      siblings.push(proc);
      byParent.set(ppid, siblings);
      byPid.set(proc.pid, proc);
    } catch {
      // the process ended while we looked
    }
  }
  return { byParent, byPid };
}

/** The process `root` and all its descendants. */
function tree(root: number): Proc[] {
  const { byParent, byPid } = processes();
  const top = byPid.get(root);
  if (!top) return [];
  const out = [top];
  for (let i = 0; i < out.length; i++) out.push(...(byParent.get(out[i]!.pid) ?? []));
  return out;
}

function rssKiB(pid: number): number {
  try {
    return Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * PAGE_KIB;
  } catch {
    return 0;
  }
}

function pssKiB(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** Node, Chromium's browser process, a renderer, or another (GPU, utility, zygote…). */
function kindOf(pid: number, root: number): ProcessKind {
  if (pid === root) return 'node';
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return 'other';
  }
  if (/(^|\/)node\b/.test(cmdline.split(' ')[0] ?? '')) return 'node';
  if (!/chrom/i.test(cmdline)) return 'other';
  const type = /--type=(\S+)/.exec(cmdline)?.[1];
  if (type === undefined) return 'browser';
  return type === 'renderer' ? 'renderer' : 'other';
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Measurement settings. */
export interface MeasureOptions {
  /**
   * Read PSS for the peak (default true). Without it the run is timed with only the cheap
   * samples, and `peakMiB` is 0.
   */
  readonly memory?: boolean;
}

/** Runs `cmd args` to completion while sampling its process tree. */
export function measure(
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
  options: MeasureOptions = {},
): Promise<Measurement> {
  const memory = options.memory ?? true;
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let peak = 0;
    let peakRss = 0;
    let lastPss = 0;
    let peakProcesses = 0;
    const commands = new Set<string>();
    const cpu = new Map<number, number>();
    const last = new Map<number, Proc>();
    const kinds = new Map<number, ProcessKind>();
    const named = new Set<number>();
    const sample = (): void => {
      if (child.pid === undefined) return;
      const procs = tree(child.pid);
      peakProcesses = Math.max(peakProcesses, procs.length);
      let rss = 0;
      for (const p of procs) {
        cpu.set(p.pid, p.ticks);
        last.set(p.pid, p);
        if (!named.has(p.pid)) {
          named.add(p.pid);
          commands.add(commandOf(p.pid));
        }
        // A renderer forked from the zygote shows the zygote's command line until it sets its
        // own: a process still of kind 'other' is looked at again at the next sample.
        if ((kinds.get(p.pid) ?? 'other') === 'other') kinds.set(p.pid, kindOf(p.pid, child.pid));
        rss += rssKiB(p.pid);
      }
      peakRss = Math.max(peakRss, rss);
      if (!memory) return;
      const now = Date.now();
      if (now - lastPss < (rss < 0.9 * peakRss ? 2000 : 500)) return;
      lastPss = now;
      let pss = 0;
      for (const p of procs) pss += pssKiB(p.pid);
      peak = Math.max(peak, pss);
    };
    const timer = setInterval(sample, 100);
    child.on('error', (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const cpuSeconds = [...cpu.values()].reduce((n, t) => n + t, 0) / TICKS;
      const byKind = Object.fromEntries(
        PROCESS_KINDS.map((k) => [k, { user: 0, system: 0, faults: 0 }]),
      ) as Record<ProcessKind, { user: number; system: number; faults: number }>;
      for (const [pid, p] of last) {
        const k = byKind[kinds.get(pid) ?? 'other'];
        k.user += p.user / TICKS;
        k.system += p.system / TICKS;
        k.faults += p.faults;
      }
      resolve({
        seconds,
        peakMiB: peak / 1024,
        code: code ?? -1,
        stdout,
        stderr,
        peakProcesses,
        commands,
        cpuSeconds,
        byKind,
      });
    });
  });
}
