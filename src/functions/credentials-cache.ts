/**
 * Execution-role credentials, cached per (role, function) (global). Issuing a session costs a
 * signed-policy check and a store write; a cold start need not pay it while an earlier session of
 * the same role for the same function still has more than the retirement margin left, the same
 * margin after which an environment holding them is retired (pool.ts). Lambda also hands one
 * session to many environments of a function
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html). Failures are not
 * cached, so a fixed trust policy takes effect on the next cold start.
 */
import type { FunctionSpec, TemporaryCredentials } from './types.js';

export type CredentialsSource = (fn: FunctionSpec) => Promise<TemporaryCredentials>;

export function cachedCredentials(issue: CredentialsSource, marginMs: number, now: () => number = Date.now): CredentialsSource & { clear(): void } {
  const cache = new Map<string, Promise<TemporaryCredentials>>();
  const get = (fn: FunctionSpec): Promise<TemporaryCredentials> => {
    const key = `${fn.roleArn}\u0000${fn.functionArn}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const p = issue(fn).then(
      (creds) => {
        // Only as long as an environment built with them would still be allowed to start.
        if (creds.expiration.getTime() - now() <= marginMs) cache.delete(key);
        else setTimeout(() => cache.get(key) === p && cache.delete(key), creds.expiration.getTime() - now() - marginMs).unref();
        return creds;
      },
      (err: unknown) => {
        cache.delete(key);
        throw err;
      },
    );
    cache.set(key, p);
    return p;
  };
  return Object.assign(get, { clear: () => cache.clear() });
}
