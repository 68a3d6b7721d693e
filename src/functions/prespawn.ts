/**
 * Pre-spawned runtimes (global, one small pool per runtime family and limits): interpreters
 * started ahead of demand, with a neutral environment, running Stratus's runtime client and
 * waiting on their channel, not yet bound to any function. A cold start takes one and
 * specialises it (environment variables, task root, handler), so it costs a handler load
 * rather than a process start; the pool refills itself in the background. A Node runtime joins
 * the pool only once it has warmed up what every handler load needs (runtimes/node/runtime.cjs);
 * a Python one once it has imported what most functions import, which it does only when the pool
 * asks (runtimes/python/bootstrap.py), so a cold start that claims it while it starts never waits for that.
 * This is Stratus's answer to the Docker cold starts of other emulators, and plays the part of Lambda's
 * pre-provisioned sandboxes (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
 * Interpreters are spawned by absolute path with a clean environment: a version-manager shim or
 * inherited NODE_OPTIONS would cost tens of milliseconds on every start.
 */
import { mkdir, rm } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
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
  /** Settles when the runtime has finished warming up (see runtimes/node/runtime.cjs; a Python runtime warms up only when the pool asks it to). */
  warmed: Promise<void>;
}

/** Delay before replacing a taken runtime, so the spawn does not hold up the cold start that took it. */
const REFILL_DELAY_MS = 25;
/** How long an unspecialised runtime may take to say it is ready. */
const READY_TIMEOUT_MS = 10_000;
/** A runtime still warming up after this long joins the pool anyway (warming is an optimisation). */
const WARM_TIMEOUT_MS = 2_000;
const STARTS_AT_ONCE = availableParallelism();

/** A start under way for the pool; a cold start that finds the pool empty claims it. */
interface Pending {
  claim?: { ok: (proc: RuntimeProcess) => void; fail: (err: unknown) => void };
  /** Stops waiting for the warm-up of a runtime that has just been claimed. */
  wake?: () => void;
  /** The process, once spawned (it runs in the background until claimed). */
  handle?: ExecHandle;
}

export class PrespawnPool {
  private readonly idle = new Map<string, RuntimeProcess[]>();
  private readonly pending = new Map<string, Pending[]>();
  private readonly shapes = new Map<string, RuntimeShape>();
  /** Processes started for the pool and not yet handed out: close() must stop them too. */
  private readonly unclaimed = new Set<ExecHandle>();
  /** Refills wait until then: spawning blocks the event loop while a cold start specialises its runtime. */
  private quietUntil = 0;
  private readonly deferred = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(
    private readonly executor: Executor,
    private readonly channels: ChannelServer,
    private readonly workDir: string,
    private readonly log: Logger,
    private readonly size = 3,
  ) {}

  /** Limits only matter to a sandbox; plain processes of one interpreter are interchangeable. */
  private key(s: RuntimeShape): string {
    return this.executor.kind === 'sandbox' ? `${s.interpreter}|${s.memoryMb}|${s.tmpSizeMb}|${s.optDir ?? ''}` : s.interpreter;
  }

  /**
   * A ready, unspecialised runtime: a pooled one when there is one; else one the pool is already
   * starting (it is further along than a new start would be, and a new one would compete with it
   * for the CPU); else a new one.
   */
  async take(shape: RuntimeShape): Promise<RuntimeProcess> {
    const key = this.key(shape);
    this.shapes.set(key, shape);
    const pooled = this.idle.get(key)?.shift();
    let proc: RuntimeProcess;
    if (pooled) {
      // Spawning blocks the event loop for milliseconds (a fork of this whole process): refill
      // once this cold start is under way.
      this.quietUntil = performance.now() + REFILL_DELAY_MS;
      proc = pooled;
    } else {
      const entry = this.pending.get(key)?.find((p) => !p.claim) ?? this.startFor(key);
      const claimed = new Promise<RuntimeProcess>((ok, fail) => (entry.claim = { ok, fail }));
      entry.wake?.();
      entry.handle?.prioritise();
      try {
        proc = await claimed.catch(() => this.start(shape, false));
      } finally {
        // Replacing it sooner would only slow the start this cold start waits for (the pool's
        // other starts, begun when the burst took them, go on meanwhile, in the background).
        this.quietUntil = performance.now() + REFILL_DELAY_MS;
      }
    }
    proc.handle.prioritise();
    this.refill(key);
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

  /**
   * Starts what the pool lacks, at most one start per core at a time: more would share the cores
   * and make the first of them, the one a cold start may be waiting for, later. The rest follows
   * as those finish.
   */
  private refill(key: string): void {
    if (this.closed || this.deferred.has(key)) return;
    const pending = this.pending.get(key) ?? [];
    // A cold start is waiting for a start, or specialising a runtime: the pool can wait.
    const wait = pending.some((p) => p.claim) ? REFILL_DELAY_MS : this.quietUntil - performance.now();
    if (wait > 0) {
      this.deferred.set(key, setTimeout(() => (this.deferred.delete(key), this.refill(key)), wait).unref());
      return;
    }
    const have = (this.idle.get(key)?.length ?? 0) + pending.filter((p) => !p.claim).length;
    const room = Math.max(1, STARTS_AT_ONCE) - pending.length;
    for (let i = 0; i < Math.min(this.size - have, room); i++) this.startFor(key);
  }

  /** Starts a runtime for the pool: it joins the idle list when ready, unless a cold start claimed it. */
  private startFor(key: string): Pending {
    const shape = this.shapes.get(key)!;
    const entry: Pending = {};
    const list = this.pending.get(key) ?? [];
    list.push(entry);
    this.pending.set(key, list);
    const done = (): void => {
      const l = this.pending.get(key);
      const at = l?.indexOf(entry) ?? -1;
      if (l && at >= 0) l.splice(at, 1);
    };
    this.start(shape, true, entry).then(
      async (proc) => {
        // Ready for a cold start that is waiting now; ready for the pool once warm.
        if (!entry.claim) {
          // A Python runtime warms up only when asked: one a cold start is waiting for must not.
          if (shape.family === 'python') proc.channel.send({ t: 'warm' });
          await Promise.race([proc.warmed, new Promise<void>((ok) => (entry.wake = ok))]);
        }
        done();
        if (entry.claim) return entry.claim.ok(proc);
        if (this.closed) return void proc.handle.destroy(0);
        setImmediate(() => this.refill(key));
        const idle = this.idle.get(key) ?? [];
        idle.push(proc);
        this.idle.set(key, idle);
        // A pooled runtime that dies (it should not) leaves the pool.
        void proc.handle.exited.then(() => {
          const l = this.idle.get(key);
          const at = l?.indexOf(proc) ?? -1;
          if (l && at >= 0) l.splice(at, 1);
        });
      },
      (err: unknown) => {
        done();
        if (entry.claim) return entry.claim.fail(err);
        if (!this.closed) this.log.warn('could not pre-spawn a runtime', { err, interpreter: shape.interpreter });
      },
    );
    return entry;
  }

  /** `background`: for the pool, at the least CPU weight until a cold start claims it (`entry`). */
  private async start(shape: RuntimeShape, background: boolean, entry?: Pending): Promise<RuntimeProcess> {
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
        // Claimed while it waited for its task dir: a cold start waits for it.
        background: background && !entry?.claim,
      });
    } catch (err) {
      expected.cancel();
      if (this.executor.ownTaskDirs) await rm(taskDir, { recursive: true, force: true });
      throw err;
    }
    this.unclaimed.add(handle);
    if (entry) {
      entry.handle = handle;
      if (entry.claim) handle.prioritise();
    }
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
      const warmed = new Promise<void>((ok) => {
        const t = setTimeout(ok, WARM_TIMEOUT_MS).unref();
        const done = (): void => (clearTimeout(t), ok());
        channel.onMessage = (m) => m.t === 'warm' && done();
        void handle.exited.then(done);
      });
      return { id, handle, channel, taskDir, warmed };
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
    for (const t of this.deferred.values()) clearTimeout(t);
    this.deferred.clear();
    this.idle.clear();
    await Promise.all([...this.unclaimed].map((h) => h.destroy(0)));
  }
}
