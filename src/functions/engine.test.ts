/**
 * The engine end to end with real processes: Node and Python handlers of every style, the
 * context and environment Lambda gives them, error shapes, logs and REPORT lines, warm reuse.
 * Runs once with plain processes and once with the sandbox (when this host has one).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { detectCapabilities } from './sandbox/index.js';
import { startHarness, type Harness } from './test-support.js';

const caps = await detectCapabilities();
const executors = [{ name: 'process', choice: 'process' as const, skip: false as string | false }, { name: 'sandbox', choice: 'sandbox' as const, skip: caps.namespaces.mount ? (false as const) : `no sandbox here: ${caps.warnings.join('; ')}` }];

for (const ex of executors) {
  describe(`engine (${ex.name})`, { skip: ex.skip }, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ executor: ex.choice });
    });
    after(() => h.close());

    test('invoke: CommonJS async handler in a nested directory gets the event and Lambda context', async () => {
      const fn = await h.deploy({ functionName: 'ctx-fn', runtime: 'nodejs20.x', handler: 'src/lib/app.handler', memoryMb: 256, environment: { GREETING: 'hi', AWS_REGION: 'xx-fake-1' } }, {
        'src/lib/app.js': `exports.handler = async (event, context) => ({
          event,
          functionName: context.functionName, functionVersion: context.functionVersion, invokedFunctionArn: context.invokedFunctionArn,
          memoryLimitInMB: context.memoryLimitInMB, awsRequestId: context.awsRequestId, logGroupName: context.logGroupName,
          logStreamName: context.logStreamName, remaining: context.getRemainingTimeInMillis(), waits: context.callbackWaitsForEmptyEventLoop,
          clientContext: context.clientContext, cwd: process.cwd(), env: process.env,
        });`,
      });
      const clientContext = Buffer.from(JSON.stringify({ custom: { a: 1 } })).toString('base64');
      const r = await h.invoke(fn, { hello: 'world' }, { clientContext, invokedArn: `${fn.functionArn}:$LATEST` });
      assert.equal(r.functionError, undefined, r.payload.toString());
      const j = r.json;
      assert.deepEqual(j.event, { hello: 'world' });
      assert.equal(j.functionName, 'ctx-fn');
      assert.equal(j.functionVersion, '$LATEST');
      assert.equal(j.invokedFunctionArn, `${fn.functionArn}:$LATEST`);
      assert.equal(j.memoryLimitInMB, '256');
      assert.match(j.awsRequestId, /^00000000-0000-4000-8000-/);
      assert.equal(j.logGroupName, '/aws/lambda/ctx-fn');
      assert.match(j.logStreamName, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
      assert.ok(j.remaining > 2000 && j.remaining <= 3000, String(j.remaining));
      assert.equal(j.waits, true);
      assert.deepEqual(j.clientContext, { custom: { a: 1 } });
      const env = j.env as Record<string, string>;
      assert.equal(env.AWS_REGION, 'us-east-1', 'reserved variables cannot be overridden');
      assert.equal(env.AWS_DEFAULT_REGION, 'us-east-1');
      assert.equal(env.GREETING, 'hi');
      assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'ctx-fn');
      assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '$LATEST');
      assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '256');
      assert.equal(env.AWS_LAMBDA_LOG_GROUP_NAME, '/aws/lambda/ctx-fn');
      assert.equal(env.AWS_LAMBDA_LOG_STREAM_NAME, j.logStreamName);
      assert.equal(env._HANDLER, 'src/lib/app.handler');
      assert.equal(env.AWS_EXECUTION_ENV, 'AWS_Lambda_nodejs20.x');
      assert.equal(env.TZ, ':UTC');
      assert.equal(env.LANG, 'en_US.UTF-8');
      assert.match(env.AWS_LAMBDA_RUNTIME_API!, /^127\.0\.0\.1:\d+$/);
      assert.equal(env.AWS_ACCESS_KEY_ID, 'ASIATESTACCESSKEY');
      assert.equal(env.AWS_SECRET_ACCESS_KEY, 'test-secret');
      assert.equal(env.AWS_SESSION_TOKEN, 'test-session-token');
      assert.equal(env.AWS_ENDPOINT_URL, 'http://127.0.0.1:9');
      assert.ok(env.PATH && env.LD_LIBRARY_PATH && env.NODE_PATH && env.LAMBDA_RUNTIME_DIR);
      assert.equal(env.LAMBDA_TASK_ROOT, j.cwd);
      if (ex.name === 'sandbox') assert.equal(env.LAMBDA_TASK_ROOT, '/var/task');
      assert.equal(env._STRATUS_CHANNEL, undefined, 'the channel variables do not leak into the function');
    });

    test('invoke: ESM handlers (.mjs, and .js under "type":"module") and callback style', async () => {
      const mjs = await h.deploy({ functionName: 'esm1', runtime: 'nodejs22.x', handler: 'index.handler' }, { 'index.mjs': 'export const handler = async (e) => ({ kind: "mjs", n: e.n + 1 });' });
      assert.deepEqual((await h.invoke(mjs, { n: 1 })).json, { kind: 'mjs', n: 2 });
      const typed = await h.deploy({ functionName: 'esm2', runtime: 'nodejs20.x', handler: 'app.main' }, { 'package.json': '{"type":"module"}', 'app.js': 'import { sep } from "node:path"; export async function main() { return { kind: "type-module", sep }; }' });
      assert.deepEqual((await h.invoke(typed)).json, { kind: 'type-module', sep: '/' });
      const cb = await h.deploy({ functionName: 'cb', runtime: 'nodejs20.x', handler: 'index.handler' }, {
        'index.js': 'exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { via: "callback", v: event.v }), 20); };',
      });
      assert.deepEqual((await h.invoke(cb, { v: 7 })).json, { via: 'callback', v: 7 });
      const succeed = await h.deploy({ functionName: 'succeed', runtime: 'nodejs20.x', handler: 'index.handler' }, { 'index.js': 'exports.handler = (e, context) => { context.succeed("ok"); };' });
      assert.equal((await h.invoke(succeed)).json, 'ok');
      // callbackWaitsForEmptyEventLoop: the answer waits for pending timers unless told not to.
      const waits = await h.deploy({ functionName: 'waits', runtime: 'nodejs20.x', handler: 'index.handler' }, {
        'index.js': 'let n = 0; exports.handler = (e, ctx, cb) => { ctx.callbackWaitsForEmptyEventLoop = e.wait; setTimeout(() => { n++; }, 1500); cb(null, { before: n }); };',
      });
      const t0 = Date.now();
      await h.invoke(waits, { wait: true });
      assert.ok(Date.now() - t0 >= 1450, 'waited for the timer');
      const t1 = Date.now();
      await h.invoke(waits, { wait: false });
      // Well under the 1.5 s timer, with room for a loaded machine.
      assert.ok(Date.now() - t1 < 1000, 'answered at once');
    });

    test('invoke: console output is prefixed like Lambda and REPORT lines are written', async () => {
      const fn = await h.deploy({ functionName: 'logger', runtime: 'nodejs20.x', handler: 'index.handler' }, {
        'index.js': 'console.log("init line"); exports.handler = async (e) => { console.log("hello %s", "there"); console.error("bad\\nthing"); process.stdout.write("raw line\\n"); return 1; };',
      });
      const cold = await h.invoke(fn, {}, { tailLog: true });
      assert.ok(cold.initDurationMs! > 0);
      const tail = Buffer.from(cold.logResult!, 'base64').toString();
      const id = /START RequestId: (\S+) Version: \$LATEST\n/.exec(tail)?.[1];
      assert.ok(id, tail);
      assert.match(tail, /^INIT_START Runtime Version: nodejs:20\.v\d+\tRuntime Version ARN: arn:aws:lambda:us-east-1::runtime:[0-9a-f]{64}\n/);
      assert.match(tail, /\d{4}-\d\d-\d\dT[\d:.]+Z\tundefined\tINFO\tinit line\n/);
      assert.match(tail, new RegExp(`\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\t${id}\\tINFO\\thello there\\n`));
      assert.match(tail, new RegExp(`Z\\t${id}\\tERROR\\tbad\\nthing\\n`), 'a multi-line record stays one event');
      assert.match(tail, /raw line\n/);
      assert.match(tail, new RegExp(`END RequestId: ${id}\\nREPORT RequestId: ${id}\\tDuration: \\d+\\.\\d\\d ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB\\tInit Duration: \\d+\\.\\d\\d ms\\t\\n$`));
      const billed = Number(/Billed Duration: (\d+) ms/.exec(tail)![1]);
      assert.equal(billed, Math.ceil(cold.durationMs + cold.initDurationMs!), 'billed duration includes the init phase');
      const warm = await h.invoke(fn, {}, { tailLog: true });
      assert.equal(warm.initDurationMs, undefined);
      const warmTail = Buffer.from(warm.logResult!, 'base64').toString();
      assert.doesNotMatch(warmTail, /INIT_START|Init Duration/);
      assert.match(warmTail, /^START RequestId: \S+ Version: \$LATEST\n/);
      assert.equal(warm.billedDurationMs, Math.ceil(warm.durationMs));
      // The sink gets the same lines, in one stream per environment.
      const group = await waitForMessages(h, '/aws/lambda/logger', 12);
      assert.equal(group.filter((m) => m.startsWith('REPORT RequestId:')).length, 2);
      assert.equal([...h.sink.streams.values()].filter((s) => s.group === '/aws/lambda/logger').length, 1);
    });

    test('invoke: the tail is the last 4 KB of the invocation log', async () => {
      const fn = await h.deploy({ functionName: 'chatty', runtime: 'nodejs20.x', handler: 'index.handler' }, { 'index.js': 'exports.handler = async () => { for (let i = 0; i < 200; i++) console.log("line " + i + " " + "x".repeat(40)); return null; };' });
      const r = await h.invoke(fn, {}, { tailLog: true });
      const tail = Buffer.from(r.logResult!, 'base64');
      assert.equal(tail.length, 4096);
      assert.match(tail.toString(), /line 199 x+\nEND RequestId: \S+\nREPORT RequestId: [^\n]+\n$/);
      assert.equal(r.json, null);
    });

    test('invoke: handled errors and init errors have Lambda shapes', async () => {
      const thrower = await h.deploy({ functionName: 'thrower', runtime: 'nodejs20.x', handler: 'index.handler' }, { 'index.js': 'class MyError extends Error { constructor(m) { super(m); this.name = "MyError"; } } exports.handler = async () => { throw new MyError("boom"); };' });
      const r = await h.invoke(thrower, {}, { tailLog: true });
      assert.equal(r.functionError, 'Unhandled');
      assert.equal(r.json.errorType, 'MyError');
      assert.equal(r.json.errorMessage, 'boom');
      assert.ok(Array.isArray(r.json.trace) && r.json.trace[0] === 'MyError: boom');
      assert.match(Buffer.from(r.logResult!, 'base64').toString(), /\tERROR\tInvoke Error \t\{"errorType":"MyError","errorMessage":"boom"/);
      assert.equal((await h.invoke(thrower)).functionError, 'Unhandled', 'the environment survives a handled error');

      const missing = await h.deploy({ functionName: 'missing', runtime: 'nodejs20.x', handler: 'nothere.handler' }, { 'index.js': 'exports.handler = async () => 1;' });
      const m = await h.invoke(missing, {}, { tailLog: true });
      assert.equal(m.functionError, 'Unhandled');
      assert.equal(m.json.errorType, 'Runtime.ImportModuleError');
      assert.match(m.json.errorMessage, /^Error: Cannot find module 'nothere'/);
      const mtail = Buffer.from(m.logResult!, 'base64').toString();
      assert.match(mtail, /\tundefined\tERROR\tUncaught Exception \t\{"errorType":"Runtime.ImportModuleError"/);
      assert.match(mtail, /INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError\n/);
      assert.match(mtail, /REPORT RequestId: [^\n]*\tStatus: error\tError Type: Runtime.ImportModuleError\t\n$/);

      const noHandler = await h.deploy({ functionName: 'nohandler', runtime: 'nodejs20.x', handler: 'index.nope' }, { 'index.js': 'exports.handler = async () => 1;' });
      const n = await h.invoke(noHandler);
      assert.equal(n.json.errorType, 'Runtime.HandlerNotFound');
      assert.equal(n.json.errorMessage, 'index.nope is undefined or not exported');

      const syntax = await h.deploy({ functionName: 'syntax', runtime: 'nodejs20.x', handler: 'index.handler' }, { 'index.js': 'exports.handler = async () => { return ) };' });
      const s = await h.invoke(syntax);
      assert.equal(s.json.errorType, 'Runtime.UserCodeSyntaxError');
      assert.match(s.json.errorMessage, /^SyntaxError: /);
    });

    test('invoke: Python handler, context, logging and errors', async () => {
      const fn = await h.deploy({ functionName: 'py-fn', runtime: 'python3.12', handler: 'pkg/app.handler', environment: { COLOR: 'blue' } }, {
        'pkg/app.py': [
          'import logging, os',
          'logger = logging.getLogger()',
          'logger.setLevel(logging.INFO)',
          'def handler(event, context):',
          '    print("printed", event["n"])',
          '    logger.info("from logging %s", 42)',
          '    if event.get("fail"):',
          '        raise ValueError("bad value")',
          '    return {"n": event["n"] * 2, "fn": context.function_name, "ver": context.function_version, "arn": context.invoked_function_arn,',
          '            "mem": context.memory_limit_in_mb, "rid": context.aws_request_id, "group": context.log_group_name, "stream": context.log_stream_name,',
          '            "remaining": context.get_remaining_time_in_millis(), "color": os.environ["COLOR"], "root": os.environ["LAMBDA_TASK_ROOT"], "cwd": os.getcwd(),',
          '            "exec": os.environ.get("AWS_EXECUTION_ENV")}',
        ].join('\n'),
      });
      const r = await h.invoke(fn, { n: 21 }, { tailLog: true });
      assert.equal(r.functionError, undefined, r.payload.toString());
      assert.equal(r.json.n, 42);
      assert.equal(r.json.fn, 'py-fn');
      assert.equal(r.json.ver, '$LATEST');
      assert.equal(r.json.arn, fn.functionArn);
      assert.equal(r.json.mem, '128');
      assert.match(r.json.rid, /^00000000-/);
      assert.equal(r.json.group, '/aws/lambda/py-fn');
      assert.match(r.json.stream, /\[\$LATEST\][0-9a-f]{32}$/);
      assert.ok(r.json.remaining > 2000);
      assert.equal(r.json.color, 'blue');
      assert.equal(r.json.root, r.json.cwd);
      assert.equal(r.json.exec, 'AWS_Lambda_python3.12');
      const tail = Buffer.from(r.logResult!, 'base64').toString();
      assert.match(tail, /\nprinted 21\n/);
      assert.match(tail, new RegExp(`\\[INFO\\]\\t\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z\\t${r.json.rid}\\tfrom logging 42\\n`));

      const e = await h.invoke(fn, { n: 1, fail: true }, { tailLog: true });
      assert.equal(e.functionError, 'Unhandled');
      assert.deepEqual(Object.keys(e.json), ['errorMessage', 'errorType', 'requestId', 'stackTrace']);
      assert.equal(e.json.errorType, 'ValueError');
      assert.equal(e.json.errorMessage, 'bad value');
      assert.match(e.json.requestId, /^00000000-/);
      assert.match(e.json.stackTrace.join(''), /app\.py", line 8, in handler/);
      assert.match(Buffer.from(e.logResult!, 'base64').toString(), /\[ERROR\] ValueError: bad value\nTraceback \(most recent call last\):\n {2}File/);

      const missing = await h.deploy({ functionName: 'py-missing', runtime: 'python3.12', handler: 'nothere.handler' }, { 'app.py': 'def handler(e, c):\n    return 1\n' });
      const m = await h.invoke(missing);
      assert.deepEqual(m.json, { errorMessage: "Unable to import module 'nothere': No module named 'nothere'", errorType: 'Runtime.ImportModuleError', requestId: '', stackTrace: [] });
      const noHandler = await h.deploy({ functionName: 'py-nohandler', runtime: 'python3.12', handler: 'app.nope' }, { 'app.py': 'def handler(e, c):\n    return 1\n' });
      const n = await h.invoke(noHandler);
      assert.equal(n.json.errorType, 'Runtime.HandlerNotFound');
      assert.equal(n.json.errorMessage, "Handler 'nope' missing on module 'app'");
    });

    test('invoke: a warm environment is reused, another revision gets its own', async () => {
      const files = { 'index.js': 'const id = Math.random(); let n = 0; exports.handler = async () => ({ id, n: ++n, pid: process.pid });' };
      const fn = await h.deploy({ functionName: 'warm', runtime: 'nodejs20.x', handler: 'index.handler' }, files);
      const a = await h.invoke(fn);
      const b = await h.invoke(fn);
      assert.equal(a.json.id, b.json.id);
      assert.equal(b.json.n, 2);
      assert.ok(a.initDurationMs !== undefined && b.initDurationMs === undefined);
      const c = await h.invoke({ ...fn, revisionId: 'changed' });
      assert.notEqual(c.json.id, a.json.id);
      await h.engine.retire(fn.functionArn);
      const d = await h.invoke(fn);
      assert.notEqual(d.json.id, a.json.id, 'retire drops the warm environments');
    });
  });
}

async function waitForMessages(h: Harness, group: string, atLeast: number): Promise<string[]> {
  const end = Date.now() + 5000;
  for (;;) {
    const m = h.sink.messages(group);
    if (m.length >= atLeast || Date.now() > end) return m;
    await new Promise((ok) => setTimeout(ok, 10));
  }
}

test('invoke: a role that may not write logs gets no log stream, as on Lambda', async () => {
  const h = await startHarness({ executor: 'process', canWriteLogs: false });
  try {
    const fn = await h.deploy({ functionName: 'silent', runtime: 'nodejs20.x', handler: 'index.handler' }, { 'index.js': 'exports.handler = async () => { console.log("unseen"); return 1; };' });
    const r = await h.invoke(fn, {}, { tailLog: true });
    assert.match(Buffer.from(r.logResult!, 'base64').toString(), /unseen/, 'the tail is still returned');
    await new Promise((ok) => setTimeout(ok, 50));
    assert.equal(h.sink.streams.size, 0);
  } finally {
    await h.close();
  }
});
