/**
 * The HTTP Runtime API as a custom runtime sees it, driven with fetch: the long-polled `next`
 * and its headers, response and error posts, and the documented failure statuses.
 * https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { RuntimeApiServer } from './runtime-api.js';
import { MAX_RESPONSE_BYTES } from './transport.js';

const server = new RuntimeApiServer();
after(() => server.close());

const base = (address: string) => `http://${address}/2018-06-01/runtime`;

test('runtime API: next blocks until an invocation and carries it in the Lambda-Runtime headers', async () => {
  const slot = await server.open();
  assert.match(slot.address, /^127\.0\.0\.1:\d+$/);
  const next = fetch(`${base(slot.address)}/invocation/next`);
  assert.deepEqual(await slot.initialized, { ok: true }, 'the first next ends init');
  const deadlineMs = Date.now() + 3000;
  const outcome = slot.invoke({ id: 'req-1', payload: Buffer.from('{"a":1}'), deadlineMs, invokedArn: 'arn:aws:lambda:us-east-1:123456789012:function:f', traceId: 'Root=1-abc', clientContext: '{"custom":{}}', cognitoIdentity: '{"cognitoIdentityId":"x"}' });
  const res = await next;
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('lambda-runtime-aws-request-id'), 'req-1');
  assert.equal(res.headers.get('lambda-runtime-deadline-ms'), String(deadlineMs));
  assert.equal(res.headers.get('lambda-runtime-invoked-function-arn'), 'arn:aws:lambda:us-east-1:123456789012:function:f');
  assert.equal(res.headers.get('lambda-runtime-trace-id'), 'Root=1-abc');
  assert.equal(res.headers.get('lambda-runtime-client-context'), '{"custom":{}}');
  assert.equal(res.headers.get('lambda-runtime-cognito-identity'), '{"cognitoIdentityId":"x"}');
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.equal(await res.text(), '{"a":1}');

  const wrong = await fetch(`${base(slot.address)}/invocation/other-id/response`, { method: 'POST', body: '1' });
  assert.equal(wrong.status, 400);
  assert.deepEqual(await wrong.json(), { errorMessage: 'Invalid request ID', errorType: 'InvalidRequestID' });

  const ok = await fetch(`${base(slot.address)}/invocation/req-1/response`, { method: 'POST', body: '{"done":true}' });
  assert.equal(ok.status, 202);
  assert.deepEqual(await ok.json(), { status: 'OK' });
  const o = await outcome;
  assert.equal(o.kind, 'response');
  assert.equal(o.body.toString(), '{"done":true}');

  const again = await fetch(`${base(slot.address)}/invocation/req-1/response`, { method: 'POST', body: '1' });
  assert.equal(again.status, 403, 'no invocation in progress any more');
  assert.equal((await again.json()).errorType, 'InvalidStateTransition');
  slot.close();
});

test('runtime API: the error endpoint carries the function error type', async () => {
  const slot = await server.open();
  const next = fetch(`${base(slot.address)}/invocation/next`);
  const outcome = slot.invoke({ id: 'req-2', payload: Buffer.from('{}'), deadlineMs: Date.now() + 1000, invokedArn: 'arn', traceId: 't' });
  await next;
  const err = await fetch(`${base(slot.address)}/invocation/req-2/error`, {
    method: 'POST',
    headers: { 'Lambda-Runtime-Function-Error-Type': 'Unhandled.MyError' },
    body: JSON.stringify({ errorMessage: 'bad', errorType: 'MyError', stackTrace: [] }),
  });
  assert.equal(err.status, 202);
  const o = await outcome;
  assert.equal(o.kind, 'error');
  assert.equal(o.kind === 'error' && o.errorType, 'Unhandled.MyError');
  assert.deepEqual(JSON.parse(o.body.toString()), { errorMessage: 'bad', errorType: 'MyError', stackTrace: [] });
  slot.close();
});

test('runtime API: a response over 6 MB is refused with 413 and becomes Function.ResponseSizeTooLarge', async () => {
  const slot = await server.open();
  const next = fetch(`${base(slot.address)}/invocation/next`);
  const outcome = slot.invoke({ id: 'big', payload: Buffer.from('{}'), deadlineMs: Date.now() + 1000, invokedArn: 'arn', traceId: 't' });
  await next;
  const res = await fetch(`${base(slot.address)}/invocation/big/response`, { method: 'POST', body: Buffer.alloc(MAX_RESPONSE_BYTES + 1, 0x61) });
  assert.equal(res.status, 413);
  assert.deepEqual(await res.json(), { errorMessage: `Exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: 'RequestEntityTooLarge' });
  const o = await outcome;
  assert.equal(o.kind, 'error');
  assert.deepEqual(JSON.parse(o.body.toString()), { errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: 'Function.ResponseSizeTooLarge' });
  slot.close();
});

test('runtime API: init/error during init is accepted once; afterwards it is a forbidden transition', async () => {
  const failing = await server.open();
  const res = await fetch(`${base(failing.address)}/init/error`, { method: 'POST', headers: { 'Lambda-Runtime-Function-Error-Type': 'Runtime.Bad' }, body: '{"errorMessage":"nope","errorType":"Runtime.Bad"}' });
  assert.equal(res.status, 202);
  const init = await failing.initialized;
  assert.equal(init.ok, false);
  assert.equal(!init.ok && init.errorType, 'Runtime.Bad');
  failing.close();

  const fine = await server.open();
  const next = fetch(`${base(fine.address)}/invocation/next`);
  await fine.initialized;
  const late = await fetch(`${base(fine.address)}/init/error`, { method: 'POST', body: '{}' });
  assert.equal(late.status, 403);
  assert.equal((await late.json()).errorType, 'InvalidStateTransition');
  const unknown = await fetch(`http://${fine.address}/2018-06-01/runtime/nothing`);
  assert.equal(unknown.status, 404);
  fine.close();
  await next.catch(() => undefined);
});

test('runtime API: environments are told apart by port', async () => {
  const a = await server.open();
  const b = await server.open();
  assert.notEqual(a.address, b.address);
  const nextA = fetch(`${base(a.address)}/invocation/next`);
  const nextB = fetch(`${base(b.address)}/invocation/next`);
  void b.invoke({ id: 'for-b', payload: Buffer.from('"b"'), deadlineMs: Date.now() + 1000, invokedArn: 'arn', traceId: 't' });
  void a.invoke({ id: 'for-a', payload: Buffer.from('"a"'), deadlineMs: Date.now() + 1000, invokedArn: 'arn', traceId: 't' });
  assert.equal((await nextA).headers.get('lambda-runtime-aws-request-id'), 'for-a');
  assert.equal((await nextB).headers.get('lambda-runtime-aws-request-id'), 'for-b');
  a.close();
  b.close();
});
