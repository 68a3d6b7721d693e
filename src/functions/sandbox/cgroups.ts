/**
 * Control groups for execution environments: one `stratus` parent nested under Stratus's own
 * cgroup (so whatever limits the host put on Stratus still bound its functions), and one child
 * per environment with a hard memory limit (swap included), a pids limit and a CPU weight
 * proportional to memory, as Lambda allocates CPU
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
 * Both hierarchies are handled: v1 (memory, pids and cpu each mounted on its own) and v2
 * (https://docs.kernel.org/admin-guide/cgroup-v2.html). The environment's processes join their
 * cgroup themselves, before the runtime is exec'd (see script.ts), so no fork escapes the limits.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmdirSync, writeFileSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export type Controller = 'memory' | 'pids' | 'cpu';
const CONTROLLERS: Controller[] = ['memory', 'pids', 'cpu'];

export interface CgroupLayout {
  version: 'v1' | 'v2';
  /** The `stratus` parent directory of each controller (v2: the same directory for all). */
  parents: Partial<Record<Controller, string>>;
  /** v2 only: the cgroup whose subtree_control must list our controllers before `stratus` gets them. */
  delegateFrom?: string;
}

export interface CgroupLimits {
  memoryBytes: number;
  pidsMax: number;
  cpuShares: number;
}

export interface EnvCgroup {
  /**
   * The files a single-threaded process writes `0` into to join every controller: v1's `tasks`
   * (moving the calling thread only, which the kernel does without write-locking the global
   * threadgroup rwsem: cgroup.procs makes every join wait for an RCU grace period, 15-40 ms on an
   * idle host), v2's cgroup.procs.
   */
  procsFiles: string[];
  /** Host pids of every process in the environment (from the pids or memory controller). */
  pids(): number[];
  peakBytes(): number;
  resetPeak(): void;
  oomKills(): number;
  /** Changes the CPU weight (cgroup v1 scale); a no-op without the cpu controller. */
  setCpuShares(shares: number): void;
  /** rmdir every directory, retrying while the kernel still holds exiting tasks. */
  remove(): Promise<void>;
}

interface Mount { root: string; point: string; fstype: string; superOpts: string[] }

/** mountinfo escapes space, tab, newline and backslash as octal. */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

function readMounts(): Mount[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter(Boolean).map((line) => {
    const [pre, post = ''] = line.split(' - ');
    const f = pre!.split(' ');
    const [fstype = '', , superOpts = ''] = post.split(' ');
    return { root: unescape(f[3] ?? '/'), point: unescape(f[4] ?? ''), fstype, superOpts: superOpts.split(',') };
  });
}

/** `/proc/self/cgroup`: hierarchy-id:controllers:path; v2 is the line with empty controllers. */
function ownCgroups(): { v1: Map<string, string>; v2?: string } {
  const v1 = new Map<string, string>();
  let v2: string | undefined;
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n').filter(Boolean)) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === '') v2 = m[2];
    else for (const c of m[1]!.split(',')) v1.set(c, m[2]!);
  }
  return { v1, v2 };
}

/** The directory of `path` inside a hierarchy mounted at `mnt` (which may show a subtree only). */
function dirOf(mnt: Mount, path: string): string {
  const rel = mnt.root !== '/' && path.startsWith(mnt.root) ? path.slice(mnt.root.length) : path;
  return (mnt.point + rel).replace(/\/+$/, '').replace(/\/{2,}/g, '/');
}

function tryMkdir(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true });
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

/**
 * Finds where Stratus may create cgroups. Returns undefined (with the reasons) when no memory
 * controller can be used; a missing pids or cpu controller only adds a warning.
 */
export function discoverCgroups(parentName = 'stratus'): { layout?: CgroupLayout; warnings: string[] } {
  const warnings: string[] = [];
  let mounts: Mount[];
  let own: ReturnType<typeof ownCgroups>;
  try {
    mounts = readMounts();
    own = ownCgroups();
  } catch (err) {
    return { warnings: [`cgroups: cannot read /proc (${(err as Error).message}): no memory, pids or CPU limits`] };
  }
  const v1Mount = (c: Controller) => mounts.find((m) => m.fstype === 'cgroup' && m.superOpts.includes(c));
  if (v1Mount('memory')) {
    const parents: Partial<Record<Controller, string>> = {};
    for (const c of CONTROLLERS) {
      const mnt = v1Mount(c);
      if (!mnt) {
        warnings.push(`cgroups v1: the ${c} controller is not mounted: no ${c} limit`);
        continue;
      }
      const dir = `${dirOf(mnt, own.v1.get(c) ?? '/')}/${parentName}`;
      const failure = tryMkdir(dir);
      if (failure) warnings.push(`cgroups v1: cannot create ${dir} (${failure}): no ${c} limit`);
      else parents[c] = dir;
    }
    if (!parents.memory) return { warnings };
    if (!existsSync(`${parents.memory}/memory.memsw.limit_in_bytes`) && swapTotal() > 0) {
      warnings.push('cgroups v1: swap accounting is off (boot with swapaccount=1): swap can extend a function beyond its memory limit');
    }
    for (const dir of new Set(Object.values(parents))) sweep(dir);
    return { layout: { version: 'v1', parents }, warnings };
  }
  const unified = mounts.find((m) => m.fstype === 'cgroup2');
  if (!unified || own.v2 === undefined) {
    return { warnings: ['cgroups: no memory controller is mounted (neither v1 nor v2): no memory, pids or CPU limits'] };
  }
  const ownDir = dirOf(unified, own.v2);
  const available = readWords(`${ownDir}/cgroup.controllers`);
  if (!available.includes('memory')) {
    return { warnings: [`cgroups v2: the memory controller is not delegated to ${ownDir}: no memory, pids or CPU limits`] };
  }
  const wanted = CONTROLLERS.filter((c) => available.includes(c));
  for (const c of CONTROLLERS) if (!wanted.includes(c)) warnings.push(`cgroups v2: the ${c} controller is not available in ${ownDir}: no ${c} limit`);
  const failure = enableV2(ownDir, wanted);
  if (failure) return { warnings: [...warnings, `cgroups v2: cannot enable ${wanted.join(', ')} below ${ownDir} (${failure}); run Stratus in a cgroup of its own (systemd: Delegate=yes): no memory, pids or CPU limits`] };
  const dir = `${ownDir}/${parentName}`;
  const mk = tryMkdir(dir);
  if (mk) return { warnings: [...warnings, `cgroups v2: cannot create ${dir} (${mk}): no memory, pids or CPU limits`] };
  sweep(dir);
  const parents: Partial<Record<Controller, string>> = {};
  for (const c of wanted) parents[c] = dir;
  return { layout: { version: 'v2', parents, delegateFrom: ownDir }, warnings };
}

/**
 * v2 forbids controllers in subtree_control of a cgroup that holds processes ("no internal
 * processes"). When Stratus is alone in its cgroup (a systemd service, a container's main
 * process) it moves itself into a `stratus-host` leaf, as systemd asks of delegated services.
 */
function enableV2(ownDir: string, controllers: Controller[]): string | undefined {
  const line = controllers.map((c) => `+${c}`).join(' ');
  try {
    writeFileSync(`${ownDir}/cgroup.subtree_control`, line);
    return undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EBUSY') return (err as NodeJS.ErrnoException).code;
  }
  const procs = readWords(`${ownDir}/cgroup.procs`);
  if (procs.some((p) => Number(p) !== process.pid)) return 'EBUSY: other processes share the cgroup';
  try {
    mkdirSync(`${ownDir}/stratus-host`, { recursive: true });
    writeFileSync(`${ownDir}/stratus-host/cgroup.procs`, String(process.pid));
    writeFileSync(`${ownDir}/cgroup.subtree_control`, line);
    return undefined;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

function readWords(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split(/\s+/).filter(Boolean);
  } catch {
    return [];
  }
}

function swapTotal(): number {
  try {
    return Number(/SwapTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The owner's pid leads the name, so a later Stratus can remove what a crashed one left behind. */
export const envCgroupName = (id: string) => `${process.pid}-${id}`;

/** Removes the empty environment cgroups of Stratus processes that no longer exist, then the parent if it is empty. */
function sweep(parent: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(parent, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  } catch {
    return;
  }
  for (const name of names) {
    const owner = Number(/^(\d+)-/.exec(name)?.[1]);
    if (owner && owner !== process.pid && !alive(owner)) rmdirQuiet(`${parent}/${name}`);
  }
  if (!live.has(parent)) rmdirQuiet(parent);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function rmdirQuiet(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // In use by another environment or another Stratus process: fine.
  }
}

const readNumber = (file: string): number => {
  try {
    return Number(readFileSync(file, 'utf8').trim()) || 0;
  } catch {
    return 0;
  }
};

/** `key value` lines (memory.events, memory.oom_control). */
const readKey = (file: string, key: string): number => {
  try {
    return Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(readFileSync(file, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
};

/** Live environments per parent directory: the parent is removed with the last one, leaving the host as found. */
const live = new Map<string, number>();

/** v2 CPU weight (1..10000, default 100) from v1-style shares (2..262144, default 1024), as systemd and runc map them. */
export const sharesToWeight = (shares: number) => Math.round(1 + ((Math.min(Math.max(shares, 2), 262144) - 2) * 9999) / 262142);

/** Creates the environment's cgroup with its limits. Throws when the kernel refuses. */
export function createEnvCgroup(layout: CgroupLayout, id: string, limits: CgroupLimits): EnvCgroup {
  const dirs = new Map<Controller, string>();
  const uniqueDirs = () => [...new Set(dirs.values())];
  const parents = [...new Set(Object.values(layout.parents))];
  for (const p of parents) live.set(p, (live.get(p) ?? 0) + 1);
  const write = (file: string, value: string | number, optional = false) => {
    try {
      writeFileSync(file, String(value));
    } catch (err) {
      if (!optional || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  };
  try {
    if (layout.version === 'v2') {
      const parent = layout.parents.memory!;
      mkdirSync(parent, { recursive: true });
      const enabled = (Object.keys(layout.parents) as Controller[]).map((c) => `+${c}`).join(' ');
      write(`${parent}/cgroup.subtree_control`, enabled);
      const dir = `${parent}/${envCgroupName(id)}`;
      mkdirSync(dir, { recursive: true });
      for (const c of Object.keys(layout.parents) as Controller[]) dirs.set(c, dir);
      write(`${dir}/memory.max`, limits.memoryBytes);
      write(`${dir}/memory.swap.max`, 0, true);
      write(`${dir}/memory.oom.group`, 1, true);
      if (dirs.has('pids')) write(`${dir}/pids.max`, limits.pidsMax);
      if (dirs.has('cpu')) write(`${dir}/cpu.weight`, sharesToWeight(limits.cpuShares));
    } else {
      for (const [c, parent] of Object.entries(layout.parents) as [Controller, string][]) {
        const dir = `${parent}/${envCgroupName(id)}`;
        mkdirSync(dir, { recursive: true });
        dirs.set(c, dir);
      }
      const mem = dirs.get('memory')!;
      write(`${mem}/memory.limit_in_bytes`, limits.memoryBytes);
      // memsw must not be below the plain limit, so it is set second; absent without swap accounting.
      write(`${mem}/memory.memsw.limit_in_bytes`, limits.memoryBytes, true);
      if (dirs.has('pids')) write(`${dirs.get('pids')}/pids.max`, limits.pidsMax);
      if (dirs.has('cpu')) write(`${dirs.get('cpu')}/cpu.shares`, Math.max(2, Math.round(limits.cpuShares)));
    }
  } catch (err) {
    for (const d of uniqueDirs()) rmdirQuiet(d);
    release(parents);
    throw err;
  }

  const mem = dirs.get('memory')!;
  const v2 = layout.version === 'v2';
  /** v2 resets memory.peak per open file (Linux 6.12+): the fd that was reset must be the one read. */
  let peakFd: number | undefined;
  let removed: Promise<void> | undefined;
  return {
    procsFiles: uniqueDirs().map((d) => `${d}/${v2 ? 'cgroup.procs' : 'tasks'}`),
    pids: () => readWords(`${dirs.get('pids') ?? mem}/cgroup.procs`).map(Number),
    peakBytes: () => {
      if (!v2) return readNumber(`${mem}/memory.max_usage_in_bytes`);
      if (peakFd !== undefined) {
        const buf = Buffer.alloc(32);
        const n = readSync(peakFd, buf, 0, buf.length, 0);
        return Number(buf.subarray(0, n).toString().trim()) || 0;
      }
      return readNumber(`${mem}/memory.peak`) || readNumber(`${mem}/memory.current`);
    },
    resetPeak: () => {
      if (!v2) return write(`${mem}/memory.max_usage_in_bytes`, 0, true);
      try {
        peakFd ??= openSync(`${mem}/memory.peak`, 'r+');
        writeSync(peakFd, 'reset\n');
      } catch {
        // Before Linux 6.12 memory.peak cannot be reset: peaks then span the environment's life.
      }
    },
    setCpuShares: (shares) => {
      const dir = dirs.get('cpu');
      if (!dir) return;
      try {
        if (v2) writeFileSync(`${dir}/cpu.weight`, String(sharesToWeight(shares)));
        else writeFileSync(`${dir}/cpu.shares`, String(Math.max(2, Math.round(shares))));
      } catch {
        // Removed meanwhile (the environment is gone).
      }
    },
    oomKills: () => (v2 ? readKey(`${mem}/memory.events`, 'oom_kill') : readKey(`${mem}/memory.oom_control`, 'oom_kill')),
    remove: () =>
      (removed ??= (async () => {
        if (peakFd !== undefined) closeSync(peakFd);
        for (const dir of uniqueDirs()) {
          // rmdir fails with EBUSY until the last task (even a zombie being reaped) has left.
          for (let attempt = 0; ; attempt++) {
            try {
              rmdirSync(dir);
              break;
            } catch (err) {
              const code = (err as NodeJS.ErrnoException).code;
              if (code === 'ENOENT') break;
              if (code !== 'EBUSY' || attempt >= 200) throw err;
              for (const pid of readWords(`${dir}/cgroup.procs`)) killQuiet(Number(pid));
              await sleep(Math.min(2 + attempt, 20));
            }
          }
        }
        release(parents);
      })()),
  };
}

function release(parents: string[]): void {
  for (const p of parents) {
    const n = (live.get(p) ?? 1) - 1;
    if (n > 0) {
      live.set(p, n);
      continue;
    }
    live.delete(p);
    rmdirQuiet(p);
  }
}

function killQuiet(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}
