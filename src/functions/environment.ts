/**
 * An execution environment (per function version and revision): its lifecycle as Lambda defines
 * it (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html): Init (capped
 * at 10 s; on a timeout Lambda retries the init during the first invocation, within the
 * function's timeout), Invoke (one invocation at a time, cut at the function's timeout), and
 * Shutdown (SIGTERM, then SIGKILL within 2 s). An environment whose invocation timed out, or
 * whose runtime exited, is destroyed. It owns the runtime process (executor.ts), the transport
 * to it (channel or HTTP Runtime API), and its log stream (logs.ts), and produces Lambda's
 * platform lines and error payloads: `Sandbox.Timedout`, `Runtime.ExitError`,
 * `Runtime.OutOfMemory`, `Runtime.InvalidEntrypoint`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { randomHex } from '../core/ids.js';
import { ChannelTransport } from './channel-transport.js';
import { ensureCode } from './code.js';
import type { ExecHandle, Executor } from './executor.js';
import { lambdaEnvironment, logGroupOf } from './lambda-env.js';
import { billedDuration, EnvironmentLog, reportLine } from './logs.js';
import type { PrespawnPool, RuntimeProcess } from './prespawn.js';
import type { RuntimeApiServer } from './runtime-api.js';
import { resolveInterpreter, runtimeInfo, type Interpreter, type RuntimeInfo } from './runtimes.js';
import type { InitOutcome, RuntimeOutcome, RuntimeTransport } from './transport.js';
import type { EngineDeps, FunctionSpec, InvokeRequest, InvokeResult, TemporaryCredentials } from './types.js';

export const INIT_LIMIT_MS = 10_000;
export const SHUTDOWN_GRACE_MS = 2_000;

export type EnvState = 'initializing' | 'idle' | 'busy' | 'dead';

/** What every environment shares: the engine's dependencies and global services. */
export interface EnvContext {
  deps: EngineDeps;
  executor: Executor;
  runtimeApi: RuntimeApiServer;
  prespawn: PrespawnPool;
  /** What a sandboxed Python runtime shows at /opt (boto3 when its interpreter lacks it). */
  pythonOptDir(interpreter: Interpreter): Promise<string | undefined>;
}

type Ending = RuntimeOutcome | { kind: 'timeout' } | { kind: 'exit'; description: string; errorType: string };

const SIGNAL_NAMES: Partial<Record<NodeJS.Signals, string>> = { SIGKILL: 'killed', SIGTERM: 'terminated', SIGSEGV: 'segmentation fault', SIGABRT: 'aborted', SIGINT: 'interrupt', SIGBUS: 'bus error' };

function runtimeVersionLine(info: RuntimeInfo, region: string): string {
  const [name, rest] = info.family === 'provided' ? ['provided', info.id.split('.')[1]] : [info.family === 'node' ? 'nodejs' : 'python', info.version];
  const hash = createHash('sha256').update(info.id).digest('hex');
  return `INIT_START Runtime Version: ${name}:${rest}.v1\tRuntime Version ARN: arn:aws:lambda:${region}::runtime:${hash}`;
}

function traceId(): string {
  return `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString('hex')};Parent=${randomBytes(8).toString('hex')};Sampled=0`;
}

function errorPayload(errorType: string, errorMessage: string): Buffer {
  return Buffer.from(JSON.stringify({ errorType, errorMessage }));
}

export class Environment {
  readonly id = randomHex(16);
  state: EnvState = 'initializing';
  /** When the execution role's credentials handed to this environment expire. */
  credentialsExpireAt = 0;
  /** Called once when the environment dies, whatever the cause. */
  onDeath: () => void = () => {};
  readonly log: EnvironmentLog;
  private handle?: ExecHandle;
  private transport?: RuntimeTransport;
  private runtimeSlot?: RuntimeTransport;
  private initDurationMs?: number;
  private initFailure?: { body: Buffer; errorType: string; timedOut: boolean };
  private started = false;
  private exitDescription?: { description: string; errorType: string };
  private boot!: (limitMs: number) => Promise<InitOutcome | 'timeout'>;

  private constructor(
    private readonly ctx: EnvContext,
    readonly fn: FunctionSpec,
  ) {
    this.log = new EnvironmentLog(fn, logGroupOf(fn), ctx.deps.logs, (f) => ctx.deps.canWriteLogs(f), ctx.deps.log);
  }

  /** Builds and initialises an environment. Init failures do not throw: the first invocation reports them. */
  static async create(ctx: EnvContext, fn: FunctionSpec): Promise<Environment> {
    const env = new Environment(ctx, fn);
    const info = runtimeInfo(fn.runtime);
    if (!info) throw new Error(`unsupported runtime ${fn.runtime}`);
    const interpreterP = info.family === 'provided' ? Promise.resolve(undefined) : resolveInterpreter(info, ctx.deps.log, ctx.executor.kind === 'sandbox');
    // The pooled runtime is taken beside the pre-init work (code, credentials), not after it.
    // Init starts once the pre-init work is done, or when the runtime was asked for if that was
    // later; waiting for an interpreter start (an empty pool) beyond the pre-init work is init.
    let takenAt = 0;
    let preInitAt = 0;
    const stamp = <T>(v: T): T => ((preInitAt = Math.max(preInitAt, performance.now())), v);
    const taking =
      info.family === 'provided'
        ? undefined
        : interpreterP.then(async (interp) => {
            if (!interp) return undefined;
            const optDir = info.family === 'python' ? await ctx.pythonOptDir(interp) : undefined;
            takenAt = performance.now();
            return ctx.prespawn.take({ family: info.family as 'node' | 'python', interpreter: interp.path, memoryMb: fn.memoryMb, tmpSizeMb: fn.ephemeralStorageMb, optDir });
          });
    let codeDir: string, credentials: TemporaryCredentials, interpreter: Interpreter | undefined, taken: RuntimeProcess | undefined;
    try {
      [codeDir, credentials, interpreter, taken] = await Promise.all([
        ensureCode(ctx.deps.blobs, ctx.deps.workDir, fn.codeBlobKey, fn.codeSha256).then(stamp),
        ctx.deps.roleCredentials(fn).then(stamp),
        interpreterP,
        taking,
      ]);
    } catch (err) {
      // A runtime taken for an environment that cannot be built must not be left running.
      await taking?.then((proc) => proc?.handle.destroy(0)).catch(() => {});
      throw err;
    }
    env.credentialsExpireAt = credentials.expiration.getTime();
    const environment = (taskRoot: string, slot: RuntimeTransport): Record<string, string> =>
      lambdaEnvironment({
        fn,
        info,
        interpreterDir: interpreter && dirname(interpreter.path),
        taskRoot,
        runtimeApi: slot.address,
        logGroup: env.log.group,
        logStream: env.log.stream,
        credentials,
        endpoint: ctx.deps.endpoint,
      });
    env.boot = async (limitMs) => {
      let t0 = performance.now();
      // Each boot gets its own Runtime API port: a retried init must not meet the old process's calls.
      const slot = await ctx.runtimeApi.open();
      env.runtimeSlot = slot;
      if (info.family === 'provided') {
        const taskRoot = ctx.executor.taskRoot(codeDir);
        try {
          await access(join(codeDir, 'bootstrap'), constants.X_OK);
          env.attach(
            await ctx.executor.spawn({
              id: env.id,
              command: ctx.executor.path(codeDir, 'bootstrap'),
              args: [],
              env: environment(taskRoot, slot),
              taskDir: codeDir,
              cwd: codeDir,
              tmpSizeMb: fn.ephemeralStorageMb,
              memoryMb: fn.memoryMb,
            }),
          );
        } catch {
          env.initDurationMs = performance.now() - t0;
          return { ok: false, errorType: 'Runtime.InvalidEntrypoint', body: errorPayload('Runtime.InvalidEntrypoint', `RequestId: Error: Couldn't find valid bootstrap(s): [${taskRoot}/bootstrap /opt/bootstrap]`) };
        }
        env.transport = slot;
      } else {
        let proc = taken;
        taken = undefined;
        if (proc) t0 = Math.max(takenAt, preInitAt);
        else {
          // A retried init starts a new runtime.
          const optDir = info.family === 'python' ? await ctx.pythonOptDir(interpreter!) : undefined;
          proc = await ctx.prespawn.take({ family: info.family, interpreter: interpreter!.path, memoryMb: fn.memoryMb, tmpSizeMb: fn.ephemeralStorageMb, optDir });
        }
        env.attach(proc.handle);
        if (ctx.executor.ownTaskDirs) await ctx.executor.fillTaskDir(proc.taskDir, codeDir);
        const taskRoot = ctx.executor.taskRoot(codeDir);
        env.transport = new ChannelTransport(proc.channel, slot.address, { env: environment(taskRoot, slot), taskRoot, handler: fn.handler });
      }
      const outcome = await Promise.race([
        env.transport.initialized,
        new Promise<'timeout'>((ok) => setTimeout(ok, limitMs, 'timeout').unref()),
        env.handle!.exited.then((): InitOutcome => ({ ok: false, errorType: env.exitDescription?.errorType ?? 'Runtime.ExitError', body: errorPayload(env.exitDescription?.errorType ?? 'Runtime.ExitError', `RequestId: Error: Runtime exited with error: ${env.exitDescription?.description ?? 'exit status 1'}`) })),
      ]);
      env.initDurationMs = performance.now() - t0;
      return outcome;
    };
    env.log.platform(runtimeVersionLine(info, fn.region));
    let outcome: InitOutcome | 'timeout';
    try {
      outcome = await env.boot(INIT_LIMIT_MS);
    } catch (err) {
      // Stratus could not build the environment (not the function's fault): leave nothing behind.
      await Promise.all([env.stopProcess(0), taken?.handle.destroy(0)]);
      env.die();
      throw err;
    }
    if (outcome === 'timeout') {
      env.log.platform(`INIT_REPORT Init Duration: ${env.initDurationMs!.toFixed(2)} ms\tPhase: init\tStatus: timeout`);
      env.initFailure = { body: Buffer.alloc(0), errorType: 'Sandbox.Timedout', timedOut: true };
      await env.stopProcess(0);
    } else if (!outcome.ok) {
      env.log.platform(`INIT_REPORT Init Duration: ${env.initDurationMs!.toFixed(2)} ms\tPhase: init\tStatus: error\tError Type: ${outcome.errorType}`);
      env.initFailure = { body: outcome.body, errorType: outcome.errorType, timedOut: false };
    }
    if (env.state === 'initializing') env.state = 'idle';
    return env;
  }

  private attach(handle: ExecHandle): void {
    this.handle = handle;
    handle.stdout.on('data', (c: Buffer) => this.log.stdout(c));
    handle.stderr.on('data', (c: Buffer) => this.log.stderr(c));
    handle.stdout.resume();
    handle.stderr.resume();
    void handle.exited.then(({ code, signal }) => {
      const oom = handle.oomKilled();
      this.exitDescription = {
        description: signal ? `signal: ${SIGNAL_NAMES[signal] ?? signal}` : `exit status ${code}`,
        errorType: oom ? 'Runtime.OutOfMemory' : 'Runtime.ExitError',
      };
      // An idle environment whose runtime exited is gone; during init or an invocation the caller reports it.
      if (handle === this.handle && this.state === 'idle') this.die();
    });
  }

  /** Runs one invocation. Never throws for function or runtime failures: they are results. */
  async invoke(req: InvokeRequest): Promise<InvokeResult> {
    this.state = 'busy';
    const fn = this.fn;
    const first = !this.started;
    this.started = true;
    this.log.beginInvocation(first);
    this.log.platform(`START RequestId: ${req.requestId} Version: ${fn.version}`);
    const timeoutMs = fn.timeoutSeconds * 1000;
    const t0 = performance.now();
    let initDurationMs = first ? this.initDurationMs : undefined;
    let ending: Ending;
    if (this.initFailure?.timedOut) {
      // Lambda retries a timed-out init within the invocation, bounded by the function's timeout.
      const outcome = await this.boot(timeoutMs);
      initDurationMs = this.initDurationMs;
      if (outcome === 'timeout') ending = { kind: 'timeout' };
      else if (!outcome.ok) ending = { kind: 'error', body: outcome.body, errorType: outcome.errorType };
      else ending = await this.run(req, timeoutMs - (performance.now() - t0));
      if (outcome !== 'timeout' && !outcome.ok) this.log.platform(`INIT_REPORT Init Duration: ${this.initDurationMs!.toFixed(2)} ms\tPhase: invoke\tStatus: error\tError Type: ${outcome.errorType}`);
      this.initFailure = undefined;
      if (ending.kind === 'error' && outcome !== 'timeout' && !outcome.ok) this.initFailure = { body: outcome.body, errorType: outcome.errorType, timedOut: false };
    } else if (this.initFailure) {
      // Errors Stratus wrote during init name no request yet; Lambda's name the first one.
      const body = Buffer.from(this.initFailure.body.toString('utf8').replace('"RequestId: Error:', `"RequestId: ${req.requestId} Error:`));
      ending = { kind: 'error', body, errorType: this.initFailure.errorType };
    } else {
      ending = await this.run(req, timeoutMs);
    }
    // Output written before the answer may still sit in the pipes: one more turn of the loop reads it.
    await new Promise((ok) => setImmediate(ok));
    this.log.flushPartialLines();
    const durationMs = performance.now() - t0;
    let payload: Buffer;
    let status: 'timeout' | 'error' | undefined;
    let errorType: string | undefined;
    let functionError: InvokeResult['functionError'];
    switch (ending.kind) {
      case 'response':
        payload = ending.body;
        break;
      case 'error':
        payload = ending.body;
        functionError = 'Unhandled';
        if (this.initFailure || ending.errorType === 'Function.ResponseSizeTooLarge') {
          status = 'error';
          errorType = ending.errorType;
        }
        break;
      case 'timeout': {
        const secs = fn.timeoutSeconds.toFixed(2);
        this.log.platform(`${new Date().toISOString()} ${req.requestId} Task timed out after ${secs} seconds`);
        payload = errorPayload('Sandbox.Timedout', `RequestId: ${req.requestId} Error: Task timed out after ${secs} seconds`);
        functionError = 'Unhandled';
        status = 'timeout';
        break;
      }
      case 'exit':
        this.log.platform(`RequestId: ${req.requestId} Error: Runtime exited with error: ${ending.description}\n${ending.errorType}`);
        payload = errorPayload(ending.errorType, `RequestId: ${req.requestId} Error: Runtime exited with error: ${ending.description}`);
        functionError = 'Unhandled';
        status = 'error';
        errorType = ending.errorType;
        break;
    }
    const maxMemoryUsedMb = Math.max(1, Math.round((this.handle?.peakMemoryBytes() ?? 0) / (1024 * 1024)));
    const billedDurationMs = billedDuration(durationMs, initDurationMs);
    this.log.platform(`END RequestId: ${req.requestId}`);
    this.log.platform(reportLine({ requestId: req.requestId, durationMs, billedDurationMs, memoryMb: fn.memoryMb, maxMemoryUsedMb, initDurationMs, status, errorType }));
    let logResult: string | undefined;
    if (req.tailLog) logResult = this.log.takeTail();
    else this.log.endInvocation();
    void this.log.flush();
    if (ending.kind === 'timeout' || ending.kind === 'exit' || (ending.kind === 'error' && ending.fatal) || this.initFailure || this.exitDescription) {
      await this.stopProcess(0);
      this.die();
    } else {
      this.state = 'idle';
    }
    return { payload, functionError, logResult, executedVersion: fn.version, durationMs, billedDurationMs, maxMemoryUsedMb, initDurationMs };
  }

  private async run(req: InvokeRequest, budgetMs: number): Promise<Ending> {
    const handle = this.handle!;
    let timer: NodeJS.Timeout | undefined;
    const deadlineMs = Date.now() + Math.max(0, budgetMs);
    const ending = await Promise.race<Ending>([
      this.transport!.invoke({
        id: req.requestId,
        payload: req.payload,
        deadlineMs,
        invokedArn: req.invokedArn,
        traceId: traceId(),
        clientContext: req.clientContext ? Buffer.from(req.clientContext, 'base64').toString('utf8') : undefined,
      }),
      new Promise<Ending>((ok) => (timer = setTimeout(ok, Math.max(0, budgetMs), { kind: 'timeout' }))),
      handle.exited.then((): Ending => ({ kind: 'exit', description: this.exitDescription!.description, errorType: this.exitDescription!.errorType })),
    ]);
    clearTimeout(timer);
    return ending;
  }

  private async stopProcess(graceMs: number): Promise<void> {
    this.transport?.close();
    this.runtimeSlot?.close();
    await this.handle?.destroy(graceMs);
  }

  private die(): void {
    if (this.state === 'dead') return;
    this.state = 'dead';
    this.runtimeSlot?.close();
    void this.log.flush();
    this.onDeath();
  }

  /** Shutdown: SIGTERM, then SIGKILL after the grace period. */
  async destroy(graceMs = SHUTDOWN_GRACE_MS): Promise<void> {
    await this.stopProcess(graceMs);
    this.die();
  }
}
