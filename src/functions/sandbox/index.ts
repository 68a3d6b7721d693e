/**
 * The sandbox layer of the function engine: starts one execution environment's process tree,
 * isolated the way Lambda's documented environment looks from the inside
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html), and tears it down.
 * Where each guarantee comes from, with Stratus running as root on Linux:
 * - Its own view of the files (mount namespace, private propagation, built by script.ts): the root
 *   file system is read-only, the task dir is bound read-only at /var/task (a bind of the
 *   directory, so files the host writes later still appear) and layers at /opt, /tmp and
 *   /dev/shm are private tmpfs of a fixed size (a full /tmp is ENOSPC, not a full host disk), and
 *   every hidden path (the Stratus data dir, other functions' code) is covered by an empty tmpfs
 *   (a file by an unreadable empty file). Every other writable host mount is read-only too.
 * - Its own processes (pid namespace with a fresh /proc): it cannot see or signal anything of the
 *   host; pid 1 is a root shell that reaps orphans and forwards SIGTERM.
 * - No privilege (setpriv): the runtime runs as the `stratus-fn` system user with no groups, no
 *   capabilities and no_new_privs, so setuid binaries are inert and /root and 0700 dirs are closed.
 * - Bounded resources (cgroups.ts): memory+swap, pids and CPU weight, joined before the runtime
 *   exists; the kernel OOM-kills inside the environment only and the counter says it did.
 * - No orphans: pdeathsig ties the tree to Stratus, and destroy() kills the whole namespace.
 * The network is shared with the host, as Lambda gives functions outbound access. Less privileged
 * hosts get less, and detectCapabilities().warnings says exactly what (capabilities.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, lstatSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { detectCapabilities, internalsOf, setProber, type SandboxCapabilities } from './capabilities.js';
import { createEnvCgroup, type EnvCgroup } from './cgroups.js';
import { fnScript, fstab, hostArgv, READY_TOKEN, rootScript, type LaunchPlan } from './script.js';

export { detectCapabilities, FUNCTION_USER, type DetectOptions, type SandboxCapabilities } from './capabilities.js';

export interface SandboxOptions {
  /** Environment id: names the cgroup, so [A-Za-z0-9_.-] only. */
  id: string;
  /** Absolute path of the interpreter or bootstrap, as seen inside the sandbox. */
  command: string;
  args: string[];
  /** The complete environment of the runtime: nothing is inherited. */
  env: Record<string, string>;
  /**
   * Exposed read-only at /var/task. May be filled after spawn, in place (a rename over it would
   * not be seen). The function's uid reads it through the "other" bits: directories 755 and files
   * 644, as Lambda requires of deployment packages; the host path's parents may stay private.
   */
  taskDir: string;
  /** Exposed read-only at /opt (layers); /opt is empty without it. */
  optDir?: string;
  /**
   * A host directory that must stay visible, read-only, at its own path: Stratus's runtime
   * clients and the modules they load. It may lie under the host's /tmp (a checkout there),
   * which the private /tmp would otherwise hide.
   */
  runtimeRoot?: string;
  tmpSizeMb: number;
  /** Hard limit of memory plus swap. */
  memoryMb: number;
  pidsMax: number;
  /** Relative CPU weight (cgroup v1 scale, 1024 = one default share); see cpuSharesFor. */
  cpuShares: number;
  /** Host paths the function must not see; missing ones are ignored. */
  hidePaths: string[];
  stdio?: 'pipe';
  /** How long setup may take before spawnSandbox fails (default 10 s, Lambda's init cap). */
  setupTimeoutMs?: number;
}

export interface Sandbox {
  /**
   * stdout and stderr are the runtime's; stdin is not connected to it. With namespaces this is
   * the launcher (unshare), not the runtime: stop the sandbox with destroy(), not child.kill().
   */
  child: ChildProcess;
  /** The runtime's exit. With namespaces a runtime killed by signal n shows as code 128+n, which is mapped back to the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Peak memory of the whole tree in bytes since the last resetPeak (cgroup; else the sum of VmHWM from /proc). */
  peakMemoryBytes(): number;
  resetPeak(): void;
  /** Whether the kernel OOM-killed a process of this sandbox (always false without a memory cgroup). */
  oomKilled(): boolean;
  /** Changes the CPU weight (same scale as SandboxOptions.cpuShares); a no-op without a cpu cgroup. */
  setCpuShares(shares: number): void;
  /**
   * SIGTERM the runtime, SIGKILL everything after graceMs (default 2000, as Lambda), remove the
   * cgroup. Idempotent. Call it after the runtime exited on its own too: the cgroup (and so
   * peakMemoryBytes and oomKilled) outlives the processes until then.
   */
  destroy(graceMs?: number): Promise<void>;
}

/** Lambda allocates one vCPU at 1,769 MB, proportionally below and above. */
export const cpuSharesFor = (memoryMb: number) => Math.max(2, Math.round((1024 * memoryMb) / 1769));

/** Where the function finds its code, layers and scratch space, for LAMBDA_TASK_ROOT and friends. */
export function sandboxPaths(caps: SandboxCapabilities, dirs: { taskDir: string; optDir?: string }) {
  return caps.namespaces.mount ? { task: '/var/task', opt: '/opt', tmp: '/tmp' } : { task: dirs.taskDir, opt: dirs.optDir, tmp: tmpdir() };
}

const HOST_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const ID = /^(?!\.\.?$)[A-Za-z0-9_.-]{1,128}$/;

export async function spawnSandbox(opts: SandboxOptions, caps?: SandboxCapabilities): Promise<Sandbox> {
  if (!ID.test(opts.id)) throw new TypeError(`invalid sandbox id: ${JSON.stringify(opts.id)}`);
  if (!opts.command.startsWith('/')) throw new TypeError(`command must be an absolute path: ${opts.command}`);
  caps ??= await detectCapabilities();
  const { tools, cgroups: layout } = internalsOf(caps);
  const inner = fnScript(opts.command, opts.args, opts.env);
  if (!tools) return spawnBare(opts);

  const cg = layout ? createEnvCgroup(layout, opts.id, { memoryBytes: opts.memoryMb * 1024 * 1024, pidsMax: opts.pidsMax, cpuShares: opts.cpuShares }) : undefined;
  let fstabPath: string | undefined;
  try {
    if (caps.namespaces.mount) {
      fstabPath = join(tmpdir(), `stratus-sandbox-${process.pid}-${opts.id}-${randomBytes(4).toString('hex')}.fstab`);
      const hide = hidden(opts.hidePaths);
      const table = fstab({
        taskDir: opts.taskDir,
        optDir: opts.optDir,
        runtimeRoot: opts.runtimeRoot,
        tmpSizeMb: opts.tmpSizeMb,
        shmSizeMb: isDir('/dev/shm') ? opts.memoryMb : undefined,
        hide,
        maskFile: hide.some((h) => !h.dir) ? maskFile() : undefined,
        readOnly: writableMounts(),
      });
      writeFileSync(fstabPath, table, { flag: 'wx', mode: 0o600 });
    }
    const plan: LaunchPlan = {
      tools,
      namespaces: caps.namespaces.mount ? (caps.namespaces.user ? 'user' : 'root') : false,
      cgroupProcs: cg?.procsFiles ?? [],
      fstabPath,
      drop: caps.dropUid ? { uid: caps.uid!, gid: caps.gid! } : undefined,
    };
    const [file, ...args] = hostArgv(plan);
    // detached: the environment is not in Stratus's process group, so a terminal's Ctrl-C reaches Stratus only.
    const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], env: { PATH: HOST_PATH }, cwd: plan.namespaces ? '/' : opts.taskDir, detached: true });
    const exited = exitOf(child, !!plan.namespaces);
    const control = child.stdio[3] as Duplex;
    child.stdin!.on('error', () => {}).end(rootScript(plan));
    control.on('error', () => {}).write(inner);
    try {
      await awaitReady(child, control, opts.setupTimeoutMs ?? 10_000);
    } catch (err) {
      await sandbox(child, exited, undefined, plan.namespaces ? 'namespace' : 'group').destroy(0);
      throw err;
    } finally {
      control.destroy();
    }
    return sandbox(child, exited, cg, plan.namespaces ? 'namespace' : 'group');
  } catch (err) {
    await cg?.remove().catch(() => {});
    throw err;
  } finally {
    if (fstabPath) unlinkQuiet(fstabPath);
  }
}

/** No usable tools (not Linux, or forced plain): the runtime is a direct child in its own process group. */
async function spawnBare(opts: SandboxOptions): Promise<Sandbox> {
  const child = spawn(opts.command, opts.args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env, cwd: opts.taskDir, detached: true });
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  return sandbox(child, exitOf(child, false), undefined, 'group');
}

function exitOf(child: ChildProcess, viaShell: boolean): Sandbox['exited'] {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      // The namespace's pid 1 is a shell: it reports a runtime killed by signal n as exit 128+n.
      if (viaShell && code !== null && code > 128 && code < 128 + 65) {
        const name = signalName(code - 128);
        if (name) return resolve({ code: null, signal: name });
      }
      resolve({ code, signal });
    });
    child.once('error', () => resolve({ code: null, signal: null }));
  });
}

const SIGNALS = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name as NodeJS.Signals]));
const signalName = (n: number) => SIGNALS.get(n);

function awaitReady(child: ChildProcess, control: Duplex, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    let exit: string | undefined;
    let ended = false;
    const timer = setTimeout(() => finish(new Error(`sandbox setup timed out after ${timeoutMs} ms${text ? `: ${text.trim()}` : ''}`)), timeoutMs);
    const finish = (err?: Error) => {
      clearTimeout(timer);
      control.off('data', onData).off('end', onEnd).off('close', onEnd);
      child.off('exit', onExit).off('error', finish);
      if (err) reject(err);
      else resolve();
    };
    // The process may exit before its last bytes are read: decide once both have happened.
    const settleIfDone = () => {
      if (exit !== undefined && ended) finish(new Error(`sandbox setup failed (${exit})${text.trim() ? `: ${text.trim()}` : ''}`));
    };
    const onData = (d: Buffer) => {
      text += d.toString();
      if (text.includes(READY_TOKEN)) finish();
    };
    const onEnd = () => {
      ended = true;
      settleIfDone();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      exit = signal ? `signal ${signal}` : `exit code ${code}`;
      settleIfDone();
    };
    control.on('data', onData).on('end', onEnd).on('close', onEnd);
    child.on('exit', onExit).on('error', finish);
  });
}

function sandbox(child: ChildProcess, exited: Sandbox['exited'], cg: EnvCgroup | undefined, tree: 'namespace' | 'group'): Sandbox {
  let done = false;
  void exited.then(() => (done = true));
  let destroying: Promise<void> | undefined;
  const pid = child.pid!;
  const signal = (sig: NodeJS.Signals) => {
    if (tree === 'namespace') {
      // unshare forwards no signal: the namespace's pid 1 is the one to tell. unshare itself is
      // left to reap it and exit; killed first, it would orphan pid 1 as a zombie of the host's init.
      const inits = childrenOf(pid);
      for (const init of inits) killQuiet(init, sig);
      if (sig === 'SIGKILL' && inits.length === 0) killQuiet(pid, sig);
    } else killQuiet(-pid, sig);
    if (sig === 'SIGKILL') for (const p of cg?.pids() ?? []) killQuiet(p, sig);
  };
  return {
    child,
    exited,
    peakMemoryBytes: () => (cg ? cg.peakBytes() : treeOf(pid).reduce((sum, p) => sum + statusKb(p, 'VmHWM') * 1024, 0)),
    resetPeak: () => {
      if (cg) return cg.resetPeak();
      for (const p of treeOf(pid)) writeQuiet(`/proc/${p}/clear_refs`, '5');
    },
    oomKilled: () => (cg ? cg.oomKills() > 0 : false),
    setCpuShares: (shares) => cg?.setCpuShares(shares),
    destroy: (graceMs = 2000) =>
      (destroying ??= (async () => {
        if (!done) {
          signal('SIGTERM');
          await within(exited, graceMs);
        }
        if (!done) {
          signal('SIGKILL');
          await within(exited, 5000);
        }
        await cg?.remove();
      })()),
  };
}

/** Waits for p at most ms, without a timer left behind to hold the event loop open. */
async function within(p: Promise<unknown>, ms: number): Promise<void> {
  const ac = new AbortController();
  await Promise.race([p, sleep(ms, undefined, { signal: ac.signal }).catch(() => {})]);
  ac.abort();
}

function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      out.push(...readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
    }
  } catch {
    // Gone, or a kernel without CONFIG_PROC_CHILDREN.
  }
  return out;
}

function treeOf(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length && all.length < 4096; i++) all.push(...childrenOf(all[i]!));
  return all;
}

function statusKb(pid: number, field: string): number {
  try {
    return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Kernel file systems that are not storage, or that the sandbox replaces anyway. */
const VIRTUAL_FS = new Set(['proc', 'sysfs', 'devtmpfs', 'devpts', 'cgroup', 'cgroup2', 'mqueue', 'debugfs', 'tracefs', 'securityfs', 'pstore', 'bpf', 'configfs', 'fusectl', 'hugetlbfs', 'binfmt_misc', 'autofs', 'efivarfs', 'nsfs', 'rpc_pipefs']);

/** The host's writable mounts, root first: a function may write to none of them (Lambda's root is read-only). */
function writableMounts(): { path: string; flags: string[] }[] {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').flatMap((line) => {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) return [];
    const f = pre.split(' ');
    return [{ path: f[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))), flags: f[5]!.split(','), fstype: post.split(' ')[0]! }];
  });
  // mountinfo lists mounts in mount order: one mounted later on the same path or an ancestor covers it.
  const covered = (i: number) => mounts.slice(i + 1).some((m) => m.path === mounts[i]!.path || mounts[i]!.path.startsWith(m.path === '/' ? '/' : `${m.path}/`));
  return mounts
    .filter((m, i) => !covered(i) && !m.flags.includes('ro') && !VIRTUAL_FS.has(m.fstype) && !/^\/(proc|sys|dev)(\/|$)/.test(m.path))
    .map(({ path, flags }) => ({ path, flags }))
    .sort((a, b) => a.path.length - b.path.length);
}

/** An empty mode-000 file of ours: bound over a hidden file, reading it is EACCES (without CAP_DAC_OVERRIDE). */
function maskFile(): string {
  const file = join(tmpdir(), `stratus-sandbox-mask-${process.getuid?.() ?? 0}`);
  try {
    writeFileSync(file, '', { flag: 'wx', mode: 0 });
    chmodSync(file, 0);
    return file;
  } catch {
    // It exists: use it only if it is still ours, empty and unreadable (not someone's planted file).
    try {
      const st = lstatSync(file);
      if (st.isFile() && st.uid === process.getuid?.() && st.size === 0 && (st.mode & 0o777) === 0) return file;
    } catch {
      // Vanished meanwhile.
    }
    return '/dev/null';
  }
}

/** Existing paths to mask, resolved (a mount follows symlinks), with their kind. */
function hidden(paths: string[]): { path: string; dir: boolean }[] {
  const out = new Map<string, boolean>();
  for (const p of paths) {
    try {
      const real = realpathSync(p);
      if (real !== '/') out.set(real, statSync(real).isDirectory());
    } catch {
      // Missing: nothing to hide.
    }
  }
  return [...out].map(([path, dir]) => ({ path, dir }));
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function killQuiet(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

function writeQuiet(file: string, data: string): void {
  try {
    writeFileSync(file, data);
  } catch {
    // Best effort.
  }
}

function unlinkQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone.
  }
}

setProber(async (caps) => {
  const { tools } = internalsOf(caps);
  if (!tools) return undefined;
  let sb: Sandbox | undefined;
  // A directory of its own: a user namespace may not bind a tree with mounts below it, such as /.
  const taskDir = mkdtempSync(join(tmpdir(), 'stratus-sandbox-probe-'));
  try {
    chmodSync(taskDir, 0o755);
    sb = await spawnSandbox({ id: `probe-${process.pid}-${randomBytes(3).toString('hex')}`, command: tools.sh, args: ['-c', 'exit 0'], env: {}, taskDir, tmpSizeMb: 1, memoryMb: 64, pidsMax: 16, cpuShares: 64, hidePaths: [] }, caps);
    let err = '';
    sb.child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    sb.child.stdout!.resume();
    const { code, signal } = await sb.exited;
    return code === 0 ? undefined : `${signal ?? `exit code ${code}`}${err.trim() ? `: ${err.trim()}` : ''}`;
  } catch (err) {
    return (err as Error).message;
  } finally {
    await sb?.destroy(0);
    rmSync(taskDir, { recursive: true, force: true });
  }
});
