/**
 * The function engine (global): composes the layers of an invocation, each in its own module, as
 * LocalStack's invocation service does: concurrency lease (concurrency.ts) → environment
 * assignment (pool.ts) → environment lifecycle (environment.ts) → runtime process
 * (prespawn.ts, executor.ts) and transport (channel-transport.ts, runtime-api.ts). It implements
 * the FunctionEngine contract of types.ts for the Lambda API
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ServiceError, isServiceError } from '../core/errors.js';
import { ConcurrencyLimiter } from './concurrency.js';
import { ChannelServer } from './channel.js';
import { createExecutor, type ExecutorChoice } from './executor.js';
import { CREDENTIALS_MARGIN_MS, EnvironmentPool } from './pool.js';
import { cachedCredentials } from './credentials-cache.js';
import { PrespawnPool } from './prespawn.js';
import { RuntimeApiServer } from './runtime-api.js';
import { pythonSdkOptDir } from './python-sdk.js';
import { resolveInterpreter, runtimeInfo, type Interpreter } from './runtimes.js';
import type { EngineDeps, EngineStats, FunctionEngine, InvokeRequest, InvokeResult } from './types.js';

/** Runtimes whose interpreters are pre-spawned at start, so the first cold start is fast too. */
const PREWARMED = ['nodejs20.x', 'python3.12'];
/** Lambda's defaults: the shape most functions have. */
const DEFAULT_MEMORY_MB = 128;
const DEFAULT_TMP_MB = 512;

export interface EngineOptions {
  /** 'auto' (default): the sandbox where the host allows it, else plain processes. */
  executor?: ExecutorChoice;
  /** Pre-spawned runtimes kept per runtime shape (`--runtime-pool-size`); default 3. */
  runtimePoolSize?: number;
}

const DEFAULT_POOL_SIZE = 3;

export function createFunctionEngine(engineDeps: EngineDeps, options: EngineOptions = {}): FunctionEngine {
  const deps: EngineDeps = { ...engineDeps, roleCredentials: cachedCredentials((fn) => engineDeps.roleCredentials(fn), CREDENTIALS_MARGIN_MS) };
  const limiter = new ConcurrencyLimiter(deps.accountConcurrency);
  const runtimeApi = new RuntimeApiServer();
  const channels = new ChannelServer();
  const keepAliveMs = Math.max(1, deps.keepAliveMs / Math.max(deps.timeScale, 1e-9));
  const ready = (async () => {
    // Functions must not see Stratus's work dir: other functions' code and environments live there.
    await mkdir(join(deps.workDir, 'envs'), { recursive: true });
    const executor = await createExecutor(deps.log, [deps.workDir], options.executor);
    const prespawn = new PrespawnPool(executor, channels, deps.workDir, deps.log, options.runtimePoolSize ?? DEFAULT_POOL_SIZE);
    const sdkDirs = new Map<string, Promise<string | undefined>>();
    const pythonOptDir = (interp: Interpreter): Promise<string | undefined> => {
      if (executor.kind !== 'sandbox') return Promise.resolve(undefined);
      let p = sdkDirs.get(interp.path);
      if (!p) {
        p = pythonSdkOptDir(deps.workDir, interp, deps.log).catch((err: unknown) => {
          deps.log.warn('could not give sandboxed Python functions boto3', { err });
          return undefined;
        });
        sdkDirs.set(interp.path, p);
      }
      return p;
    };
    const pool = new EnvironmentPool({ deps, executor, runtimeApi, prespawn, pythonOptDir }, keepAliveMs);
    return { executor, prespawn, pool, pythonOptDir, sdkDirs };
  })();
  let closed = false;
  let statsCache: { pool: EnvironmentPool; prespawn: PrespawnPool } | undefined;
  const warming = ready.then(async (parts) => {
    statsCache = parts;
    for (const id of PREWARMED) {
      const info = runtimeInfo(id)!;
      const interp = await resolveInterpreter(info, deps.log, parts.executor.kind === 'sandbox');
      if (interp && !closed && (info.family === 'node' || info.family === 'python')) {
        const optDir = info.family === 'python' ? await parts.pythonOptDir(interp) : undefined;
        if (!closed) parts.prespawn.warm({ family: info.family, interpreter: interp.path, memoryMb: DEFAULT_MEMORY_MB, tmpSizeMb: DEFAULT_TMP_MB, optDir });
      }
    }
  }, (err: unknown) => deps.log.error('the function engine could not start', { err }));

  return {
    async invoke(req: InvokeRequest): Promise<InvokeResult> {
      if (closed) throw new ServiceError('ServiceException', 'The function engine is shutting down.', { status: 500, senderFault: false });
      const lease = limiter.acquire(req.fn);
      try {
        const { pool } = await ready;
        let acquired;
        try {
          acquired = await pool.acquire(req.fn);
        } catch (err) {
          if (isServiceError(err)) throw err;
          deps.log.error('could not create an execution environment', { err, function: req.fn.functionArn });
          throw new ServiceError('ServiceException', `Could not start an execution environment: ${(err as Error).message}`, { status: 500, senderFault: false });
        }
        try {
          return await acquired.env.invoke(req);
        } finally {
          pool.release(acquired.env);
        }
      } finally {
        lease.release();
      }
    },

    async retire(functionArn: string, version?: string): Promise<void> {
      const { pool } = await ready;
      await pool.retire(functionArn, version);
    },

    stats(): EngineStats {
      return {
        environments: [
          ...(statsCache?.pool.initializing() ?? []).map((fn) => ({ functionArn: fn.functionArn, version: fn.version, state: 'initializing' as const })),
          ...(statsCache?.pool.environments() ?? [])
            .filter((e) => e.state !== 'dead')
            .map((e) => ({ functionArn: e.fn.functionArn, version: e.fn.version, state: e.state as 'initializing' | 'idle' | 'busy' })),
        ],
        pooled: statsCache?.prespawn.stats() ?? {},
        concurrentExecutions: limiter.concurrentExecutions,
      };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      const parts = await ready.catch(() => undefined);
      if (parts) {
        // Background work must not outlive the engine (it writes into workDir).
        await warming;
        await Promise.all(parts.sdkDirs.values());
        await Promise.all([parts.pool.close(), parts.prespawn.close()]);
      }
      runtimeApi.close();
      channels.close();
    },
  };
}
