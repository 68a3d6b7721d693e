/**
 * Shared set-up for the Lambda end-to-end tests: an in-process Stratus whose
 * function engine can be replaced (until src/functions/engine.ts lands, a
 * stand-in that echoes the event and records what it was asked to run), an
 * execution role trusted by Lambda, and deployment packages.
 */
import { createHash } from 'node:crypto';
import type { FunctionEngine, InvokeRequest, InvokeResult } from '../../src/functions/types.js';
import { startTestServer, type TestServer } from '../harness.js';
import { makeZip } from './zip.js';

/** A test double of the function engine: answers with the event it was given and remembers every request. */
export class EchoEngine implements FunctionEngine {
  readonly requests: InvokeRequest[] = [];
  readonly retired: { functionArn: string; version?: string }[] = [];

  async invoke(req: InvokeRequest): Promise<InvokeResult> {
    this.requests.push(req);
    const event = JSON.parse(req.payload.toString('utf8')) as { fail?: boolean };
    const payload = event.fail
      ? Buffer.from(JSON.stringify({ errorType: 'Error', errorMessage: 'asked to fail', trace: [] }))
      : Buffer.from(JSON.stringify({ echo: event, version: req.fn.version, handler: req.fn.handler, env: req.fn.environment }));
    const result: InvokeResult = { payload, executedVersion: req.fn.version, durationMs: 1, billedDurationMs: 1, maxMemoryUsedMb: 30 };
    if (event.fail) result.functionError = 'Unhandled';
    if (req.tailLog) result.logResult = Buffer.from(`START RequestId: ${req.requestId}\nEND RequestId: ${req.requestId}\n`).toString('base64');
    return result;
  }

  async retire(functionArn: string, version?: string): Promise<void> {
    this.retired.push(version === undefined ? { functionArn } : { functionArn, version });
  }

  stats() {
    return { environments: [], pooled: {}, concurrentExecutions: 0 };
  }

  async close(): Promise<void> {}
}

/** startTestServer() with the given engine in place of the real one, at AWS's default account concurrency. */
export function startLambdaServer(engine: FunctionEngine): Promise<TestServer> {
  return startTestServer(['--account-concurrency', '1000'], { createEngine: () => engine });
}

export const trustPolicy = (service: string) =>
  JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }] });

/** A Node.js handler package. */
export function nodeZip(body = 'export const handler = async (event) => ({ ok: true, event });'): Buffer {
  return makeZip({ 'index.mjs': body });
}

export const sha256b64 = (buf: Buffer | Uint8Array) => createHash('sha256').update(buf).digest('base64');
