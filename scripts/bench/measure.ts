/**
 * Runs a command and measures its wall time and the peak memory of its whole process tree
 * (Chromium runs a dozen processes): the sum of PSS over every descendant, sampled every 50 ms.
 * PSS splits shared pages between the processes that share them, so the sum does not count the
 * browser's shared libraries a dozen times (an RSS sum would).
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
  /** CPU seconds (user + system) of the whole tree, from the shell's `times`. */
  readonly cpuSeconds: number;
}

const TIMES = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/;

function children(): Map<number, number[]> {
  const map = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = map.get(ppid) ?? [];
      list.push(Number(name));
      map.set(ppid, list);
    } catch {
      // the process ended while we looked
    }
  }
  return map;
}

function tree(root: number): number[] {
  const map = children();
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(map.get(out[i]!) ?? []));
  return out;
}

function pssKiB(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/** Runs `cmd args` to completion while sampling its process tree. */
export function measure(
  cmd: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    // bash's `times` prints the CPU time of every process it (and they, in turn) waited for.
    const script = '"$@"; rc=$?; echo "@@times" >&2; times >&2; exit $rc';
    const child = spawn('bash', ['-c', script, 'bash', cmd, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let peak = 0;
    let peakProcesses = 0;
    const commands = new Set<string>();
    const sample = (): void => {
      if (child.pid === undefined) return;
      const pids = tree(child.pid);
      peakProcesses = Math.max(peakProcesses, pids.length);
      let sum = 0;
      for (const pid of pids) {
        sum += pssKiB(pid);
        commands.add(commandOf(pid));
      }
      peak = Math.max(peak, sum);
    };
    const timer = setInterval(sample, 50);
    child.on('error', (e) => {
      clearInterval(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearInterval(timer);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      const at = stderr.lastIndexOf('@@times');
      const m = at === -1 ? null : TIMES.exec(stderr.slice(at).trim());
      const cpuSeconds = m ? Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]) : Number.NaN;
      if (at !== -1) stderr = stderr.slice(0, at);
      resolve({
        seconds,
        peakMiB: peak / 1024,
        code: code ?? -1,
        stdout,
        stderr,
        peakProcesses,
        commands,
        cpuSeconds,
      });
    });
  });
}
