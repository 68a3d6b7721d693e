/**
 * The delivery half in process, against the contract: what notificationOps
 * writes for each protocol, and the dispatcher's retries, drops, throttling,
 * timeouts and mail hand-off, with a real HTTP endpoint on loopback. Lambda
 * and SES are the composition root's; here they are recording stand-ins.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger, type Logger } from '../../core/logger.js';
import { MemoryDocumentStore } from '../../storage/memory.js';
import type { WriteOp } from '../../storage/types.js';
import { TABLES, type DeliveryContext, type Publication, type SubscriptionDoc, type TopicDoc } from './contract.js';
import { createSnsDelivery, type LambdaTarget, type SnsDeliveryRuntime } from './delivery.js';
import type { MailDrop } from './dispatcher.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:t';
const CTX: DeliveryContext = { accountId: '123456789012', region: 'us-east-1', endpoint: 'http://stratus.test:4566', signatureVersion: '1' };

function logSink(lines: string[]): Logger {
  return createLogger('debug', {}, (line) => lines.push(line));
}

function pub(message: string): Publication {
  return { messageId: `m-${message}`, topicArn: TOPIC, message, timestamp: new Date().toISOString(), messageAttributes: {} };
}

describe('SNS delivery half', () => {
  let endpoint: Server;
  let url = '';
  const hits: Array<{ path: string; at: number; body: string }> = [];
  const statuses = new Map<string, number>();

  before(async () => {
    endpoint = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        hits.push({ path: req.url!, at: Date.now(), body });
        if (req.url === '/silent') return; // never answers
        res.statusCode = statuses.get(req.url!) ?? 200;
        res.end();
      });
    });
    await new Promise<void>((r) => endpoint.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}`;
  });
  after(async () => {
    endpoint.closeAllConnections();
    await new Promise((r) => endpoint.close(r));
  });

  async function setup(o: { timeScale?: number; httpTimeoutMs?: number; lambda?: LambdaTarget; mail?: MailDrop; logs?: string[]; topicPolicy?: string } = {}) {
    const store = new MemoryDocumentStore();
    const topic: TopicDoc = { arn: TOPIC, name: 't', accountId: CTX.accountId, region: CTX.region, attributes: { DisplayName: 'Tee', ...(o.topicPolicy ? { DeliveryPolicy: o.topicPolicy } : {}) }, tags: {}, createdAt: '' };
    await store.put(TABLES.topics, '123456789012/us-east-1/t', topic);
    const delivery = createSnsDelivery({ store, log: logSink(o.logs ?? []), timeScale: o.timeScale ?? 1, lambda: o.lambda, mail: o.mail, httpTimeoutMs: o.httpTimeoutMs, pollMs: 20 });
    const subscribe = async (protocol: SubscriptionDoc['protocol'], endpointValue: string, attributes: Record<string, string> = {}) => {
      const sub: SubscriptionDoc = { arn: `${TOPIC}:${protocol}-${Math.random().toString(16).slice(2)}`, topicArn: TOPIC, protocol, endpoint: endpointValue, owner: CTX.accountId, attributes, status: 'confirmed', createdAt: '' };
      await store.put(TABLES.subscriptions, sub.arn, sub);
      return sub;
    };
    const publish = async (sub: SubscriptionDoc, text: string, d: SnsDeliveryRuntime = delivery) => {
      const ops = await d.notificationOps(sub, pub(text), CTX);
      await store.batch(ops);
      d.wake();
      return ops;
    };
    return { store, delivery, subscribe, publish };
  }

  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const waitFor = async (what: string, ok: () => boolean, ms = 5000) => {
    const end = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > end) throw new Error(`timed out: ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };

  it('a Lambda subscription becomes an async invocation as sns.amazonaws.com, if the function policy allows it', async () => {
    const calls: Array<{ fn: string; payload: any; meta: unknown }> = [];
    let allowed = true;
    const lambda: LambdaTarget = {
      canInvoke: async (fn, sourceArn, sourceAccount) => allowed && sourceArn === TOPIC && sourceAccount === CTX.accountId && fn.endsWith(':fn'),
      enqueueOps: (fn, payload, meta) => {
        calls.push({ fn, payload: JSON.parse(payload.toString('utf8')), meta });
        return [{ op: 'put', table: 'lambda.test', key: fn, value: {} }];
      },
      notifyQueued: () => undefined,
    };
    const logs: string[] = [];
    const { delivery, subscribe } = await setup({ lambda, logs });
    const sub = await subscribe('lambda', 'arn:aws:lambda:us-east-1:123456789012:function:fn');
    const ops = await delivery.notificationOps(sub, { ...pub('hi'), subject: 'S' }, CTX);
    assert.deepEqual(ops, [{ op: 'put', table: 'lambda.test', key: sub.endpoint, value: {} }]);
    assert.deepEqual(calls[0]!.meta, { sourceArn: TOPIC, sourceAccount: CTX.accountId });
    const sns = calls[0]!.payload.Records[0].Sns;
    assert.equal(sns.Message, 'hi');
    assert.equal(sns.Subject, 'S');
    assert.match(sns.SigningCertUrl, /^http:\/\/stratus\.test:4566\/_stratus\/sns\/SimpleNotificationService-[0-9a-f]{32}\.pem$/);
    assert.equal(await delivery.certificate(new URL(sns.SigningCertUrl).pathname).then((pem) => pem?.startsWith('-----BEGIN CERTIFICATE-----')), true);
    allowed = false;
    assert.deepEqual(await delivery.notificationOps(sub, pub('denied'), CTX), []);
    assert.ok(logs.some((l) => l.includes('does not allow sns.amazonaws.com')));
  });

  it('protocols without a transport here write nothing and say so once', async () => {
    const logs: string[] = [];
    const { delivery, subscribe } = await setup({ logs });
    const sub = await subscribe('sqs', 'arn:aws:sqs:us-east-1:123456789012:q');
    assert.deepEqual(await delivery.notificationOps(sub, pub('x'), CTX), []);
    assert.deepEqual(await delivery.notificationOps(sub, pub('y'), CTX), []);
    assert.equal(logs.filter((l) => l.includes('cannot deliver to sqs')).length, 1);
  });

  it('a delivery that exhausts its policy is dropped; nothing is left queued', async () => {
    const logs: string[] = [];
    const { store, delivery, subscribe, publish } = await setup({ timeScale: 100, logs });
    statuses.set('/down', 503);
    const sub = await subscribe('http', `${url}/down`, { DeliveryPolicy: JSON.stringify({ healthyRetryPolicy: { numRetries: 2, minDelayTarget: 1, maxDelayTarget: 1 } }) });
    delivery.start();
    try {
      await publish(sub, 'never');
      await waitFor('three attempts', () => hits.filter((h) => h.path === '/down').length === 3);
      await waitFor('the row to go', () => logs.some((l) => l.includes('failed after 3 attempts')));
      assert.deepEqual(await store.list(TABLES.deliveries), []);
      const [a, b, c] = hits.filter((h) => h.path === '/down');
      assert.ok(b!.at - a!.at >= 9 && c!.at - b!.at >= 9, 'one second apart at --time-scale 100');
    } finally {
      await delivery.stop();
    }
  });

  it('an endpoint that does not answer in time counts as a failed attempt; 4xx counts as delivered', async () => {
    const { store, delivery, subscribe, publish } = await setup({ timeScale: 1000, httpTimeoutMs: 100 });
    const silent = await subscribe('http', `${url}/silent`, { DeliveryPolicy: '{"healthyRetryPolicy":{"numRetries":1}}' });
    statuses.set('/gone', 404);
    const gone = await subscribe('http', `${url}/gone`);
    delivery.start();
    try {
      await publish(silent, 'slow');
      await publish(gone, 'lost');
      await waitFor('two attempts at the silent endpoint', () => hits.filter((h) => h.path === '/silent').length === 2);
      await sleep(300);
      assert.equal(hits.filter((h) => h.path === '/gone').length, 1, 'a 404 is not retried');
      assert.deepEqual(await store.list(TABLES.deliveries), []);
    } finally {
      await delivery.stop();
    }
  });

  it('throttlePolicy.maxReceivesPerSecond spaces deliveries out (scaled)', async () => {
    const { delivery, subscribe, publish } = await setup({ timeScale: 10 });
    const sub = await subscribe('http', `${url}/slow-lane`, { DeliveryPolicy: JSON.stringify({ throttlePolicy: { maxReceivesPerSecond: 2 } }) });
    for (const n of [1, 2, 3, 4]) await publish(sub, `n${n}`);
    delivery.start();
    try {
      await waitFor('four deliveries', () => hits.filter((h) => h.path === '/slow-lane').length === 4);
      const times = hits.filter((h) => h.path === '/slow-lane').map((h) => h.at);
      // 2 per second at --time-scale 10: one every 50 ms.
      assert.ok(times[3]! - times[0]! >= 140, `spread over ${times[3]! - times[0]!} ms`);
    } finally {
      await delivery.stop();
    }
  });

  it('a delivery whose subscription was removed meanwhile is dropped unsent', async () => {
    const { store, delivery, subscribe, publish } = await setup();
    const sub = await subscribe('http', `${url}/removed`);
    await publish(sub, 'orphan');
    await store.delete(TABLES.subscriptions, sub.arn);
    delivery.start();
    try {
      await sleep(300);
      assert.deepEqual(await store.list(TABLES.deliveries), []);
      assert.equal(hits.filter((h) => h.path === '/removed').length, 0);
    } finally {
      await delivery.stop();
    }
  });

  it('email: the mail goes to the mail drop and commits with the row removal', async () => {
    const accepted: Array<{ raw: string; from: string; to: string[]; meta: unknown }> = [];
    const mail: MailDrop = {
      acceptOps: async (raw, from, to, meta) => {
        accepted.push({ raw: raw.toString('utf8'), from, to, meta });
        return [{ op: 'put', table: 'mail.test', key: String(accepted.length), value: {} } satisfies WriteOp];
      },
    };
    const { store, delivery, subscribe, publish } = await setup({ mail });
    const sub = await subscribe('email', 'ops@example.com');
    const json = await subscribe('email-json', 'robot@example.com');
    delivery.start();
    try {
      await publish(sub, 'Disk full');
      await publish(json, 'Disk full');
      await waitFor('two mails', () => accepted.length === 2);
      await sleep(100);
      assert.equal((await store.list('mail.test')).length, 2);
      assert.deepEqual(await store.list(TABLES.deliveries), []);
      const plain = accepted.find((a) => a.to[0] === 'ops@example.com')!;
      assert.equal(plain.from, 'no-reply@sns.amazonaws.com');
      assert.deepEqual(plain.meta, { accountId: '123456789012', region: 'us-east-1', operation: 'Publish' });
      assert.match(plain.raw, /^Date: .+\r\nFrom: "Tee" <no-reply@sns\.amazonaws\.com>\r\nTo: ops@example\.com\r\nMessage-ID: <.+>\r\nSubject: AWS Notification Message\r\nMIME-Version: 1\.0\r\nContent-Type: text\/plain; charset=UTF-8\r\n/);
      assert.ok(plain.raw.includes('Disk full\r\n\r\n--\r\nIf you wish to stop receiving notifications from this topic'));
      const asJson = accepted.find((a) => a.to[0] === 'robot@example.com')!;
      const body = asJson.raw.slice(asJson.raw.indexOf('\r\n\r\n') + 4).replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
      assert.equal(JSON.parse(body).Type, 'Notification');
    } finally {
      await delivery.stop();
    }
  });
});
