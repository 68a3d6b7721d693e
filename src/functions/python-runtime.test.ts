/**
 * The Python runtime client's own start-up shortcuts (runtimes/python/bootstrap.py), end to end
 * through the engine: the interpreter runs with -S and the client imports neither json nor
 * logging up front, so these check that a function cannot tell: payloads round-trip exactly as
 * json does them, marshal/unmarshal errors carry json's messages, the root logger is set up when
 * the function imports logging, and the interpreter's site-packages (boto3) stay importable.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { detectCapabilities } from './sandbox/index.js';
import { startHarness, type Harness } from './test-support.js';

const caps = await detectCapabilities();
const executors = [{ name: 'process', choice: 'process' as const, skip: false as string | false }, { name: 'sandbox', choice: 'sandbox' as const, skip: caps.namespaces.mount ? (false as const) : `no sandbox here: ${caps.warnings.join('; ')}` }];

const HANDLER = [
  'import decimal, json, logging, sys',
  'logging.getLogger().setLevel(logging.INFO)',
  'def handler(event, context):',
  '    logging.info("got %s", event.get("kind"))',
  '    kind = event.get("kind")',
  '    if kind == "set":',
  '        return {1, 2}',
  '    if kind == "values":',
  '        return {"echo": event, "d": decimal.Decimal("2.5"), "f": [1e300, -0.0, 0.1], "u": "\\u00e9\\u2028\\"", "t": (1, 2), "n": None,',
  '                "handlers": len(logging.getLogger().handlers), "site": any(p.endswith(("site-packages", "dist-packages")) for p in sys.path),',
  '                "exit": callable(exit), "same": json.dumps({"a": [1.5, "x"]})}',
  '    if kind == "boto3":',
  '        import boto3',
  '        return boto3.__version__',
  '    return "plain"',
].join('\n');

for (const ex of executors) {
  describe(`python runtime client (${ex.name})`, { skip: ex.skip }, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ executor: ex.choice });
    });
    after(() => h.close());

    test('payloads round-trip as json does them; the root logger is Lambda\'s; site builtins and dirs are there', async () => {
      const fn = await h.deploy({ functionName: 'py-json', runtime: 'python3.11', handler: 'app.handler' }, { 'app.py': HANDLER });
      const event = { kind: 'values', nested: { a: [1, 2.5, 'ü', null, true], big: 12345678901234567890 }, s: 'line\nbreak' };
      const r = await h.invoke(fn, event, { tailLog: true });
      assert.equal(r.functionError, undefined, r.payload.toString());
      const text = r.payload.toString();
      // Exactly json.dumps(..., default=<Decimal as float>): escapes, float reprs and separators.
      assert.ok(text.includes('"d": 2.5, "f": [1e+300, -0.0, 0.1], "u": "\\u00e9\\u2028\\"", "t": [1, 2], "n": null'), text);
      assert.deepEqual(r.json.echo, JSON.parse(JSON.stringify(event)));
      assert.equal(r.json.handlers, 1);
      assert.equal(r.json.exit, true);
      assert.equal(r.json.same, '{"a": [1.5, "x"]}');
      assert.match(Buffer.from(r.logResult!, 'base64').toString(), /\[INFO\]\t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t\S+\tgot values\n/);
      if (ex.name === 'process') assert.equal(r.json.site, true);
    });

    test('an unserialisable result is Runtime.MarshalError; a bad event is Runtime.UnmarshalError with json\'s message', async () => {
      const fn = await h.deploy({ functionName: 'py-marshal', runtime: 'python3.11', handler: 'app.handler' }, { 'app.py': HANDLER });
      const r = await h.invoke(fn, { kind: 'set' });
      assert.equal(r.functionError, 'Unhandled');
      assert.equal(r.json.errorType, 'Runtime.MarshalError');
      assert.equal(r.json.errorMessage, 'Unable to marshal response: {1, 2} is not JSON serializable');
      const bad = await h.engine.invoke({ fn, payload: Buffer.from('{"kind": '), requestId: '00000000-0000-4000-8000-00000000beef', invokedArn: fn.functionArn, tailLog: false, invocationType: 'RequestResponse' });
      const err = JSON.parse(bad.payload.toString());
      assert.equal(err.errorType, 'Runtime.UnmarshalError');
      assert.equal(err.errorMessage, 'Unable to unmarshal input: Expecting value: line 1 column 10 (char 9)');
    });

    test('boto3 stays importable with -S', async () => {
      const fn = await h.deploy({ functionName: 'py-boto3', runtime: 'python3.11', handler: 'app.handler' }, { 'app.py': HANDLER });
      const r = await h.invoke(fn, { kind: 'boto3' });
      assert.equal(r.functionError, undefined, r.payload.toString());
      assert.match(String(r.json), /^\d+\.\d+/);
    });
  });
}
