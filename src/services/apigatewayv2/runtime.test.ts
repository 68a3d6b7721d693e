import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryDocumentStore } from '../../storage/memory.js';
import type { ApiRecord } from './models.js';
import { createHttpApiRuntime } from './runtime.js';
import { ApiStore } from './store.js';

const OWNER = { accountId: '123456789012', region: 'us-east-1' };

function api(apiId: string): ApiRecord {
  return { apiId, ...OWNER, name: 'a', protocolType: 'HTTP', routeSelectionExpression: '$request.method $request.path', apiKeySelectionExpression: '$request.header.x-api-key', disableExecuteApiEndpoint: false, createdDate: new Date().toISOString(), tags: {} };
}

async function withAutoStage(db: ApiStore, apiId: string): Promise<void> {
  await db.create(api(apiId), (tx) => {
    tx.put('routes', 'r1', { routeId: 'r1', routeKey: 'GET /a', authorizationType: 'NONE', apiKeyRequired: false });
    const now = tx.now.toISOString();
    const stage = { stageName: '$default', autoDeploy: true, stageVariables: {}, defaultRouteSettings: {}, routeSettings: {}, createdDate: now, lastUpdatedDate: now, tags: {} };
    tx.put('stages', '$default', stage);
    tx.autoDeploy(stage);
  });
}

test('runtime: local changes show at once; an unchanged re-read keeps the same snapshot object', async () => {
  const docs = new MemoryDocumentStore();
  const db = new ApiStore(docs);
  const runtime = createHttpApiRuntime(db, 20);
  await withAutoStage(db, 'aaaaaaaaaa');
  const first = await runtime.getStageSnapshot('aaaaaaaaaa', '$default');
  assert.deepEqual(first?.routes.map((r) => r.routeKey), ['GET /a']);
  assert.equal(await runtime.getStageSnapshot('aaaaaaaaaa', '$default'), first, 'cached');
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(await runtime.getStageSnapshot('aaaaaaaaaa', '$default'), first, 'same documents, same object after the TTL');

  await db.mutate('aaaaaaaaaa', OWNER, (tx) => {
    tx.put('routes', 'r2', { routeId: 'r2', routeKey: 'GET /b', authorizationType: 'NONE', apiKeyRequired: false });
    tx.redeploy();
  });
  const second = await runtime.getStageSnapshot('aaaaaaaaaa', '$default');
  assert.notEqual(second, first);
  assert.deepEqual(second?.routes.map((r) => r.routeKey).sort(), ['GET /a', 'GET /b']);
  assert.equal(await runtime.getStageSnapshot('aaaaaaaaaa', 'prod'), undefined);
  assert.equal(await runtime.getApi('zzzzzzzzzz'), undefined);
});

test('runtime: a write through another ApiStore (another node) shows after the TTL', async () => {
  const docs = new MemoryDocumentStore();
  const here = new ApiStore(docs);
  const there = new ApiStore(docs);
  const runtime = createHttpApiRuntime(here, 20);
  await withAutoStage(here, 'bbbbbbbbbb');
  const before = await runtime.getStageSnapshot('bbbbbbbbbb', '$default');
  await there.mutate('bbbbbbbbbb', OWNER, (tx) => {
    tx.remove('routes', 'r1');
    tx.put('routes', 'r3', { routeId: 'r3', routeKey: 'POST /c', authorizationType: 'NONE', apiKeyRequired: false });
    tx.redeploy();
  });
  assert.equal(await runtime.getStageSnapshot('bbbbbbbbbb', '$default'), before, 'stale within the TTL');
  await new Promise((r) => setTimeout(r, 30));
  assert.deepEqual((await runtime.getStageSnapshot('bbbbbbbbbb', '$default'))?.routes.map((r) => r.routeKey), ['POST /c']);
});

test('auto-deploy of an API without routes fails and keeps the previous deployment', async () => {
  const db = new ApiStore(new MemoryDocumentStore());
  await withAutoStage(db, 'cccccccccc');
  const before = (await db.loadState((await db.getApi('cccccccccc'))!.value)).stages.get('$default')!;
  await db.mutate('cccccccccc', OWNER, (tx) => {
    tx.remove('routes', 'r1');
    tx.redeploy();
  });
  const after = (await db.loadState((await db.getApi('cccccccccc'))!.value)).stages.get('$default')!;
  assert.equal(after.deploymentId, before.deploymentId);
  assert.equal(after.lastDeploymentStatusMessage, 'Deployment attempt failed: Unable to deploy API because no routes exist in this API');
});
