/**
 * Environment lifecycle and scaling with real processes: timeouts, crashes and out-of-memory
 * kills as Lambda reports them, scale-out under parallel load, reserved and account concurrency,
 * keep-alive reaping, and the cold-start and warm-invoke costs (printed for the record).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { isServiceError } from '../core/errors.js';
import { detectCapabilities } from './sandbox/index.js';
import { startHarness, type Harness } from './test-support.js';

const caps = await detectCapabilities();
const noSandbox = caps.namespaces.mount ? false : `no sandbox here: ${caps.warnings.join('; ')}`;
const noMemoryLimit = caps.namespaces.mount && caps.controllers.includes('memory') ? false : `no memory cgroup here: ${caps.warnings.join('; ') || 'no sandbox'}`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('lifecycle', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h.close());

  test('invoke: a timed-out invocation answers Sandbox.Timedout, logs it, and the environment is replaced', async () => {
    const fn = await h.deploy({ functionName: 'sleeper', runtime: 'nodejs20.x', handler: 'index.handler', timeoutSeconds: 1 }, {
      'index.js': 'exports.handler = async (e) => { if (e.hang) await new Promise(() => setInterval(() => {}, 1000)); return "done"; };',
    });
    assert.equal((await h.invoke(fn)).json, 'done');
    const r = await h.invoke(fn, { hang: true }, { tailLog: true });
    assert.equal(r.functionError, 'Unhandled');
    const id = /START RequestId: (\S+)/.exec(Buffer.from(r.logResult!, 'base64').toString())![1]!;
    assert.deepEqual(r.json, { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${id} Error: Task timed out after 1.00 seconds` });
    assert.ok(r.durationMs >= 1000 && r.durationMs < 2000, String(r.durationMs));
    const tail = Buffer.from(r.logResult!, 'base64').toString();
    assert.match(tail, new RegExp(`\\n\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ${id} Task timed out after 1\\.00 seconds\\nEND RequestId: ${id}\\nREPORT RequestId: ${id}\\tDuration: 1\\d{3}\\.\\d\\d ms\\t[^\\n]*\\tStatus: timeout\\t\\n$`));
    const next = await h.invoke(fn);
    assert.equal(next.json, 'done');
    assert.ok(next.initDurationMs !== undefined, 'a new environment (cold start) after a timeout');
  });

  test('invoke: a runtime that exits answers Runtime.ExitError; an uncaught exception fails its invocation', async () => {
    const fn = await h.deploy({ functionName: 'crasher', runtime: 'nodejs20.x', handler: 'index.handler' }, {
      'index.js': `exports.handler = async (e) => {
        if (e.exit) process.exit(3);
        if (e.late) { setTimeout(() => { throw new TypeError('late failure'); }, 5); return new Promise(() => {}); }
        return 'fine';
      };`,
    });
    const r = await h.invoke(fn, { exit: true }, { tailLog: true });
    const id = /START RequestId: (\S+)/.exec(Buffer.from(r.logResult!, 'base64').toString())![1]!;
    assert.equal(r.functionError, 'Unhandled');
    assert.deepEqual(r.json, { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${id} Error: Runtime exited with error: exit status 3` });
    const tail = Buffer.from(r.logResult!, 'base64').toString();
    assert.match(tail, new RegExp(`RequestId: ${id} Error: Runtime exited with error: exit status 3\\nRuntime.ExitError\\nEND RequestId`));
    assert.match(tail, /\tStatus: error\tError Type: Runtime.ExitError\t\n$/);
    assert.equal((await h.invoke(fn)).json, 'fine');
    const late = await h.invoke(fn, { late: true });
    assert.equal(late.functionError, 'Unhandled');
    assert.equal(late.json.errorType, 'TypeError');
    assert.equal(late.json.errorMessage, 'late failure');
    const again = await h.invoke(fn);
    assert.equal(again.json, 'fine');
    assert.ok(again.initDurationMs !== undefined, 'the crashed runtime was replaced');
  });

  test('invoke: a function over its memory is killed with Runtime.OutOfMemory', { skip: noMemoryLimit }, async () => {
    const fn = await h.deploy({ functionName: 'hog', runtime: 'nodejs20.x', handler: 'index.handler', memoryMb: 128, timeoutSeconds: 20 }, {
      'index.js': 'const keep = []; exports.handler = async () => { for (;;) { keep.push(Buffer.alloc(8 * 1024 * 1024, 1)); await new Promise((r) => setImmediate(r)); } };',
    });
    const r = await h.invoke(fn, {}, { tailLog: true });
    const tail = Buffer.from(r.logResult!, 'base64').toString();
    const id = /START RequestId: (\S+)/.exec(tail)![1]!;
    assert.equal(r.functionError, 'Unhandled');
    assert.deepEqual(r.json, { errorType: 'Runtime.OutOfMemory', errorMessage: `RequestId: ${id} Error: Runtime exited with error: signal: killed` });
    assert.match(tail, /\tStatus: error\tError Type: Runtime.OutOfMemory\t\n$/);
    assert.ok(r.maxMemoryUsedMb >= 100 && r.maxMemoryUsedMb <= 129, String(r.maxMemoryUsedMb));
  });

  test('invoke: 50 parallel invocations scale out to at least 40 environments', async () => {
    const fn = await h.deploy({ functionName: 'parallel', runtime: 'nodejs20.x', handler: 'index.handler', timeoutSeconds: 30 }, {
      'index.js': 'const id = Math.random().toString(36).slice(2); exports.handler = async () => { await new Promise((r) => setTimeout(r, 200)); return id; };',
    });
    const t0 = Date.now();
    const results = await Promise.all(Array.from({ length: 50 }, () => h.invoke(fn)));
    const elapsed = Date.now() - t0;
    assert.ok(results.every((r) => r.functionError === undefined));
    const distinct = new Set(results.map((r) => r.json)).size;
    console.log(`50 parallel invocations of a 200 ms function: ${distinct} environments, ${elapsed} ms in all`);
    assert.ok(distinct >= 40, `${distinct} environments`);
    assert.equal(h.engine.stats().concurrentExecutions, 0);
  });

  test('invoke: reserved concurrency throttles the excess with 429 TooManyRequestsException', async () => {
    const fn = await h.deploy({ functionName: 'reserved', runtime: 'nodejs20.x', handler: 'index.handler', reservedConcurrency: 5 }, {
      'index.js': 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 300)); return "ok"; };',
    });
    const settled = await Promise.allSettled(Array.from({ length: 8 }, () => h.invoke(fn)));
    const ok = settled.filter((s) => s.status === 'fulfilled');
    const throttled = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
    assert.equal(ok.length, 5);
    assert.equal(throttled.length, 3);
    for (const t of throttled) {
      assert.ok(isServiceError(t.reason));
      assert.equal(t.reason.code, 'TooManyRequestsException');
      assert.equal(t.reason.message, 'Rate Exceeded.');
      assert.equal(t.reason.status, 429);
      assert.deepEqual(t.reason.fields, { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', Type: 'User' });
    }
    const none = await h.deploy({ functionName: 'zero', runtime: 'nodejs20.x', handler: 'index.handler', reservedConcurrency: 0 }, { 'index.js': 'exports.handler = async () => 1;' });
    await assert.rejects(h.invoke(none), (e: unknown) => isServiceError(e) && e.fields.Reason === 'ReservedFunctionConcurrentInvocationLimitExceeded');
  });

  test('keep-alive: idle environments are reaped and leave no process behind', async () => {
    const fast = await startHarness({ executor: 'process', keepAliveMs: 600_000, timeScale: 3000 });
    try {
      const fn = await fast.deploy({ functionName: 'reaped', runtime: 'nodejs20.x', handler: 'index.handler' }, {
        'index.js': 'const { spawn } = require("node:child_process"); let child; exports.handler = async () => { child ??= spawn("/bin/sleep", ["30"], { stdio: "ignore" }); return { pid: process.pid, child: child.pid }; };',
      });
      const r = await fast.invoke(fn);
      assert.ok(alive(r.json.pid) && alive(r.json.child));
      assert.equal(fast.engine.stats().environments.length, 1);
      const end = Date.now() + 5000;
      while ((alive(r.json.pid) || alive(r.json.child)) && Date.now() < end) await new Promise((ok) => setTimeout(ok, 25));
      assert.ok(!alive(r.json.pid), 'the runtime is gone');
      assert.ok(!alive(r.json.child), 'what the runtime started is gone too');
      assert.equal(fast.engine.stats().environments.length, 0);
    } finally {
      await fast.close();
    }
  });

  test('keep-alive: sandboxed environments are reaped too', { skip: noSandbox }, async () => {
    const fast = await startHarness({ executor: 'sandbox', keepAliveMs: 600_000, timeScale: 3000 });
    try {
      const fn = await fast.deploy({ functionName: 'reaped2', runtime: 'python3.12', handler: 'app.handler' }, { 'app.py': 'def handler(e, c):\n    return 1\n' });
      assert.equal((await fast.invoke(fn)).json, 1);
      assert.equal(fast.engine.stats().environments.length, 1);
      const end = Date.now() + 5000;
      while (fast.engine.stats().environments.length > 0 && Date.now() < end) await new Promise((ok) => setTimeout(ok, 25));
      assert.equal(fast.engine.stats().environments.length, 0);
    } finally {
      await fast.close();
    }
  });

  test('invoke: an environment whose credentials expire within 5 minutes is retired, not reused', async () => {
    for (const [ttlMinutes, reused] of [
      [4, false],
      [6, true],
    ] as const) {
      const short = await startHarness({ executor: 'process', credentialsTtlMs: ttlMinutes * 60_000 });
      try {
        const fn = await short.deploy({ functionName: 'creds', runtime: 'nodejs20.x', handler: 'index.handler' }, { 'index.js': 'const id = Math.random(); exports.handler = async () => id;' });
        const a = await short.invoke(fn);
        const b = await short.invoke(fn);
        assert.equal(a.json === b.json, reused, `credentials valid for ${ttlMinutes} minutes`);
        assert.equal(b.initDurationMs === undefined, reused);
      } finally {
        await short.close();
      }
    }
  });

  test('invoke: the account limit throttles unreserved functions with ConcurrentInvocationLimitExceeded', async () => {
    const small = await startHarness({ executor: 'process', accountConcurrency: 3 });
    try {
      const fn = await small.deploy({ functionName: 'busy', runtime: 'nodejs20.x', handler: 'index.handler' }, { 'index.js': 'exports.handler = async () => { await new Promise((r) => setTimeout(r, 200)); return 1; };' });
      const settled = await Promise.allSettled(Array.from({ length: 4 }, () => small.invoke(fn)));
      const rejected = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
      assert.equal(rejected.length, 1);
      assert.deepEqual(rejected[0]!.reason.fields, { Reason: 'ConcurrentInvocationLimitExceeded', Type: 'User' });
    } finally {
      await small.close();
    }
  });

  test('performance: cold start from the pre-spawned pool and warm invoke overhead', async () => {
    const report: string[] = [];
    for (const [runtime, handler, files] of [
      ['nodejs20.x', 'index.handler', { 'index.js': 'exports.handler = async () => 1;' }],
      ['python3.12', 'app.handler', { 'app.py': 'def handler(e, c):\n    return 1\n' }],
    ] as const) {
      const cold: number[] = [];
      const init: number[] = [];
      for (let i = 0; i < 8; i++) {
        // Distinct functions: each first call is a cold start served from the pool.
        const fn = await h.deploy({ functionName: `cold-${runtime.replace('.', '-')}-${i}`, runtime, handler }, files);
        await new Promise((ok) => setTimeout(ok, 150));
        const t0 = performance.now();
        const r = await h.invoke(fn);
        cold.push(performance.now() - t0);
        init.push(r.initDurationMs!);
      }
      const fn = await h.deploy({ functionName: `warm-${runtime.replace('.', '-')}`, runtime, handler }, files);
      await h.invoke(fn);
      const warm: number[] = [];
      for (let i = 0; i < 300; i++) {
        const t0 = performance.now();
        await h.invoke(fn);
        warm.push(performance.now() - t0);
      }
      const p = (a: number[], q: number) => a.slice().sort((x, y) => x - y)[Math.floor((a.length - 1) * q)]!.toFixed(2);
      report.push(`${runtime}: cold start p50 ${p(cold, 0.5)} ms (Init Duration p50 ${p(init, 0.5)} ms), warm invoke p50 ${p(warm, 0.5)} ms p90 ${p(warm, 0.9)} ms`);
      assert.ok(Number(p(cold, 0.5)) < 250, `cold starts stay far below a process start plus Docker (${p(cold, 0.5)} ms)`);
    }
    console.log(report.join('\n'));
  });
});
