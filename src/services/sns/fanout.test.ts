/**
 * The API half against the delivery contract (contract.ts), in process: what
 * Publish, Subscribe, ConfirmSubscription and Unsubscribe hand to the
 * delivery half, that it commits in the same batch as what caused it, and
 * the service-side publishing the composition root uses. The delivery half
 * here records its calls and answers one write per call, so that a test can
 * see what was committed with what.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Principal, RequestContext } from '../../core/context.js';
import { silentLogger } from '../../core/logger.js';
import { Authorizer } from '../../identity/authorizer.js';
import type { Directory } from '../../identity/types.js';
import { MemoryDocumentStore } from '../../storage/memory.js';
import type { WriteOp } from '../../storage/types.js';
import type { DeliveryContext, Publication, SnsDelivery, SubscriptionDoc } from './contract.js';
import { createSnsService, type SnsService } from './index.js';

const ACCOUNT = '123456789012';
const ROOT: Principal = { type: 'root', arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, userId: ACCOUNT };
const USER: Principal = { type: 'user', arn: `arn:aws:iam::${ACCOUNT}:user/app`, accountId: ACCOUNT, userId: 'AIDAAPPUSER0000000000', name: 'app' };
const ANONYMOUS: Principal = { type: 'anonymous', arn: '*', accountId: '', userId: 'anonymous' };
const LAMBDA = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:fn`;

class CountingStore extends MemoryDocumentStore {
  batches: WriteOp[][] = [];
  override async batch(ops: WriteOp[]): Promise<void> {
    this.batches.push(ops);
    return super.batch(ops);
  }
}

type Call = { kind: 'notification' | 'confirmation' | 'unsubscribe'; sub: SubscriptionDoc; pub?: Publication; ctx: DeliveryContext };

function recordingDelivery(calls: Call[], wakes: { n: number }): SnsDelivery {
  let n = 0;
  const op = (kind: string): WriteOp[] => [{ op: 'put', table: 'test.deliveries', key: `${kind}-${++n}`, value: { kind } }];
  return {
    async notificationOps(sub, pub, ctx) {
      calls.push({ kind: 'notification', sub, pub, ctx });
      return op('notification');
    },
    async confirmationOps(sub, ctx) {
      calls.push({ kind: 'confirmation', sub, ctx });
      return op('confirmation');
    },
    async unsubscribeConfirmationOps(sub, ctx) {
      calls.push({ kind: 'unsubscribe', sub, ctx });
      return op('unsubscribe');
    },
    wake() {
      wakes.n++;
    },
  };
}

/** A directory whose users have exactly the identity policies given. */
function directory(policies: Record<string, string[]>): Directory {
  return {
    findAccessKey: async () => undefined,
    getUser: async () => undefined,
    getRole: async () => undefined,
    managedPolicyDocument: async () => undefined,
    policiesFor: async (p) => ({ identity: policies[p.arn] ?? [] }),
  };
}

function ctxFor(principal: Principal = ROOT): RequestContext {
  return { requestId: 'r', accountId: principal.accountId || ACCOUNT, region: 'us-east-1', service: 'sns', principal, sourceIp: '127.0.0.1', secureTransport: false, receivedAt: new Date(), log: silentLogger, endpoint: 'http://stratus.test:4566' };
}

describe('SNS fan-out and the delivery contract', () => {
  let store: CountingStore;
  let calls: Call[];
  let wakes: { n: number };
  let sns: SnsService;
  let identity: Record<string, string[]>;
  const call = async (op: string, input: Record<string, unknown>, principal: Principal = ROOT): Promise<any> => sns.operations[op]!.handler(input, ctxFor(principal));

  beforeEach(() => {
    store = new CountingStore();
    calls = [];
    wakes = { n: 0 };
    identity = {};
    sns = createSnsService({ store, authorizer: new Authorizer(directory(identity)), accountId: ACCOUNT, region: 'us-east-1', delivery: recordingDelivery(calls, wakes) });
  });

  async function topicWith(name = 't', attributes: Record<string, string> = {}) {
    return (await call('CreateTopic', { Name: name, Attributes: attributes })).TopicArn as string;
  }

  it('Publish: one Publication per confirmed, matching subscription, all committed in one batch, then wake()', async () => {
    const topic = await topicWith();
    const all = (await call('Subscribe', { TopicArn: topic, Protocol: 'lambda', Endpoint: LAMBDA })).SubscriptionArn;
    const red = (await call('Subscribe', { TopicArn: topic, Protocol: 'lambda', Endpoint: `${LAMBDA}:red`, Attributes: { FilterPolicy: '{"color":["red"]}' } })).SubscriptionArn;
    await call('Subscribe', { TopicArn: topic, Protocol: 'https', Endpoint: 'https://example.com/pending' });
    calls.length = 0;
    wakes.n = 0;
    const before = store.batches.length;
    const { MessageId } = await call('Publish', { TopicArn: topic, Message: 'blue thing', Subject: 'Hi', MessageAttributes: { color: { DataType: 'String', StringValue: 'blue' } } });
    assert.match(MessageId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(calls.map((c) => c.sub.arn), [all], 'the red filter and the pending https subscription get nothing');
    const pub = calls[0]!.pub!;
    assert.equal(pub.messageId, MessageId);
    assert.equal(pub.topicArn, topic);
    assert.equal(pub.subject, 'Hi');
    assert.equal(pub.message, 'blue thing');
    assert.match(pub.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(pub.messageAttributes, { color: { Type: 'String', Value: 'blue' } });
    assert.deepEqual(calls[0]!.ctx, { accountId: ACCOUNT, region: 'us-east-1', endpoint: 'http://stratus.test:4566', signatureVersion: '1' });
    assert.equal(store.batches.length, before + 1, 'one batch');
    assert.ok(store.batches.at(-1)!.some((op) => op.table === 'test.deliveries'));
    assert.equal(wakes.n, 1);

    calls.length = 0;
    await call('Publish', { TopicArn: topic, Message: 'red thing', MessageAttributes: { color: { DataType: 'String', StringValue: 'red' } } });
    assert.deepEqual(calls.map((c) => c.sub.arn).sort(), [all, red].sort());
  });

  it('Publish: MessageStructure=json gives each protocol its own text; MessageBody filters read that text', async () => {
    const topic = await topicWith();
    await call('Subscribe', { TopicArn: topic, Protocol: 'lambda', Endpoint: LAMBDA, Attributes: { FilterPolicyScope: 'MessageBody', FilterPolicy: '{"kind":["order"]}' } });
    const https = (await call('Subscribe', { TopicArn: topic, Protocol: 'https', Endpoint: 'https://example.com/h', ReturnSubscriptionArn: true })).SubscriptionArn;
    const pending = (await store.get<SubscriptionDoc>('sns.subscriptions', https))!.value;
    await call('ConfirmSubscription', { TopicArn: topic, Token: pending.token });
    calls.length = 0;
    await call('Publish', { TopicArn: topic, MessageStructure: 'json', Message: JSON.stringify({ default: 'plain', lambda: JSON.stringify({ kind: 'order', id: 7 }) }) });
    const byProtocol = Object.fromEntries(calls.map((c) => [c.sub.protocol, c.pub!.message]));
    assert.deepEqual(byProtocol, { lambda: '{"kind":"order","id":7}', https: 'plain' });
    calls.length = 0;
    await call('Publish', { TopicArn: topic, Message: JSON.stringify({ kind: 'refund' }) });
    assert.deepEqual(calls.map((c) => c.sub.protocol), ['https'], 'the body filter keeps lambda out');
  });

  it('Subscribe http: the pending subscription, its token and the SubscriptionConfirmation commit together', async () => {
    const topic = await topicWith('signed', { SignatureVersion: '2' });
    const before = store.batches.length;
    const out = await call('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: 'http://hook.test/sns' });
    assert.equal(out.SubscriptionArn, 'pending confirmation');
    assert.equal(store.batches.length, before + 1);
    const batch = store.batches.at(-1)!;
    assert.deepEqual(batch.map((op) => op.table).sort(), ['sns.endpoints', 'sns.subscriptions', 'sns.tokens', 'sns.topics', 'test.deliveries']);
    assert.equal(calls.length, 1);
    const { sub, ctx } = calls[0]!;
    assert.equal(calls[0]!.kind, 'confirmation');
    assert.equal(sub.status, 'pending');
    assert.match(sub.token!, /^[0-9a-f]{256}$/);
    assert.ok(sub.tokenExpiresAt! > Date.now() + 2.9 * 24 * 3600 * 1000);
    assert.equal(ctx.signatureVersion, '2');
    assert.equal(wakes.n, 1);

    // The same endpoint again: the same subscription, and the confirmation sent once more.
    await call('Subscribe', { TopicArn: topic, Protocol: 'http', Endpoint: 'http://hook.test/sns' });
    assert.equal(calls.length, 2);
    assert.equal(calls[1]!.sub.arn, sub.arn);
    assert.equal(calls[1]!.sub.token, sub.token);
  });

  it('ConfirmSubscription unsigned (the SubscribeURL) confirms without ConfirmationWasAuthenticated; Unsubscribe unsigned then works', async () => {
    const topic = await topicWith();
    const arn = (await call('Subscribe', { TopicArn: topic, Protocol: 'email', Endpoint: 'ops@example.com', ReturnSubscriptionArn: true })).SubscriptionArn;
    const token = (await store.get<SubscriptionDoc>('sns.subscriptions', arn))!.value.token!;
    await assert.rejects(call('ConfirmSubscription', { TopicArn: topic, Token: 'f'.repeat(256) }, ANONYMOUS), { code: 'InvalidParameter', message: 'Invalid parameter: Token' });
    assert.deepEqual(await call('ConfirmSubscription', { TopicArn: topic, Token: token, AuthenticateOnUnsubscribe: 'true' }, ANONYMOUS), { SubscriptionArn: arn });
    const attrs = (await call('GetSubscriptionAttributes', { SubscriptionArn: arn })).Attributes;
    assert.equal(attrs.PendingConfirmation, 'false');
    assert.equal(attrs.ConfirmationWasAuthenticated, 'false');
    await call('Unsubscribe', { SubscriptionArn: arn }, ANONYMOUS);
    await assert.rejects(call('GetSubscriptionAttributes', { SubscriptionArn: arn }), { code: 'NotFound', message: 'Subscription does not exist' });
  });

  it('AuthenticateOnUnsubscribe=true on a signed ConfirmSubscription: an unsigned Unsubscribe is refused, a signed one works', async () => {
    const topic = await topicWith();
    const arn = (await call('Subscribe', { TopicArn: topic, Protocol: 'email-json', Endpoint: 'ops@example.com', ReturnSubscriptionArn: true })).SubscriptionArn;
    const token = (await store.get<SubscriptionDoc>('sns.subscriptions', arn))!.value.token!;
    await call('ConfirmSubscription', { TopicArn: topic, Token: token, AuthenticateOnUnsubscribe: 'true' });
    assert.equal((await call('GetSubscriptionAttributes', { SubscriptionArn: arn })).Attributes.ConfirmationWasAuthenticated, 'true');
    await assert.rejects(call('Unsubscribe', { SubscriptionArn: arn }, ANONYMOUS), (e: any) => e.code === 'AuthorizationError' && e.status === 403);
    await call('Unsubscribe', { SubscriptionArn: arn });
    await assert.rejects(call('GetSubscriptionAttributes', { SubscriptionArn: arn }), { code: 'NotFound' });
  });

  it('Unsubscribe https: the UnsubscribeConfirmation commits with the removal, and its token restores the subscription', async () => {
    const topic = await topicWith();
    const arn = (await call('Subscribe', { TopicArn: topic, Protocol: 'https', Endpoint: 'https://hook.test/x', ReturnSubscriptionArn: true })).SubscriptionArn;
    await call('ConfirmSubscription', { TopicArn: topic, Token: (await store.get<SubscriptionDoc>('sns.subscriptions', arn))!.value.token });
    calls.length = 0;
    const before = store.batches.length;
    await call('Unsubscribe', { SubscriptionArn: arn });
    assert.equal(store.batches.length, before + 1);
    assert.ok(store.batches.at(-1)!.some((op) => op.table === 'test.deliveries'));
    assert.equal(calls[0]!.kind, 'unsubscribe');
    const token = calls[0]!.sub.token!;
    assert.equal((await call('ListSubscriptionsByTopic', { TopicArn: topic })).Subscriptions.length, 0);
    assert.deepEqual(await call('ConfirmSubscription', { TopicArn: topic, Token: token }, ANONYMOUS), { SubscriptionArn: arn });
    const listed = (await call('ListSubscriptionsByTopic', { TopicArn: topic })).Subscriptions;
    assert.deepEqual(listed.map((s: any) => s.SubscriptionArn), [arn]);
  });

  it('an expired token is refused', async () => {
    let now = Date.now();
    sns = createSnsService({ store, authorizer: new Authorizer(directory(identity)), accountId: ACCOUNT, region: 'us-east-1', delivery: recordingDelivery(calls, wakes), now: () => now });
    const topic = await topicWith();
    const arn = (await call('Subscribe', { TopicArn: topic, Protocol: 'https', Endpoint: 'https://hook.test/y', ReturnSubscriptionArn: true })).SubscriptionArn;
    const token = (await store.get<SubscriptionDoc>('sns.subscriptions', arn))!.value.token!;
    now += 3 * 24 * 3600 * 1000 + 1;
    await assert.rejects(call('ConfirmSubscription', { TopicArn: topic, Token: token }), { code: 'InvalidParameter', message: 'Invalid parameter: Token' });
  });

  it('FIFO: group id and deduplication id reach the Publication; sequence numbers grow; a duplicate is not delivered twice', async () => {
    const topic = await topicWith('orders.fifo', { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
    await call('Subscribe', { TopicArn: topic, Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:q.fifo` });
    calls.length = 0;
    const a = await call('Publish', { TopicArn: topic, Message: 'one', MessageGroupId: 'g1' });
    const b = await call('Publish', { TopicArn: topic, Message: 'two', MessageGroupId: 'g1' });
    assert.ok(BigInt(b.SequenceNumber) > BigInt(a.SequenceNumber));
    assert.equal(calls.length, 2);
    assert.equal(calls[0]!.pub!.messageGroupId, 'g1');
    assert.equal(calls[0]!.pub!.sequenceNumber, a.SequenceNumber);
    assert.match(calls[0]!.pub!.messageDeduplicationId!, /^[0-9a-f]{64}$/);
    const again = await call('Publish', { TopicArn: topic, Message: 'one', MessageGroupId: 'g1' });
    assert.deepEqual(again, a, 'the same body within 5 minutes is the same message');
    assert.equal(calls.length, 2);
    const batch = await call('PublishBatch', { TopicArn: topic, PublishBatchRequestEntries: [{ Id: 'x', Message: 'three', MessageGroupId: 'g2' }, { Id: 'y', Message: 'three', MessageGroupId: 'g2' }] });
    assert.equal(batch.Successful.length, 2);
    assert.equal(batch.Successful[0].MessageId, batch.Successful[1].MessageId, 'a duplicate inside one batch');
    assert.equal(calls.length, 3);
  });

  it('publishOps for a service: refused by the default policy, allowed by a statement for the service and source; writes come back uncommitted', async () => {
    const topic = await topicWith('events');
    await call('Subscribe', { TopicArn: topic, Protocol: 'lambda', Endpoint: LAMBDA });
    const s3 = { servicePrincipal: 's3.amazonaws.com', sourceArn: 'arn:aws:s3:::photos', sourceAccount: ACCOUNT };
    const denied = await sns.publishOps(topic, { message: '{}' }, { service: s3 }, 'http://e');
    assert.deepEqual(denied, { ok: false, code: 'AuthorizationError', message: `User: s3.amazonaws.com is not authorized to perform: SNS:Publish on resource: ${topic}` });
    assert.equal(await sns.mayPublish(topic, s3), false);
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'SNS:Publish', Resource: topic, Condition: { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::photos' } } }] };
    await call('SetTopicAttributes', { TopicArn: topic, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy) });
    assert.equal(await sns.mayPublish(topic, s3), true);
    assert.equal(await sns.mayPublish(topic, { ...s3, sourceArn: 'arn:aws:s3:::other' }), false);
    const before = store.batches.length;
    calls.length = 0;
    const ok = await sns.publishOps(topic, { subject: 'Amazon S3 Notification', message: '{"Records":[]}' }, { service: s3 }, 'http://e');
    assert.equal(ok.ok, true);
    if (!ok.ok) return;
    assert.equal(store.batches.length, before, 'nothing committed');
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.pub!.messageId, ok.messageId);
    assert.ok(ok.ops.some((op) => op.table === 'test.deliveries'));
    await store.batch(ok.ops);
    assert.equal(wakes.n, 0);
    sns.wake();
    assert.equal(wakes.n, 1);
    assert.deepEqual(await sns.publishOps(`${topic}-gone`, { message: 'x' }, { service: s3 }, 'http://e'), { ok: false, code: 'NotFound', message: 'Topic does not exist' });
  });

  it('publishOps for a principal: its identity policies or the topic policy must allow SNS:Publish', async () => {
    const topic = await topicWith('dest');
    const refused = await sns.publishOps(topic, { message: 'x' }, { principal: USER }, 'http://e');
    assert.equal(refused.ok, false);
    assert.match(!refused.ok ? refused.message : '', /^User: arn:aws:iam::123456789012:user\/app is not authorized to perform: SNS:Publish on resource: arn:aws:sns:us-east-1:123456789012:dest/);
    identity[USER.arn] = [JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sns:Publish', Resource: topic }] })];
    assert.equal((await sns.publishOps(topic, { message: 'x' }, { principal: USER }, 'http://e')).ok, true);
    delete identity[USER.arn];
    await call('AddPermission', { TopicArn: topic, Label: 'app', AWSAccountId: [ACCOUNT], ActionName: ['Publish'] });
    // AddPermission names the account: it delegates to identity policies, which the user lacks.
    assert.equal((await sns.publishOps(topic, { message: 'x' }, { principal: USER }, 'http://e')).ok, false);
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: USER.arn }, Action: 'sns:Publish', Resource: topic }] };
    await call('SetTopicAttributes', { TopicArn: topic, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy) });
    assert.equal((await sns.publishOps(topic, { message: 'x' }, { principal: USER }, 'http://e')).ok, true);
    assert.equal((await sns.publishOps(topic, { message: 'x' }, { principal: ROOT }, 'http://e')).ok, true);
  });

  it('resourcePolicy: a topic\'s Policy (the default until set), nothing for other ARNs', async () => {
    const topic = await topicWith('p');
    const doc = JSON.parse((await sns.resourcePolicy!(topic, ctxFor()))!);
    assert.equal(doc.Statement[0].Sid, '__default_statement_ID');
    assert.equal(await sns.resourcePolicy!(`${topic}:sub-id`, ctxFor()), undefined);
    assert.equal(await sns.resourcePolicy!('arn:aws:sns:us-east-1:123456789012:missing', ctxFor()), undefined);
  });

  it('concurrent Subscribes of one endpoint make one subscription (the endpoint index, not a lock)', async () => {
    const topic = await topicWith('race');
    const arns = await Promise.all(Array.from({ length: 8 }, () => call('Subscribe', { TopicArn: topic, Protocol: 'lambda', Endpoint: LAMBDA }).then((r) => r.SubscriptionArn)));
    assert.equal(new Set(arns).size, 1);
    assert.equal((await store.list('sns.subscriptions')).length, 1);
  });

  it('DeleteTopic removes its subscriptions; Publish to it is NotFound', async () => {
    const topic = await topicWith('gone');
    const arn = (await call('Subscribe', { TopicArn: topic, Protocol: 'lambda', Endpoint: LAMBDA })).SubscriptionArn;
    await call('DeleteTopic', { TopicArn: topic });
    await assert.rejects(call('GetSubscriptionAttributes', { SubscriptionArn: arn }), { code: 'NotFound' });
    await assert.rejects(call('Publish', { TopicArn: topic, Message: 'x' }), { code: 'NotFound', message: 'Topic does not exist' });
    assert.deepEqual(await store.list('sns.endpoints'), []);
  });
});
