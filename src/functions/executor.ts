/**
 * The executor (global): starts an environment's process and reports on it, behind one small
 * interface so the layers above do not care how processes are isolated. With the sandbox
 * (./sandbox/: namespaces, a dedicated uid, cgroups) the function sees its code read-only at
 * /var/task and is held to its memory; a pre-spawned runtime gets an empty task dir of its own,
 * filled with hard links to the unpacked code when it is specialised. Without mount namespaces,
 * processes are plain children in their own process group, with the code directory itself as
 * the task root (LAMBDA_TASK_ROOT points at it) and peak memory read from /proc (VmHWM).
 * Shutdown follows Lambda's
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html#runtimes-lifecycle-shutdown):
 * SIGTERM to every process of the environment, SIGKILL after the grace period.
 */
import { PACKAGE_ROOT } from './runtimes.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from '../core/logger.js';
import { linkTree } from './code.js';
import { cpuSharesFor, detectCapabilities, sandboxPaths, spawnSandbox, type SandboxCapabilities } from './sandbox/index.js';

/** cgroup v1's smallest weight: a background start only gets CPU nobody else wants. */
const BACKGROUND_CPU_SHARES = 2;

/** Lambda's limit on processes and threads in an environment. */
export const PIDS_MAX = 1024;

export interface SpawnOptions {
  id: string;
  /** Absolute path of the program, as the function sees it (see Executor.path). */
  command: string;
  args: string[];
  /** The complete environment (nothing is inherited). */
  env: Record<string, string>;
  /** Host directory shown to the function as its task root. */
  taskDir: string;
  /** Remove taskDir once the process is gone (a task dir of the environment's own). */
  ownTaskDir?: boolean;
  /** Host directory shown read-only at /opt (sandbox only). */
  optDir?: string;
  /** Working directory in the plain executor (a sandbox starts in /). */
  cwd: string;
  tmpSizeMb: number;
  memoryMb: number;
  /**
   * Started ahead of demand (the pre-spawn pool): it gets the least CPU until prioritise(), so
   * that it never slows down a start a cold start is waiting for.
   */
  background?: boolean;
}

export interface ExecHandle {
  readonly pid: number;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Settles when the process has exited: with its exit code or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  peakMemoryBytes(): number;
  oomKilled(): boolean;
  /** Gives a background process the CPU weight of its memory size (see SpawnOptions.background). */
  prioritise(): void;
  /** SIGTERM, then SIGKILL after graceMs (0: SIGKILL at once). Settles when everything is gone. */
  destroy(graceMs: number): Promise<void>;
}

export interface Executor {
  readonly kind: 'sandbox' | 'process';
  /** Whether a pre-spawned runtime needs a task dir of its own (else it uses the code dir in place). */
  readonly ownTaskDirs: boolean;
  /** Paths the function sees: its task root and a file in it. */
  taskRoot(codeDir: string): string;
  path(codeDir: string, file: string): string;
  /** Makes an own task dir show the code (before or after spawn). */
  fillTaskDir(taskDir: string, codeDir: string): Promise<void>;
  spawn(opts: SpawnOptions): Promise<ExecHandle>;
}

function exitedOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((ok) => {
    if (child.exitCode !== null || child.signalCode !== null) ok({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => ok({ code, signal }));
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Plain child processes: no isolation, no memory limit. */
export class ProcessExecutor implements Executor {
  readonly kind = 'process' as const;
  readonly ownTaskDirs = false;

  taskRoot(codeDir: string): string {
    return codeDir;
  }

  path(codeDir: string, file: string): string {
    return join(codeDir, file);
  }

  async fillTaskDir(): Promise<void> {}

  async spawn(opts: SpawnOptions): Promise<ExecHandle> {
    const child = spawn(opts.command, opts.args, {
      env: opts.env,
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a shutdown reaches whatever the runtime started.
      detached: true,
    });
    await new Promise<void>((ok, fail) => {
      child.once('spawn', ok);
      child.once('error', fail);
    });
    const pid = child.pid!;
    const exited = exitedOf(child);
    let peak = 0;
    const readPeak = (): number => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      } catch {
        // Exited: the last reading stands.
      }
      return peak;
    };
    let destroying: Promise<void> | undefined;
    return {
      pid,
      stdout: child.stdout!,
      stderr: child.stderr!,
      exited,
      peakMemoryBytes: readPeak,
      oomKilled: () => false,
      prioritise: () => {},
      destroy(graceMs: number): Promise<void> {
        destroying ??= (async () => {
          readPeak();
          if (graceMs > 0) {
            killGroup(pid, 'SIGTERM');
            const timer = new Promise<'late'>((ok) => setTimeout(ok, graceMs, 'late').unref());
            await Promise.race([exited, timer]);
          }
          // Also reaps whatever the runtime left behind in its group.
          killGroup(pid, 'SIGKILL');
          await exited;
        })();
        return destroying;
      },
    };
  }
}

/** The sandbox: namespaces, a dedicated uid, cgroup limits. */
export class SandboxExecutor implements Executor {
  readonly kind = 'sandbox' as const;
  readonly ownTaskDirs = true;
  private readonly taskPath: string;

  constructor(
    private readonly caps: SandboxCapabilities,
    private readonly hidePaths: string[],
  ) {
    this.taskPath = sandboxPaths(caps, { taskDir: '/var/task' }).task;
  }

  taskRoot(): string {
    return this.taskPath;
  }

  path(_codeDir: string, file: string): string {
    return join(this.taskPath, file);
  }

  fillTaskDir(taskDir: string, codeDir: string): Promise<void> {
    return linkTree(codeDir, taskDir);
  }

  async spawn(opts: SpawnOptions): Promise<ExecHandle> {
    const sb = await spawnSandbox(
      {
        id: opts.id,
        command: opts.command,
        args: opts.args,
        env: opts.env,
        taskDir: opts.taskDir,
        optDir: opts.optDir,
        runtimeRoot: PACKAGE_ROOT,
        tmpSizeMb: opts.tmpSizeMb,
        memoryMb: opts.memoryMb,
        pidsMax: PIDS_MAX,
        cpuShares: opts.background ? BACKGROUND_CPU_SHARES : cpuSharesFor(opts.memoryMb),
        hidePaths: this.hidePaths,
        stdio: 'pipe',
      },
      this.caps,
    );
    let peak = 0;
    let destroying: Promise<void> | undefined;
    const readPeak = (): number => (peak = Math.max(peak, sb.peakMemoryBytes()));
    return {
      pid: sb.child.pid!,
      stdout: sb.child.stdout!,
      stderr: sb.child.stderr!,
      exited: sb.exited,
      peakMemoryBytes: readPeak,
      oomKilled: () => sb.oomKilled(),
      prioritise: () => {
        if (opts.background) sb.setCpuShares(cpuSharesFor(opts.memoryMb));
      },
      destroy: (graceMs: number) =>
        (destroying ??= (async () => {
          readPeak();
          await sb.destroy(graceMs);
          if (opts.ownTaskDir) await rm(opts.taskDir, { recursive: true, force: true });
        })()),
    };
  }
}

const chosen = new Map<string, Promise<Executor>>();

export type ExecutorChoice = 'auto' | 'sandbox' | 'process';

/**
 * The sandbox when this host has mount namespaces (so functions see /var/task), else plain
 * processes; what is off, and why, is logged once.
 */
export function createExecutor(log: Logger, hidePaths: string[], choice: ExecutorChoice = 'auto'): Promise<Executor> {
  const key = `${choice}\u0000${hidePaths.join('\u0000')}`;
  let p = chosen.get(key);
  if (!p) {
    p = (async (): Promise<Executor> => {
      if (choice === 'process') return new ProcessExecutor();
      const caps = await detectCapabilities();
      if (caps.namespaces.mount) {
        for (const w of caps.warnings) log.warn(`function sandbox: ${w}`);
        return new SandboxExecutor(caps, hidePaths);
      }
      if (choice === 'sandbox') throw new Error(`the function sandbox cannot run here: ${caps.warnings.join('; ')}`);
      log.warn(`function sandbox unavailable, environments run as plain processes (no isolation, no memory limit): ${caps.warnings.join('; ')}`);
      return new ProcessExecutor();
    })();
    chosen.set(key, p);
  }
  return p;
}
