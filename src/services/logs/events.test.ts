import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestContext } from '../../core/context.js';
import { createLogger } from '../../core/logger.js';
import { MemoryDocumentStore } from '../../storage/memory.js';
import { DAY_MS } from './common.js';
import { classifyBatch } from './ingest.js';
import type { GroupDoc } from './models.js';
import { logsOperations } from './provider.js';
import { sweepRetention } from './retention.js';
import { createLogSink } from './sink.js';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const ctx = {
  requestId: 'r',
  accountId: '123456789012',
  region: 'us-east-1',
  service: 'logs',
  principal: { type: 'root', arn: 'arn:aws:iam::123456789012:root', accountId: '123456789012', userId: '123456789012' },
  sourceIp: '127.0.0.1',
  secureTransport: false,
  receivedAt: new Date(NOW),
  log: createLogger('silent'),
  endpoint: 'http://127.0.0.1',
} as RequestContext;

function setup(now = () => NOW) {
  const store = new MemoryDocumentStore();
  const ops = logsOperations({ store, now });
  const call = async (op: string, input: Record<string, unknown>) => {
    const spec = ops[op]!;
    await spec.resources?.(input, ctx);
    return (await spec.handler(input, ctx)) as any;
  };
  return { store, call };
}

const group: GroupDoc = { name: 'g', gid: 'x', creationTime: 0, tags: {}, logGroupClass: 'STANDARD' };
const ev = (offsetMs: number, message = 'm') => ({ timestamp: NOW + offsetMs, message });

describe('logs events', () => {
  it('PutLogEvents: out-of-order timestamps are refused', () => {
    assert.throws(() => classifyBatch([ev(2), ev(1)], NOW, group), { code: 'InvalidParameterException', message: 'Log events in a single PutLogEvents request must be in chronological order.' });
  });

  it('PutLogEvents: the batch size counts UTF-8 bytes plus 26 per event', () => {
    const big = 'é'.repeat(262_144); // 524,288 bytes
    assert.doesNotThrow(() => classifyBatch([ev(0, big), ev(0, 'x'.repeat(1_048_576 - 524_288 - 52))], NOW, group));
    assert.throws(() => classifyBatch([ev(0, big), ev(0, 'x'.repeat(1_048_576 - 524_288 - 51))], NOW, group), { message: 'Upload too large: 1048577 bytes exceeds limit of 1048576' });
  });

  it('PutLogEvents: too old, expired and too new events are reported by index and dropped', () => {
    const withRetention = { ...group, retentionInDays: 1 };
    const out = classifyBatch([ev(-15 * DAY_MS), ev(-2 * DAY_MS), ev(-DAY_MS - 1), ev(-1000), ev(0), ev(3 * 3_600_000), ev(4 * 3_600_000)], NOW, withRetention);
    assert.deepEqual(out.rejected, { tooOldLogEventEndIndex: 0, expiredLogEventEndIndex: 2, tooNewLogEventStartIndex: 5 });
    assert.equal(out.accepted.length, 2);
    assert.equal(classifyBatch([ev(0)], NOW, group).rejected, undefined);
  });

  it('PutLogEvents: valid events may not span more than 24 hours', () => {
    assert.throws(() => classifyBatch([ev(-DAY_MS - 2), ev(0)], NOW, group), { message: 'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.' });
  });

  it('GetLogEvents: reads the tail by default, the head on request, and pages both ways with stable tokens', async () => {
    const { call } = setup();
    await call('CreateLogGroup', { logGroupName: 'g' });
    await call('CreateLogStream', { logGroupName: 'g', logStreamName: 's' });
    const logEvents = Array.from({ length: 25 }, (_, i) => ev(i * 1000 - 60_000, `line ${i}`));
    await call('PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents });

    const tail = await call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', limit: 10 });
    assert.deepEqual(tail.events.map((e: any) => e.message), logEvents.slice(15).map((e) => e.message));
    const back = await call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', limit: 10, nextToken: tail.nextBackwardToken });
    assert.deepEqual(back.events.map((e: any) => e.message), logEvents.slice(5, 15).map((e) => e.message));
    const back2 = await call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', limit: 10, nextToken: back.nextBackwardToken });
    assert.equal(back2.events.length, 5);
    const back3 = await call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', limit: 10, nextToken: back2.nextBackwardToken });
    assert.deepEqual(back3.events, []);
    assert.equal(back3.nextBackwardToken, back2.nextBackwardToken);

    const head = await call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', limit: 20, startFromHead: true });
    assert.equal(head.events[0].message, 'line 0');
    const rest = await call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', startFromHead: true, nextToken: head.nextForwardToken });
    assert.deepEqual(rest.events.map((e: any) => e.message), ['line 20', 'line 21', 'line 22', 'line 23', 'line 24']);
    const done = await call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', startFromHead: true, nextToken: rest.nextForwardToken });
    assert.deepEqual(done.events, []);
    assert.equal(done.nextForwardToken, rest.nextForwardToken);

    // New events appear behind a caught-up forward token.
    await call('PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents: [ev(1000, 'later')] });
    const more = await call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', startFromHead: true, nextToken: done.nextForwardToken });
    assert.deepEqual(more.events.map((e: any) => e.message), ['later']);

    const window = await call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', startTime: NOW - 50_000, endTime: NOW - 45_000, startFromHead: true });
    assert.deepEqual(window.events.map((e: any) => e.message), ['line 10', 'line 11', 'line 12', 'line 13', 'line 14']);
  });

  it('GetLogEvents: an empty stream answers tokens that stay put', async () => {
    const { call } = setup();
    await call('CreateLogGroup', { logGroupName: 'g' });
    await call('CreateLogStream', { logGroupName: 'g', logStreamName: 's' });
    const first = await call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', startFromHead: true });
    assert.deepEqual(first.events, []);
    const again = await call('GetLogEvents', { logGroupName: 'g', logStreamName: 's', startFromHead: true, nextToken: first.nextForwardToken });
    assert.equal(again.nextForwardToken, first.nextForwardToken);
  });

  it('FilterLogEvents: interleaves streams by time and resumes from its nextToken', async () => {
    const { call } = setup();
    await call('CreateLogGroup', { logGroupName: 'g' });
    for (const s of ['a', 'b']) await call('CreateLogStream', { logGroupName: 'g', logStreamName: s });
    await call('PutLogEvents', { logGroupName: 'g', logStreamName: 'b', logEvents: [ev(1, 'b1'), ev(3, 'b3'), ev(5, 'b5')] });
    await call('PutLogEvents', { logGroupName: 'g', logStreamName: 'a', logEvents: [ev(2, 'a2'), ev(3, 'a3'), ev(6, 'a6')] });
    const page1 = await call('FilterLogEvents', { logGroupName: 'g', limit: 4 });
    assert.deepEqual(page1.events.map((e: any) => e.message), ['b1', 'a2', 'a3', 'b3']);
    const page2 = await call('FilterLogEvents', { logGroupName: 'g', limit: 4, nextToken: page1.nextToken });
    assert.deepEqual(page2.events.map((e: any) => e.message), ['b5', 'a6']);
    assert.equal(page2.nextToken, undefined);
    const ids = new Set([...page1.events, ...page2.events].map((e: any) => e.eventId));
    assert.equal(ids.size, 6);
  });

  it('retention: expired events are hidden at once and deleted by the sweep', async () => {
    let now = NOW;
    const { call, store } = setup(() => now);
    await call('CreateLogGroup', { logGroupName: 'g' });
    await call('CreateLogStream', { logGroupName: 'g', logStreamName: 's' });
    await call('PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents: [ev(-3 * DAY_MS, 'old'), ev(-3 * DAY_MS + 1000, 'old2')] });
    await call('PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents: [ev(0, 'new')] });
    await call('PutRetentionPolicy', { logGroupName: 'g', retentionInDays: 1 });
    const visible = await call('FilterLogEvents', { logGroupName: 'g' });
    assert.deepEqual(visible.events.map((e: any) => e.message), ['new']);
    assert.deepEqual((await sweepRetention(store, now)).deletedEvents, 2);
    assert.equal((await store.list('logs.events')).length, 1);
    const [stream] = (await call('DescribeLogStreams', { logGroupName: 'g' })).logStreams;
    assert.equal(stream.firstEventTimestamp, NOW);
    const [grp] = (await call('DescribeLogGroups', {})).logGroups;
    assert.equal(grp.storedBytes, 3);
    now += 2 * DAY_MS;
    assert.deepEqual((await sweepRetention(store, now)).deletedEvents, 1);
  });

  it('log sink: creates the group and stream and coalesces concurrent appends', async () => {
    const { store, call } = setup();
    const sink = createLogSink(store, { now: () => NOW });
    await Promise.all(Array.from({ length: 20 }, (_, i) => sink.append('123456789012', 'us-east-1', '/aws/lambda/f', '2026/11/20/[$LATEST]abc', [ev(i, `START ${i}`), ev(i, `END ${i}`)])));
    const out = await call('GetLogEvents', { logGroupName: '/aws/lambda/f', logStreamName: '2026/11/20/[$LATEST]abc', startFromHead: true });
    assert.equal(out.events.length, 40);
    assert.deepEqual(out.events.slice(0, 2).map((e: any) => e.message), ['START 0', 'END 0']);
  });

  it('validation: bad input answers InvalidParameterException before any lookup', async () => {
    const { call } = setup();
    await assert.rejects(call('PutRetentionPolicy', { logGroupName: 'nope', retentionInDays: 2 }), {
      code: 'InvalidParameterException',
      message: "1 validation error detected: Value '2' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]",
    });
    await assert.rejects(call('CreateLogStream', { logGroupName: 'g', logStreamName: 'a:b' }), { code: 'InvalidParameterException' });
    await assert.rejects(call('PutLogEvents', { logGroupName: 'g', logStreamName: 's', logEvents: [] }), {
      message: "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1",
    });
    await assert.rejects(call('DescribeLogStreams', { logGroupName: 'g', limit: 51 }), { message: /Member must have value less than or equal to 50/ });
  });
});
