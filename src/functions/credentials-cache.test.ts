import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedCredentials } from './credentials-cache.js';
import type { FunctionSpec, TemporaryCredentials } from './types.js';

const MARGIN = 5 * 60 * 1000;
const fnOf = (functionArn: string, roleArn = 'arn:aws:iam::000000000000:role/r') => ({ functionArn, roleArn }) as FunctionSpec;

function issuer(lifetimeMs: number) {
  let n = 0;
  const issue = async (): Promise<TemporaryCredentials> => {
    n++;
    return { accessKeyId: `ASIA${n}`, secretAccessKey: 's', sessionToken: 't', expiration: new Date(Date.now() + lifetimeMs) };
  };
  return { issue, calls: () => n };
}

test('cachedCredentials: reuses a session per role and function while it outlives the margin', async () => {
  const src = issuer(60 * 60 * 1000);
  const get = cachedCredentials(src.issue, MARGIN);
  const [a, b] = await Promise.all([get(fnOf('f1')), get(fnOf('f1'))]);
  assert.equal(a.accessKeyId, b.accessKeyId);
  assert.equal((await get(fnOf('f1'))).accessKeyId, a.accessKeyId);
  assert.equal(src.calls(), 1);
  assert.notEqual((await get(fnOf('f2'))).accessKeyId, a.accessKeyId);
  assert.notEqual((await get(fnOf('f1', 'arn:aws:iam::000000000000:role/other'))).accessKeyId, a.accessKeyId);
  assert.equal(src.calls(), 3);
  get.clear();
});

test('cachedCredentials: does not keep a session that is already within the margin', async () => {
  const src = issuer(MARGIN - 1000);
  const get = cachedCredentials(src.issue, MARGIN);
  await get(fnOf('f1'));
  await get(fnOf('f1'));
  assert.equal(src.calls(), 2);
});

test('cachedCredentials: does not cache a failure', async () => {
  let fail = true;
  const get = cachedCredentials(async () => {
    if (fail) throw new Error('trust policy forbids it');
    return { accessKeyId: 'ASIA', secretAccessKey: 's', sessionToken: 't', expiration: new Date(Date.now() + 3_600_000) };
  }, MARGIN);
  await assert.rejects(get(fnOf('f1')), /trust policy/);
  fail = false;
  assert.equal((await get(fnOf('f1'))).accessKeyId, 'ASIA');
  get.clear();
});
