/**
 * Which services Stratus serves, and with which implementation. Services
 * whose provider is not written yet are still registered with their model,
 * so their operations authenticate and then answer 501 NotImplemented in
 * the service's own format rather than being mistaken for another service.
 */
import type { Authorizer } from '../identity/authorizer.js';
import type { Credentials } from '../identity/credentials.js';
import type { createDirectory } from '../identity/directory.js';
import { createCodec } from '../protocol/index.js';
import { loadModel } from '../protocol/model.js';
import { styleFor } from '../protocol/sigv4/index.js';
import { createIamService } from '../services/iam/index.js';
import { createLambdaService, serviceInvokeOp, serviceMayInvoke, wakeDispatcher } from '../services/lambda/index.js';
import { createS3Service, type S3Service } from '../services/s3/index.js';
import { createApiGatewayV2Service } from '../services/apigatewayv2/index.js';
import { createMailDrop, createSesService, createSesV2Service, type SesMode } from '../services/ses/index.js';
import { createLogsService } from '../services/logs/index.js';
import { createMonitoringService } from '../services/monitoring/index.js';
import { createStsService } from '../services/sts/index.js';
import { createSnsDelivery, createSnsService, type SnsDeliveryRuntime, type SnsService } from '../services/sns/index.js';
import type { SnsPublisher } from '../services/lambda/destinations.js';
import type { ServiceDefinition } from '../services/types.js';
import type { BlobStore, DocumentStore } from '../storage/types.js';
import type { FunctionEngine } from '../functions/types.js';
import type { RegisteredService } from '../gateway/registry.js';
import type { Logger } from '../core/logger.js';
import { readWhole, s3Caller } from './s3-calls.js';
import { buildTranscoder } from './transcoder.js';

export interface ServiceDeps {
  directory: ReturnType<typeof createDirectory>;
  credentials: Credentials;
  authorizer: Authorizer;
  documents: DocumentStore;
  /** Lambda: deployment packages, the engine that runs them, the account's concurrency and the key of code download links. */
  blobs: BlobStore;
  engine: FunctionEngine;
  accountConcurrency: number;
  codeSigningSecret: Buffer;
  accountId: string;
  region: string;
  /** SES: sandbox or production rules, auto-verification, and whether an SMTP relay takes accepted mail. */
  ses: { mode: SesMode; autoVerify: boolean; relay: boolean };
  /** SNS's delivery half (buildSnsDelivery), whose dispatcher the server starts and stops. */
  snsDelivery: SnsDeliveryRuntime;
  /** Background work of services (S3's topic notifications) logs here. */
  log?: Logger;
  /** Stratus's public URL once listening (Elastic Transcoder's internal S3 and SNS calls carry it). */
  endpoint?: () => string;
}

/** Model name → IAM action prefix, for services that have no provider yet. */
const MODEL_ONLY: Record<string, string> = {
  lambda: 'lambda',
  logs: 'logs',
  monitoring: 'cloudwatch',
};

export function buildServices(deps: ServiceDeps): RegisteredService[] {
  const implemented: ServiceDefinition[] = [invalidatingKeyChanges(createIamService({ directory: deps.directory }), deps.credentials), createStsService(deps), createLogsService({ store: deps.documents }), createMonitoringService({ store: deps.documents })];
  // Made first so that S3 (topic notifications) can publish through it; registered in its place below.
  const sns = createSnsService({ store: deps.documents, authorizer: deps.authorizer, accountId: deps.accountId, region: deps.region, delivery: deps.snsDelivery });
  // Lambda reads Code.S3Bucket/S3Key as the caller, through S3 (made just below).
  let s3: S3Service | undefined;
  const readAsCaller = s3Caller(() => s3!, { accountId: deps.accountId, region: deps.region, userAgent: 'lambda.amazonaws.com', endpoint: deps.endpoint ?? (() => 'http://127.0.0.1') });
  implemented.push(
    createLambdaService({
      store: deps.documents,
      blobs: deps.blobs,
      directory: deps.directory,
      engine: deps.engine,
      accountConcurrency: deps.accountConcurrency,
      codeSigningSecret: deps.codeSigningSecret,
      authorizer: deps.authorizer,
      codeObjects: { read: (principal, location, maxBytes) => readWhole(readAsCaller, principal, location, maxBytes) },
    }),
  );
  s3 = createS3Service({
    store: deps.documents,
    blobs: deps.blobs,
    authorizer: deps.authorizer,
    accountId: deps.accountId,
    region: deps.region,
    lambda: {
      canInvoke: (functionArn, sourceArn, sourceAccount) => serviceMayInvoke(deps.documents, functionArn, { servicePrincipal: 's3.amazonaws.com', sourceArn, sourceAccount }),
      enqueueOps: (functionArn, payload, meta) => [serviceInvokeOp(functionArn, payload.toString('utf8'), { servicePrincipal: 's3.amazonaws.com', ...meta })],
      notifyQueued: wakeDispatcher,
    },
    sns: {
      publishOps: (topicArn, msg, source, endpoint) => sns.publishOps(topicArn, msg, { service: { servicePrincipal: 's3.amazonaws.com', ...source } }, endpoint),
      wake: () => sns.wake(),
    },
    log: deps.log?.child({ component: 's3-notifications' }),
  });
  implemented.push(s3);
  const sesDeps = { store: deps.documents, blobs: deps.blobs, ...deps.ses };
  implemented.push(createSesService(sesDeps), createSesV2Service(sesDeps));
  implemented.push(createApiGatewayV2Service({ store: deps.documents }));
  implemented.push(sns);
  // After S3 and SNS: the transcoder reads and writes objects and publishes through them.
  implemented.push(buildTranscoder(deps, implemented, deps.endpoint));
  const defs = [...implemented];
  for (const [name, actionPrefix] of Object.entries(MODEL_ONLY)) {
    if (defs.some((d) => d.name === name)) continue;
    const model = loadModel(name);
    defs.push({ name, signingName: model.metadata.signingName ?? model.metadata.endpointPrefix ?? name, actionPrefix, operations: {} });
  }
  return defs.map((def) => {
    const model = loadModel(def.name);
    return { def, model, codec: createCodec(model), style: styleFor(model.metadata.protocol, def.signingName) };
  });
}

/**
 * SNS's delivery half: Lambda subscriptions reach functions through Lambda's
 * asynchronous queue as sns.amazonaws.com (the function policy must allow
 * it), email subscriptions land in SES's inbox (and its relay).
 */
export function buildSnsDelivery(deps: Pick<ServiceDeps, 'documents' | 'blobs' | 'ses' | 'accountId' | 'region'> & { log: Logger; timeScale: number }): SnsDeliveryRuntime {
  const sns = { servicePrincipal: 'sns.amazonaws.com' };
  return createSnsDelivery({
    store: deps.documents,
    log: deps.log,
    timeScale: deps.timeScale,
    lambda: {
      canInvoke: (functionArn, sourceArn, sourceAccount) => serviceMayInvoke(deps.documents, functionArn, { ...sns, sourceArn, sourceAccount }),
      enqueueOps: (functionArn, payload, meta) => [serviceInvokeOp(functionArn, payload.toString('utf8'), { ...sns, ...meta })],
      notifyQueued: wakeDispatcher,
    },
    mail: createMailDrop({ store: deps.documents, blobs: deps.blobs, ...deps.ses }, { accountId: deps.accountId, region: deps.region }),
  });
}

/** SNS as Lambda's destinations and dead-letter queues reach it: publishing as the function's execution role. */
export function lambdaSnsPublisher(sns: SnsService | undefined, endpoint: () => string): SnsPublisher | undefined {
  if (!sns) return undefined;
  return {
    publishOps: async (topicArn, msg, principal) => {
      const result = await sns.publishOps(topicArn, msg, { principal }, endpoint());
      return result.ok ? { ok: true, ops: result.ops } : result;
    },
    wake: () => sns.wake(),
  };
}

/** IAM calls that revoke keys take effect at once in this process, not after the credential cache's second. */
const KEY_CHANGES = ['UpdateAccessKey', 'DeleteAccessKey', 'DeleteUser'];

function invalidatingKeyChanges(iam: ServiceDefinition, credentials: Credentials): ServiceDefinition {
  const operations = { ...iam.operations };
  for (const name of KEY_CHANGES) {
    const spec = operations[name];
    if (!spec) continue;
    operations[name] = {
      ...spec,
      async handler(input, ctx) {
        const out = await spec.handler(input, ctx);
        credentials.invalidate();
        return out;
      },
    };
  }
  return { ...iam, operations };
}
