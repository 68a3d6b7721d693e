/**
 * The limits Lambda enforces, enforced for real: memory (the OOM kill and
 * REPORT's Max Memory Used), timeouts, a fork bomb contained while other
 * functions answer, no access to Stratus's data or another function's code,
 * scale-out to one environment per concurrent call, reserved concurrency
 * answering 429, and idle environments reaped after the keep-alive.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, InvokeCommand, LambdaClient, PutFunctionConcurrencyCommand, waitUntilFunctionActiveV2 } from '@aws-sdk/client-lambda';
import { ACCOUNT, clientConfig, startTestServer, type TestServer } from './harness.js';
import { makeZip } from './clients/zip.js';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/limits-role`;
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const decode = (p: Uint8Array | undefined) => JSON.parse(Buffer.from(p ?? []).toString('utf8'));
const isRoot = process.getuid?.() === 0 && process.platform === 'linux';

/** Live processes whose command line holds `arg`: a marker process a function left in its environment. */
function processesWithArg(arg: string): number {
  let count = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').includes(arg)) count++;
    } catch {
      /* gone */
    }
  }
  return count;
}

describe('function limits', () => {
  let server: TestServer;
  let lambda: LambdaClient;
  before(async () => {
    // 1 s of keep-alive at time scale 1: the reaping test need not wait ten minutes.
    server = await startTestServer(['--keep-alive', '1']);
    lambda = new LambdaClient({ ...clientConfig(server), requestHandler: { requestTimeout: 60_000 } as never });
    await new IAMClient(clientConfig(server)).send(new CreateRoleCommand({ RoleName: 'limits-role', AssumeRolePolicyDocument: TRUST }));
  });
  after(async () => server.close());

  async function create(name: string, code: string, extra: Record<string, unknown> = {}) {
    await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: makeZip({ 'index.js': code }) }, ...extra }));
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 30 }, { FunctionName: name });
  }

  it('Invoke: a memory hog dies with Lambda\'s out-of-memory error, and REPORT shows the limit', { skip: isRoot ? false : 'needs root and cgroups' }, async () => {
    await create('hog', `const keep = []; exports.handler = async () => { for (;;) keep.push(Buffer.alloc(8 * 1024 * 1024, 1)); };`, { MemorySize: 128, Timeout: 30 });
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'hog', LogType: 'Tail' }));
    assert.equal(r.FunctionError, 'Unhandled');
    const err = decode(r.Payload);
    assert.match(err.errorType, /^Runtime\.(OutOfMemory|ExitError)$/, JSON.stringify(err));
    const tail = Buffer.from(r.LogResult ?? '', 'base64').toString();
    const used = Number(/Max Memory Used: (\d+) MB/.exec(tail)?.[1]);
    assert.match(tail, /Memory Size: 128 MB/);
    assert.ok(used >= 100 && used <= 128, `Max Memory Used ${used} MB\n${tail}`);
  });

  it('Invoke: an infinite loop ends with "Task timed out after 1.00 seconds"', async () => {
    await create('spin', `exports.handler = async () => { for (;;) {} };`, { Timeout: 1 });
    const started = Date.now();
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'spin' }));
    assert.equal(r.FunctionError, 'Unhandled');
    assert.match(decode(r.Payload).errorMessage, /Task timed out after 1\.00 seconds/);
    assert.ok(Date.now() - started < 5000);
  });

  it('Invoke: a fork bomb is contained while another function keeps answering', { skip: isRoot ? false : 'needs root and cgroups' }, async () => {
    await create('bomb', `const { spawn } = require('child_process');
exports.handler = async () => { for (;;) { try { spawn('/bin/sh', ['-c', 'sleep 30'], { detached: false }); } catch (e) {} await new Promise(r => setImmediate(r)); } };`, { Timeout: 5 });
    await create('calm', `exports.handler = async () => 'fine';`);
    const bomb = lambda.send(new InvokeCommand({ FunctionName: 'bomb' }));
    await new Promise((r) => setTimeout(r, 1500));
    for (let i = 0; i < 3; i++) assert.equal(decode((await lambda.send(new InvokeCommand({ FunctionName: 'calm' }))).Payload), 'fine');
    const r = await bomb;
    assert.equal(r.FunctionError, 'Unhandled');
    // The host still forks freely.
    assert.equal(execFileSync('/bin/echo', ['ok'], { encoding: 'utf8' }).trim(), 'ok');
  });

  it('Invoke: a function cannot read Stratus\'s data directory', async () => {
    await create('snoop', `const fs = require('fs');
exports.handler = async (event) => { try { fs.readFileSync(event.path); return 'READ'; } catch (e) { return e.code; } };`);
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'snoop', Payload: Buffer.from(JSON.stringify({ path: `${server.dataDir}/stratus.db` })) }));
    assert.ok(['EACCES', 'ENOENT', 'EPERM'].includes(decode(r.Payload)), `got ${decode(r.Payload)}`);
  });

  it('Invoke: 50 parallel calls of a 200 ms function run in at least 40 distinct environments', async () => {
    await create('wide', `const id = require('crypto').randomUUID(); exports.handler = async () => { await new Promise(r => setTimeout(r, 200)); return id; };`);
    const ids = await Promise.all(Array.from({ length: 50 }, async () => decode((await lambda.send(new InvokeCommand({ FunctionName: 'wide' }))).Payload) as string));
    assert.ok(new Set(ids).size >= 40, `${new Set(ids).size} environments`);
  });

  it('PutFunctionConcurrency: with reserved concurrency 5 the excess gets 429 TooManyRequestsException', async () => {
    await create('narrow', `exports.handler = async () => { await new Promise(r => setTimeout(r, 1000)); return 'ok'; };`);
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'narrow', ReservedConcurrentExecutions: 5 }));
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => lambda.send(new InvokeCommand({ FunctionName: 'narrow' }))));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const throttled = results.filter((r) => r.status === 'rejected' && (r.reason as Error).name === 'TooManyRequestsException' && (r.reason as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode === 429);
    assert.ok(ok >= 5 && ok <= 6, `${ok} succeeded`);
    assert.equal(ok + throttled.length, 12);
    assert.equal((throttled[0] as PromiseRejectedResult).reason.Reason, 'ReservedFunctionConcurrentInvocationLimitExceeded');
  });

  it('Invoke: after the keep-alive the environments\' processes are gone', async () => {
    // The handler leaves a marker process in its environment's process tree.
    await create('brief', `const { spawn } = require('child_process');
exports.handler = async () => { spawn('/bin/sleep', ['1001.5'], { stdio: 'ignore' }); return 'ok'; };`);
    await lambda.send(new InvokeCommand({ FunctionName: 'brief' }));
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(processesWithArg('1001.5') >= 1, 'the warm environment is alive right after the call');
    await new Promise((r) => setTimeout(r, 4000));
    assert.equal(processesWithArg('1001.5'), 0, 'the environment was reaped with its whole process tree');
  });
});
