/**
 * What the function engine needs from the rest of Stratus, assembled once at
 * start-up: an execution role's temporary credentials (issued like STS's
 * AssumeRole, to lambda.amazonaws.com, with the function name as the session
 * name, after the role's trust policy has been checked), whether that role
 * may write its logs, and where the logs go.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
 */
import type { Principal } from '../core/context.js';
import { ServiceError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { EngineDeps, FunctionEngine, FunctionLogSink, FunctionSpec } from '../functions/types.js';
import type { Authorizer } from '../identity/authorizer.js';
import type { Credentials } from '../identity/credentials.js';
import type { Directory } from '../identity/types.js';
import { roleFromArn, trustsLambda } from '../services/lambda/index.js';
import type { BlobStore } from '../storage/types.js';

/** Execution-role sessions outlive any environment (environments are reaped after minutes). */
const ROLE_SESSION_SECONDS = 12 * 3600;

export interface EngineWiring {
  blobs: BlobStore;
  directory: Directory;
  credentials: Credentials;
  authorizer: Authorizer;
  logs: FunctionLogSink;
  endpoint: () => string;
  workDir: string;
  accountConcurrency: number;
  keepAliveMs?: number;
  timeScale?: number;
  log: Logger;
}

/** The principal a function runs as: arn:aws:sts::<account>:assumed-role/<role>/<function name>. */
async function executionPrincipal(directory: Directory, fn: FunctionSpec): Promise<Principal> {
  const role = await roleFromArn(directory, fn.roleArn);
  if (!role || !trustsLambda(role)) {
    throw new ServiceError('InvalidParameterValueException', 'The role defined for the function cannot be assumed by Lambda.');
  }
  const accountId = role.arn.split(':')[4]!;
  return {
    type: 'assumed-role',
    arn: `arn:aws:sts::${accountId}:assumed-role/${role.roleName}/${fn.functionName}`,
    accountId,
    userId: `${role.roleId}:${fn.functionName}`,
    name: role.roleName,
    sessionName: fn.functionName,
    roleArn: role.arn,
  };
}

export function engineDeps(w: EngineWiring): EngineDeps {
  return {
    blobs: w.blobs,
    async roleCredentials(fn) {
      const issued = await w.credentials.issueSession(await executionPrincipal(w.directory, fn), ROLE_SESSION_SECONDS);
      return { accessKeyId: issued.AccessKeyId, secretAccessKey: issued.SecretAccessKey, sessionToken: issued.SessionToken, expiration: issued.Expiration };
    },
    async canWriteLogs(fn) {
      const principal = await executionPrincipal(w.directory, fn).catch(() => undefined);
      if (!principal) return false;
      const group = fn.logGroup ?? `/aws/lambda/${fn.functionName}`;
      const resource = `arn:aws:logs:${fn.region}:${fn.accountId}:log-group:${group}:log-stream:*`;
      for (const action of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
        const result = await w.authorizer.authorize({ principal, action, resources: [resource], context: {} });
        if (!result.allowed) return false;
      }
      return true;
    },
    logs: w.logs,
    endpoint: w.endpoint(),
    workDir: w.workDir,
    keepAliveMs: w.keepAliveMs ?? 10 * 60 * 1000,
    timeScale: w.timeScale ?? 1,
    accountConcurrency: w.accountConcurrency,
    log: w.log,
  };
}

/**
 * The engine needs the endpoint functions reach Stratus on, known only once
 * the server listens, while services are built before; this stands in until then.
 */
export function deferredEngine(): { engine: FunctionEngine; set(real: FunctionEngine): void } {
  let real: FunctionEngine | undefined;
  const get = () => {
    if (!real) throw new ServiceError('ServiceException', 'The function engine is not running yet.', { status: 500, senderFault: false });
    return real;
  };
  return {
    engine: {
      invoke: (req) => get().invoke(req),
      retire: async (arn, version) => (real ? real.retire(arn, version) : undefined),
      stats: () => (real ? real.stats() : { environments: [], pooled: {}, concurrentExecutions: 0 }),
      close: async () => real?.close(),
    },
    set(engine) {
      real = engine;
    },
  };
}
