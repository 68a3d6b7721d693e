/**
 * The composition root: the one place that picks implementations (embedded
 * storage today, the cluster backend later), wires identity, services and the
 * edge, and owns the HTTP server's lifecycle.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import type { StratusConfig } from '../core/config.js';
import { createLogger, type Logger } from '../core/logger.js';
import { createEdge } from '../gateway/edge.js';
import { createInternalRoutes } from '../gateway/internal.js';
import { ServiceRegistry } from '../gateway/registry.js';
import { Authorizer } from '../identity/authorizer.js';
import { Credentials } from '../identity/credentials.js';
import { createDirectory } from '../identity/directory.js';
import { openEmbeddedStorage } from '../storage/embedded.js';
import type { Storage } from '../storage/types.js';
import { createFunctionEngine, type EngineOptions } from '../functions/engine.js';
import type { EngineDeps, FunctionEngine } from '../functions/types.js';
import { createLogSink, sweepRetention } from '../services/logs/index.js';
import type { LambdaService } from '../services/lambda/index.js';
import type { S3Service } from '../services/s3/index.js';
import type { SesService } from '../services/ses/index.js';
import type { SnsService } from '../services/sns/index.js';
import type { TranscoderService } from '../services/elastictranscoder/index.js';
import { startAsyncDispatcher } from '../services/lambda/async-dispatcher.js';
import { deferredEngine, engineDeps } from './functions.js';
import { meteredEngine } from './metering.js';
import { createUsageMeter } from './usage.js';
import { createMetricsRecorder } from '../services/monitoring/index.js';
import { buildServices, buildSnsDelivery, lambdaSnsPublisher } from './services.js';
import { VERSION } from './version.js';
import { processEnvironment } from './config.js';

export interface RunningStratus {
  url: string;
  port: number;
  config: StratusConfig;
  root: { accessKeyId: string; secretAccessKey: string; created: boolean };
  storage: Storage;
  log: Logger;
  close(): Promise<void>;
}

export interface StratusOverrides {
  /** Builds the function engine (tests may run a stand-in). */
  createEngine?: (deps: EngineDeps, options?: EngineOptions) => FunctionEngine;
}

/** Lambda's default quota of concurrent executions, capped by what host memory holds at 128 MB each. */
function defaultAccountConcurrency(): number {
  return Math.max(10, Math.min(1000, Math.floor((totalmem() * 0.75) / (128 * 1024 * 1024))));
}

/** How often expired sessions and log events past their retention are swept. */
const SWEEP_MS = 10 * 60 * 1000;

export async function startStratus(config: StratusConfig, log: Logger = createLogger(config.logLevel), overrides: StratusOverrides = {}): Promise<RunningStratus> {
  const storage = await openEmbeddedStorage({ dataDir: config.dataDir, synchronous: config.durability });
  const directory = createDirectory(storage.documents);
  const credentials = new Credentials(storage.documents, directory);
  const preferredRoot = config.rootAccessKeyId && config.rootSecretAccessKey ? { accessKeyId: config.rootAccessKeyId, secretAccessKey: config.rootSecretAccessKey } : undefined;
  const root = await credentials.ensureRoot(config.accountId, preferredRoot);
  const authorizer = new Authorizer(directory);
  const accountConcurrency = config.accountConcurrency ?? defaultAccountConcurrency();
  const engine = deferredEngine();
  const usage = createUsageMeter(storage.documents);
  // Every invocation, sync or async, passes through this wrapper to feed CloudWatch metrics and the usage meter.
  const metered = meteredEngine(engine.engine, createMetricsRecorder(storage.documents), usage);
  // Derived from the root secret so that every node of a cluster signs code download links alike.
  const codeSigningSecret = createHmac('sha256', root.secretAccessKey).update('stratus/lambda-code-links').digest();
  const sesOptions = { mode: config.sesMode, autoVerify: config.sesAutoVerify, relay: config.smtpUrl !== undefined };
  const snsDelivery = buildSnsDelivery({ documents: storage.documents, blobs: storage.blobs, ses: sesOptions, accountId: config.accountId, region: config.region, log: log.child({ component: 'sns-delivery' }), timeScale: config.timeScale });
  const registry = new ServiceRegistry(
    buildServices({ directory, credentials, authorizer, documents: storage.documents, blobs: storage.blobs, engine: metered, accountConcurrency, codeSigningSecret, accountId: config.accountId, region: config.region, ses: sesOptions, snsDelivery, log, endpoint: () => config.publicUrl ?? url }),
  );

  const s3 = registry.get('s3')?.def as S3Service | undefined;
  const ses = registry.get('ses')?.def as SesService | undefined;
  // Before serving: bytes a crash left uncommitted or orphaned go now, so no leftovers survive a restart.
  const swept = await (s3?.sweep() ?? Promise.resolve(0)).catch((err: unknown) => {
    log.warn('s3 garbage sweep failed', { err });
    return 0;
  });
  if (swept > 0) log.info('s3 garbage swept', { blobs: swept });

  let ready = false;
  let url = '';
  const internal = createInternalRoutes({
    credentials,
    version: VERSION,
    ready: () => ready,
    services: () => Object.fromEntries(registry.all.map((s) => [s.def.name, Object.keys(s.def.operations).length > 0 ? 'running' : 'not-implemented'])),
    async lambdaCode(token) {
      const lambda = registry.get('lambda')?.def as LambdaService | undefined;
      const found = lambda?.resolveCodeDownload(token);
      if (!found) return undefined;
      const [info, body] = await Promise.all([storage.blobs.stat(found.blobKey), storage.blobs.read(found.blobKey)]);
      return info && body ? { body, size: info.size } : undefined;
    },
    usage: (accountId, month) => usage.report(accountId, month),
    ses: ses?.inbox,
    snsCertificate: (path) => snsDelivery.certificate(path),
    async reset() {
      await storage.reset();
      snsDelivery.reset();
      credentials.invalidate();
      // The root keys live on in the user's CLI profile, so they survive a reset.
      await credentials.ensureRoot(config.accountId, { accessKeyId: root.accessKeyId, secretAccessKey: root.secretAccessKey });
      log.info('state reset');
    },
  });
  const edge = createEdge({ registry, credentials, authorizer, log, accountId: config.accountId, region: config.region, endpoint: () => config.publicUrl ?? url, internal });

  const server: Server = createServer({ keepAlive: true, requestTimeout: 0, headersTimeout: 60_000, maxHeaderSize: 64 * 1024 }, edge);
  server.on('clientError', (err, socket) => {
    // Malformed HTTP never reaches the edge; answer it and move on.
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
    log.debug('client error', { err: err.message });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  url = `http://${host}:${port}`;

  const wiring = engineDeps({
    blobs: storage.blobs,
    directory,
    credentials,
    authorizer,
    logs: createLogSink(storage.documents),
    endpoint: () => config.publicUrl ?? url,
    workDir: join(config.dataDir, 'functions'),
    accountConcurrency,
    keepAliveMs: config.keepAliveSeconds * 1000,
    timeScale: config.timeScale,
    log: log.child({ component: 'functions' }),
  });
  engine.set((overrides.createEngine ?? createFunctionEngine)(wiring, { runtimePoolSize: config.runtimePoolSize }));
  const sesRelay = config.smtpUrl ? ses?.startRelay({ smtpUrl: config.smtpUrl, log: log.child({ component: 'ses-relay' }), timeScale: config.timeScale }) : undefined;
  const dispatcher = startAsyncDispatcher({ store: storage.documents, blobs: storage.blobs, engine: metered, directory, authorizer, timeScale: config.timeScale, log: log.child({ component: 'lambda-async' }), sns: lambdaSnsPublisher(registry.get('sns')?.def as SnsService | undefined, () => config.publicUrl ?? url) });
  snsDelivery.start();
  // Picks up jobs an earlier process accepted and did not finish, then the queue.
  const transcoder = registry.get('elastictranscoder')?.def as TranscoderService | undefined;
  const transcoderWorkers = await transcoder?.startWorkers({
    workers: config.transcoderWorkers,
    workDir: join(config.dataDir, 'transcoder'),
    log: log.child({ component: 'transcoder' }),
    exclusive: storage.kind === 'embedded',
    searchPath: processEnvironment().PATH,
  });

  const sweeper = setInterval(() => {
    void credentials.sweepExpired().catch((err) => log.warn('session sweep failed', { err }));
    void sweepRetention(storage.documents).catch((err) => log.warn('log retention sweep failed', { err }));
    void s3?.sweep().catch((err) => log.warn('s3 garbage sweep failed', { err }));
  }, SWEEP_MS);
  sweeper.unref();
  ready = true;
  log.info('stratus ready', { url, dataDir: config.dataDir, accountId: config.accountId });

  return {
    url,
    port,
    config,
    root,
    storage,
    log,
    async close() {
      ready = false;
      clearInterval(sweeper);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // Stop taking events first; those in flight end with the engine and stay queued if unfinished.
      const drained = dispatcher.close();
      await transcoderWorkers?.close();
      await snsDelivery.stop();
      await sesRelay?.close();
      await engine.engine.close();
      await drained;
      await createMetricsRecorder(storage.documents).flush();
      await usage.flush();
      await storage.close();
    },
  };
}
