/**
 * The outbox between S3 writes and SNS: records committed with a write are
 * published once, in order, even when two processes drain the same table;
 * a refusal drops the record; a conflict on SNS's own writes publishes again;
 * a failing store leaves the record for the retry. SNS is the TopicTarget
 * contract here, answering with a write of its own per message, so that what
 * "published" means is what committed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { silentLogger } from '../../core/logger.js';
import { MemoryDocumentStore } from '../../storage/memory.js';
import type { DocumentStore, WriteOp } from '../../storage/types.js';
import type { TopicTarget } from './common.js';
import { createSequencer } from './notifications.js';
import { TABLES } from './store.js';
import { TopicOutbox } from './topic-outbox.js';

const PUBLISHED = 'test.published';

function target(store: DocumentStore, answer: (topicArn: string) => { ok: false; code: string; message: string } | undefined = () => undefined) {
  const calls: string[] = [];
  let wakes = 0;
  const sns: TopicTarget = {
    async publishOps(topicArn, msg) {
      calls.push(topicArn);
      const refusal = answer(topicArn);
      if (refusal) return refusal;
      const n = (await store.list(PUBLISHED)).length;
      // Like SNS's FIFO counter: a conditional write that a concurrent publish can beat.
      const ops: WriteOp[] = [{ op: 'put', table: PUBLISHED, key: String(n).padStart(4, '0'), value: { topicArn, message: msg.message }, condition: { ifNotExists: true } }];
      return { ok: true, ops };
    },
    wake: () => void wakes++,
  };
  return { sns, calls, wakes: () => wakes };
}

const record = (topicArn: string, message: string) => ({ topicArn, subject: 'Amazon S3 Notification', message, sourceArn: 'arn:aws:s3:::b', sourceAccount: '123456789012', endpoint: 'http://127.0.0.1:1' });

async function published(store: DocumentStore): Promise<string[]> {
  return (await store.list<{ message: string }>(PUBLISHED)).map((d) => d.value.message);
}

describe('S3 topic outbox', () => {
  it('publishes committed records once each, in event order, and empties the table', async () => {
    const store = new MemoryDocumentStore();
    const t = target(store);
    const outbox = new TopicOutbox(store, t.sns, silentLogger);
    const seq = createSequencer();
    await store.batch(['one', 'two', 'three'].map((m) => outbox.op(seq(), record('arn:aws:sns:us-east-1:123456789012:t', m))));
    outbox.wake();
    await outbox.flush();
    assert.deepEqual(await published(store), ['one', 'two', 'three']);
    assert.deepEqual(await store.list(TABLES.outbox), []);
    assert.ok(t.wakes() >= 1);
  });

  it('two processes draining the same records publish each of them once', async () => {
    const store = new MemoryDocumentStore();
    const seq = createSequencer();
    const a = new TopicOutbox(store, target(store).sns, silentLogger);
    const b = new TopicOutbox(store, target(store).sns, silentLogger);
    const messages = Array.from({ length: 30 }, (_, i) => `m${i}`);
    await store.batch(messages.map((m) => a.op(seq(), record('arn:aws:sns:us-east-1:123456789012:t', m))));
    await Promise.all([a.flush(), b.flush(), a.flush()]);
    assert.deepEqual((await published(store)).sort(), [...messages].sort());
    assert.deepEqual(await store.list(TABLES.outbox), []);
  });

  it('drops a record SNS refuses (a topic gone, or whose policy no longer lets S3 publish) and goes on', async () => {
    const store = new MemoryDocumentStore();
    const t = target(store, (arn) => (arn.endsWith(':gone') ? { ok: false, code: 'NotFound', message: 'Topic does not exist' } : undefined));
    const outbox = new TopicOutbox(store, t.sns, silentLogger);
    const seq = createSequencer();
    await store.batch([outbox.op(seq(), record('arn:aws:sns:us-east-1:123456789012:gone', 'lost')), outbox.op(seq(), record('arn:aws:sns:us-east-1:123456789012:t', 'kept'))]);
    await outbox.flush();
    assert.deepEqual(await published(store), ['kept']);
    assert.deepEqual(await store.list(TABLES.outbox), []);
  });

  it('leaves records in place when the store fails, and publishes them on the retry', async () => {
    const store = new MemoryDocumentStore();
    let failing = true;
    const flaky: DocumentStore = {
      get: (t, k) => store.get(t, k),
      put: (t, k, v, c) => store.put(t, k, v, c),
      delete: (t, k, c) => store.delete(t, k, c),
      list: (t, o) => store.list(t, o),
      batch: (ops) => (failing && ops.some((op) => op.table === PUBLISHED) ? Promise.reject(new Error('disk unplugged')) : store.batch(ops)),
    };
    const outbox = new TopicOutbox(flaky, target(store).sns, silentLogger);
    await store.batch([outbox.op(createSequencer()(), record('arn:aws:sns:us-east-1:123456789012:t', 'late'))]);
    await outbox.flush();
    assert.deepEqual(await published(store), []);
    assert.equal((await store.list(TABLES.outbox)).length, 1);
    failing = false;
    const deadline = Date.now() + 5000;
    while ((await published(store)).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await published(store), ['late']);
    assert.deepEqual(await store.list(TABLES.outbox), []);
  });
});
