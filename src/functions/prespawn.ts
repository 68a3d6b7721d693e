/**
 * Pre-spawned runtimes (global, one small pool per runtime family and limits): interpreters
 * started ahead of demand, with a neutral environment, running Stratus's runtime client and
 * waiting on their channel, not yet bound to any function. A cold start takes one and
 * specialises it (environment variables, task root, handler), so it costs a handler load
 * rather than a process start; the pool refills itself in the background. This is Stratus's
 * answer to the Docker cold starts of other emulators, and plays the part of Lambda's
 * pre-provisioned sandboxes (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
 * Interpreters are spawned by absolute path with a clean environment: a version-manager shim or
 * inherited NODE_OPTIONS would cost tens of milliseconds on every start.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/logger.js';
import { randomHex } from '../core/ids.js';
import type { Channel, ChannelServer } from './channel.js';
import type { ExecHandle, Executor } from './executor.js';
import { neutralEnvironment } from './lambda-env.js';
import { runtimeCommand } from './runtimes.js';

export interface RuntimeShape {
  family: 'node' | 'python';
  interpreter: string;
  memoryMb: number;
  tmpSizeMb: number;
  /** Shown at /opt in a sandbox (the Python SDK mirror). */
  optDir?: string;
}

export interface RuntimeProcess {
  id: string;
  handle: ExecHandle;
  channel: Channel;
  /** Host directory the sandbox shows at /var/task (filled at specialisation). */
  taskDir: string;
}

/** Delay before replacing a taken runtime, so the spawn does not hold up the cold start that took it. */
const REFILL_DELAY_MS = 25;
/** How long an unspecialised runtime may take to say it is ready. */
const READY_TIMEOUT_MS = 10_000;

export class PrespawnPool {
  private readonly idle = new Map<string, RuntimeProcess[]>();
  private readonly starting = new Map<string, number>();
  private readonly shapes = new Map<string, RuntimeShape>();
  /** Processes started for the pool and not yet handed out: close() must stop them too. */
  private readonly unclaimed = new Set<ExecHandle>();
  private closed = false;

  constructor(
    private readonly executor: Executor,
    private readonly channels: ChannelServer,
    private readonly workDir: string,
    private readonly log: Logger,
    private readonly size = 2,
  ) {}

  /** Limits only matter to a sandbox; plain processes of one interpreter are interchangeable. */
  private key(s: RuntimeShape): string {
    return this.executor.kind === 'sandbox' ? `${s.interpreter}|${s.memoryMb}|${s.tmpSizeMb}|${s.optDir ?? ''}` : s.interpreter;
  }

  /** A ready, unspecialised runtime: a pooled one when there is one, else a new one. */
  async take(shape: RuntimeShape): Promise<RuntimeProcess> {
    const key = this.key(shape);
    this.shapes.set(key, shape);
    const pooled = this.idle.get(key)?.shift();
    // Spawning blocks the event loop for milliseconds: refill once this cold start is under way.
    setTimeout(() => this.refill(key), REFILL_DELAY_MS).unref();
    const proc = pooled ?? (await this.start(shape));
    this.unclaimed.delete(proc.handle);
    if (this.closed) {
      await proc.handle.destroy(0);
      throw new Error('function engine is closed');
    }
    return proc;
  }

  /** Fills the pool of this shape in the background. */
  warm(shape: RuntimeShape): void {
    const key = this.key(shape);
    this.shapes.set(key, shape);
    this.refill(key);
  }

  private refill(key: string): void {
    if (this.closed) return;
    const shape = this.shapes.get(key)!;
    const have = (this.idle.get(key)?.length ?? 0) + (this.starting.get(key) ?? 0);
    for (let i = have; i < this.size; i++) {
      this.starting.set(key, (this.starting.get(key) ?? 0) + 1);
      this.start(shape)
        .then((proc) => {
          if (this.closed) return void proc.handle.destroy(0);
          const list = this.idle.get(key) ?? [];
          list.push(proc);
          this.idle.set(key, list);
          // A pooled runtime that dies (it should not) leaves the pool.
          void proc.handle.exited.then(() => {
            const l = this.idle.get(key);
            const at = l?.indexOf(proc) ?? -1;
            if (l && at >= 0) l.splice(at, 1);
          });
        })
        .catch((err: unknown) => {
          if (!this.closed) this.log.warn('could not pre-spawn a runtime', { err, interpreter: shape.interpreter });
        })
        .finally(() => this.starting.set(key, (this.starting.get(key) ?? 1) - 1));
    }
  }

  private async start(shape: RuntimeShape): Promise<RuntimeProcess> {
    const id = randomHex(8);
    const taskDir = join(this.workDir, 'envs', id);
    if (this.executor.ownTaskDirs) await mkdir(taskDir, { recursive: true, mode: 0o755 });
    const { command, args } = runtimeCommand(shape.family, shape.interpreter);
    const expected = this.channels.expect();
    let handle: ExecHandle;
    try {
      handle = await this.executor.spawn({
        id,
        command,
        args,
        env: neutralEnvironment(shape.interpreter, await this.channels.address(), expected.token),
        taskDir,
        ownTaskDir: this.executor.ownTaskDirs,
        optDir: shape.optDir,
        cwd: this.workDir,
        tmpSizeMb: shape.tmpSizeMb,
        memoryMb: shape.memoryMb,
      });
    } catch (err) {
      expected.cancel();
      if (this.executor.ownTaskDirs) await rm(taskDir, { recursive: true, force: true });
      throw err;
    }
    this.unclaimed.add(handle);
    void handle.exited.then(() => this.unclaimed.delete(handle));
    if (this.closed) {
      expected.cancel();
      await handle.destroy(0);
      throw new Error('function engine is closed');
    }
    // Until specialised, output is the runtime's own (e.g. a crash): keep the pipes flowing.
    handle.stdout.resume();
    handle.stderr.resume();
    let timer: NodeJS.Timeout | undefined;
    try {
      const channel = await Promise.race([
        expected.connected,
        new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`runtime ${command} did not start within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS).unref())),
        handle.exited.then(({ code, signal }): never => {
          throw new Error(`runtime ${command} exited while starting (${signal ?? `exit status ${code}`})`);
        }),
      ]);
      handle.stdout.pause();
      handle.stderr.pause();
      return { id, handle, channel, taskDir };
    } catch (err) {
      expected.cancel();
      await handle.destroy(0);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  stats(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [key, list] of this.idle) {
      const s = this.shapes.get(key)!;
      const name = this.executor.kind === 'sandbox' ? `${s.family}:${s.interpreter}:${s.memoryMb}MB` : `${s.family}:${s.interpreter}`;
      out[name] = list.length;
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.idle.clear();
    await Promise.all([...this.unclaimed].map((h) => h.destroy(0)));
  }
}
