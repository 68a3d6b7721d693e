/**
 * Custom runtimes (provided.al2023, provided.al2): an executable `bootstrap` from the package
 * speaks the HTTP Runtime API at $AWS_LAMBDA_RUNTIME_API, here a bash script with curl and a
 * Python script using only urllib, as the Lambda tutorial's runtimes do
 * (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-walkthrough.html).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { detectCapabilities } from './sandbox/index.js';
import { startHarness, type Harness } from './test-support.js';

const BASH_BOOTSTRAP = `#!/bin/bash
set -euo pipefail
echo "bootstrap starting for $_HANDLER"
while true; do
  HEADERS="$(mktemp)"
  EVENT=$(curl -sS -LD "$HEADERS" "http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/next")
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  ARN=$(grep -Fi Lambda-Runtime-Invoked-Function-Arn "$HEADERS" | tr -d '[:space:]' | cut -d: -f2-)
  echo "handling $REQUEST_ID"
  if [[ "$EVENT" == *fail* ]]; then
    curl -sS -X POST -H "Lambda-Runtime-Function-Error-Type: Unhandled" "http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/error" \\
      -d '{"errorMessage":"asked to fail","errorType":"BashError"}' > /dev/null
  else
    curl -sS -X POST "http://\${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime/invocation/$REQUEST_ID/response" \\
      -d "{\\"echo\\":$EVENT,\\"handler\\":\\"$_HANDLER\\",\\"arn\\":\\"$ARN\\",\\"root\\":\\"$LAMBDA_TASK_ROOT\\",\\"pwd\\":\\"$PWD\\"}" > /dev/null
  fi
done
`;

const PYTHON_BOOTSTRAP = `#!/usr/bin/python3
import json, os, sys, time, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
print("python bootstrap up", flush=True)
while True:
    with urllib.request.urlopen(api + "/invocation/next") as r:
        request_id = r.headers["Lambda-Runtime-Aws-Request-Id"]
        deadline = int(r.headers["Lambda-Runtime-Deadline-Ms"])
        trace = r.headers["Lambda-Runtime-Trace-Id"]
        event = json.loads(r.read())
    body = json.dumps({"event": event, "remaining": deadline - int(time.time() * 1000), "trace": trace, "fn": os.environ["AWS_LAMBDA_FUNCTION_NAME"]}).encode()
    req = urllib.request.Request(api + "/invocation/" + request_id + "/response", data=body, method="POST")
    with urllib.request.urlopen(req) as r:
        assert r.status == 202
`;

const INIT_FAILURE = `#!/usr/bin/python3
import json, os, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
body = json.dumps({"errorMessage": "config missing", "errorType": "Custom.ConfigError"}).encode()
urllib.request.urlopen(urllib.request.Request(api + "/init/error", data=body, method="POST", headers={"Lambda-Runtime-Function-Error-Type": "Custom.ConfigError"}))
`;

const caps = await detectCapabilities();
for (const ex of [{ name: 'process', choice: 'process' as const, skip: false as string | false }, { name: 'sandbox', choice: 'sandbox' as const, skip: caps.namespaces.mount ? (false as const) : 'no sandbox here' }]) {
  describe(`custom runtimes (${ex.name})`, { skip: ex.skip }, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness({ executor: ex.choice });
    });
    after(() => h.close());

    test('invoke: a bash bootstrap using curl answers through the Runtime API', async () => {
      const fn = await h.deploy({ functionName: 'bash-fn', runtime: 'provided.al2023', handler: 'function.handler' }, { bootstrap: { data: BASH_BOOTSTRAP, mode: 0o755 } });
      const r = await h.invoke(fn, { n: 1 }, { tailLog: true });
      assert.equal(r.functionError, undefined, r.payload.toString());
      assert.deepEqual(r.json.echo, { n: 1 });
      assert.equal(r.json.handler, 'function.handler');
      assert.equal(r.json.arn, fn.functionArn);
      assert.equal(r.json.root, r.json.pwd, 'the bootstrap starts in its task root');
      if (ex.name === 'sandbox') assert.equal(r.json.root, '/var/task');
      const tail = Buffer.from(r.logResult!, 'base64').toString();
      assert.match(tail, /^INIT_START Runtime Version: provided:al2023\.v\d+\t/);
      assert.match(tail, /bootstrap starting for function.handler\n/);
      assert.match(tail, /handling 00000000-/);
      assert.match(tail, /REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB\tMax Memory Used: \d+ MB\tInit Duration: [\d.]+ ms\t\n$/);
      const warm = await h.invoke(fn, { n: 2 });
      assert.deepEqual(warm.json.echo, { n: 2 });
      assert.equal(warm.initDurationMs, undefined);
      const failed = await h.invoke(fn, { fail: true });
      assert.equal(failed.functionError, 'Unhandled');
      assert.deepEqual(failed.json, { errorMessage: 'asked to fail', errorType: 'BashError' });
    });

    test('invoke: a Python bootstrap using only urllib gets the deadline and trace headers', async () => {
      const fn = await h.deploy({ functionName: 'py-bootstrap', runtime: 'provided.al2', handler: 'x', timeoutSeconds: 5 }, { bootstrap: { data: PYTHON_BOOTSTRAP, mode: 0o755 } });
      const r = await h.invoke(fn, { hello: 'world' });
      assert.equal(r.functionError, undefined, r.payload.toString());
      assert.deepEqual(r.json.event, { hello: 'world' });
      assert.ok(r.json.remaining > 4000 && r.json.remaining <= 5000, String(r.json.remaining));
      assert.match(r.json.trace, /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/);
      assert.equal(r.json.fn, 'py-bootstrap');
    });

    test('invoke: init/error and a missing bootstrap fail the invocation as Lambda does', async () => {
      const fn = await h.deploy({ functionName: 'init-fails', runtime: 'provided.al2023', handler: 'x' }, { bootstrap: { data: INIT_FAILURE, mode: 0o755 } });
      const r = await h.invoke(fn, {}, { tailLog: true });
      assert.equal(r.functionError, 'Unhandled');
      assert.deepEqual(r.json, { errorMessage: 'config missing', errorType: 'Custom.ConfigError' });
      assert.match(Buffer.from(r.logResult!, 'base64').toString(), /INIT_REPORT Init Duration: [\d.]+ ms\tPhase: init\tStatus: error\tError Type: Custom.ConfigError\n/);

      const none = await h.deploy({ functionName: 'no-bootstrap', runtime: 'provided.al2023', handler: 'x' }, { 'main.sh': 'echo hi' });
      const n = await h.invoke(none);
      const id = n.json.errorMessage.split(' ')[1];
      assert.deepEqual(n.json, { errorType: 'Runtime.InvalidEntrypoint', errorMessage: `RequestId: ${id} Error: Couldn't find valid bootstrap(s): [${ex.name === 'sandbox' ? '/var/task' : n.json.errorMessage.match(/\[(\S+)\/bootstrap/)[1]}/bootstrap /opt/bootstrap]` });
      assert.match(id, /^00000000-/);

      const exits = await h.deploy({ functionName: 'exits', runtime: 'provided.al2023', handler: 'x' }, { bootstrap: { data: '#!/bin/sh\necho dying >&2\nexit 2\n', mode: 0o755 } });
      const e = await h.invoke(exits);
      assert.equal(e.json.errorType, 'Runtime.ExitError');
      assert.match(e.json.errorMessage, /^RequestId: 00000000-\S+ Error: Runtime exited with error: exit status 2$/);
    });
  });
}
