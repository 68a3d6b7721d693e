/**
 * Environment assignment (global, keyed per function version and revision): one invocation per
 * environment at a time, so concurrent invocations scale out to new environments; an idle
 * environment is reused only for the same function, version and RevisionId, and is reaped after
 * the keep-alive (`keepAliveMs / timeScale`; Lambda's is undocumented, other tools use 10
 * minutes). An environment whose role credentials are within 5 minutes of expiry is retired
 * instead of reused, so a new one starts with fresh credentials
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html). The most recently used
 * idle environment is taken first, so a steady load keeps few environments warm and the rest
 * age out.
 */
import { Environment, type EnvContext } from './environment.js';
import type { FunctionSpec } from './types.js';

/** Credentials closer than this to expiry retire an environment. */
export const CREDENTIALS_MARGIN_MS = 5 * 60 * 1000;

interface Group {
  functionArn: string;
  version: string;
  idle: Environment[];
  all: Set<Environment>;
}

export class EnvironmentPool {
  private readonly groups = new Map<string, Group>();
  private readonly reapers = new Map<Environment, NodeJS.Timeout>();
  private readonly retiring = new Set<Environment>();
  /** Environments being created, for stats(). */
  private readonly creating = new Set<FunctionSpec>();
  private closed = false;

  constructor(
    private readonly ctx: EnvContext,
    private readonly keepAliveMs: number,
  ) {}

  private static key(fn: FunctionSpec): string {
    return `${fn.functionArn}\u0000${fn.version}\u0000${fn.revisionId}`;
  }

  /** An idle environment of this function revision, or a new one (cold). */
  async acquire(fn: FunctionSpec): Promise<{ env: Environment; cold: boolean }> {
    if (this.closed) throw new Error('function engine is closed');
    const key = EnvironmentPool.key(fn);
    const group = this.groups.get(key);
    while (group && group.idle.length > 0) {
      const env = group.idle.pop()!;
      clearTimeout(this.reapers.get(env));
      this.reapers.delete(env);
      if (env.state !== 'idle') continue;
      if (env.credentialsExpireAt - Date.now() < CREDENTIALS_MARGIN_MS) {
        void env.destroy();
        continue;
      }
      env.state = 'busy';
      return { env, cold: false };
    }
    const marker = { ...fn };
    this.creating.add(marker);
    let env: Environment;
    try {
      env = await Environment.create(this.ctx, fn);
    } finally {
      this.creating.delete(marker);
    }
    let g = this.groups.get(key);
    if (!g) {
      g = { functionArn: fn.functionArn, version: fn.version, idle: [], all: new Set() };
      this.groups.set(key, g);
    }
    const owner = g;
    owner.all.add(env);
    env.onDeath = () => this.forget(key, owner, env);
    if (env.state === 'dead') this.forget(key, owner, env);
    if (this.closed) this.retiring.add(env);
    return { env, cold: true };
  }

  /** Hands an environment back after its invocation. */
  release(env: Environment): void {
    if (env.state === 'dead') return;
    if (this.retiring.has(env) || this.closed) {
      void env.destroy();
      return;
    }
    const group = this.groups.get(EnvironmentPool.key(env.fn));
    if (!group || !group.all.has(env)) {
      void env.destroy();
      return;
    }
    env.state = 'idle';
    group.idle.push(env);
    const delay = this.keepAliveMs;
    const timer = setTimeout(() => {
      this.reapers.delete(env);
      const at = group.idle.indexOf(env);
      if (at >= 0) group.idle.splice(at, 1);
      void env.destroy();
    }, delay);
    timer.unref();
    this.reapers.set(env, timer);
  }

  private forget(key: string, group: Group, env: Environment): void {
    group.all.delete(env);
    const at = group.idle.indexOf(env);
    if (at >= 0) group.idle.splice(at, 1);
    clearTimeout(this.reapers.get(env));
    this.reapers.delete(env);
    this.retiring.delete(env);
    if (group.all.size === 0 && this.groups.get(key) === group) this.groups.delete(key);
  }

  /** Retires a function's environments (one version, or all): idle ones now, busy ones when they finish. */
  async retire(functionArn: string, version?: string): Promise<void> {
    const stopping: Promise<void>[] = [];
    for (const group of this.groups.values()) {
      if (group.functionArn !== functionArn || (version !== undefined && group.version !== version)) continue;
      for (const env of group.all) {
        if (env.state === 'idle') stopping.push(env.destroy());
        else this.retiring.add(env);
      }
      group.idle.length = 0;
    }
    await Promise.all(stopping);
  }

  environments(): Environment[] {
    return [...this.groups.values()].flatMap((g) => [...g.all]);
  }

  /** Functions whose environments are being created right now (one entry each). */
  initializing(): FunctionSpec[] {
    return [...this.creating];
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = this.environments();
    for (const g of this.groups.values()) g.idle.length = 0;
    await Promise.all(all.map((env) => env.destroy()));
  }
}
