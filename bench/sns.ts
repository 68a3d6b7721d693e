/**
 * SNS Publish → Lambda subscriber latency, against the real CLI in a child
 * process. A warm Node.js 20 function subscribed to a topic posts, the
 * moment its handler runs, how long ago the message was sent to this process
 * (an HTTP callback on 127.0.0.1, same host, same clock):
 *   from Publish   = handler start − the moment the client sent Publish
 *   from Timestamp = handler start − the envelope's Timestamp (SNS accepted it)
 * Sequential: one Publish at a time, each waiting for its handler. Burst:
 * BENCH_SNS_BURST publishes sent at once. The same function invoked directly
 * with InvocationType=Event (the asynchronous path SNS hands messages to) is
 * the floor SNS adds to.
 * BENCH_SNS_COUNT (default 300), BENCH_SNS_BURST (default 100).
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AddPermissionCommand, CreateFunctionCommand, GetFunctionConfigurationCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { makeZip } from '../test/clients/zip.js';
import { ACCOUNT, removeDir, ROOT_KEY, startChildServer, tempDir } from '../test/harness.js';
import { ms, percentile, setUpAccount } from './functions-client.js';

const COUNT = Number(process.env.BENCH_SNS_COUNT ?? 300);
const BURST = Number(process.env.BENCH_SNS_BURST ?? 100);
const WARMUP = 10;

/** Handles both an SNS event and a direct invocation with `{ i, sentAt }`, and reports to CALLBACK. */
const HANDLER = `import http from 'node:http';
export const handler = async (event) => {
  // Sub-millisecond wall clock, comparable across processes on one host.
  const now = performance.timeOrigin + performance.now();
  const sns = event.Records?.[0]?.Sns;
  const m = sns ? JSON.parse(sns.Message) : event;
  const body = JSON.stringify({ i: m.i, fromSend: now - m.sentAt, fromTimestamp: sns ? now - Date.parse(sns.Timestamp) : undefined });
  await new Promise((resolve) => {
    const req = http.request(process.env.CALLBACK, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => { res.resume(); res.on('end', resolve); });
    req.on('error', resolve);
    req.end(body);
  });
};
`;

interface Report {
  i: number;
  fromSend: number;
  fromTimestamp?: number;
}

interface Row {
  name: string;
  count: number;
  fromSend: number[];
  fromTimestamp: number[];
  wallMs?: number;
}

/** The reports handlers post, by message index. */
function callbackServer() {
  const waiting = new Map<number, (r: Report) => void>();
  const early = new Map<number, Report>();
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      res.end('ok');
      const r = JSON.parse(body) as Report;
      const w = waiting.get(r.i);
      if (w) {
        waiting.delete(r.i);
        w(r);
      } else early.set(r.i, r);
    });
  });
  return {
    server,
    report(i: number, timeoutMs = 30_000): Promise<Report> {
      const got = early.get(i);
      if (got) {
        early.delete(i);
        return Promise.resolve(got);
      }
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no report for message ${i} within ${timeoutMs} ms`)), timeoutMs);
        waiting.set(i, (r) => {
          clearTimeout(t);
          resolve(r);
        });
      });
    },
  };
}

async function createReporter(lambda: LambdaClient, role: string, callback: string): Promise<string> {
  const name = 'sns-latency';
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: role, Code: { ZipFile: makeZip({ 'index.mjs': HANDLER }) }, Environment: { Variables: { CALLBACK: callback } } }));
  for (let i = 0; i < 400; i++) {
    const c = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    if (c.State === 'Active') return c.FunctionArn!;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${name} never became Active`);
}

export async function benchSns(): Promise<string> {
  const dataDir = tempDir();
  const server = await startChildServer(['--data-dir', dataDir, '--no-profile', '--log-level', 'error', '--account-id', ACCOUNT, '--root-access-key-id', ROOT_KEY.accessKeyId, '--root-secret-access-key', ROOT_KEY.secretAccessKey]);
  const cb = callbackServer();
  await new Promise<void>((r) => cb.server.listen(0, '127.0.0.1', () => r()));
  const callback = `http://127.0.0.1:${(cb.server.address() as AddressInfo).port}/`;
  const rows: Row[] = [];
  try {
    const { lambda, role } = await setUpAccount(server.url, ACCOUNT);
    const sns = new SNSClient({ endpoint: server.url, region: 'us-east-1', credentials: ROOT_KEY, maxAttempts: 1 });
    const fnArn = await createReporter(lambda, role, callback);
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: 'latency' }))).TopicArn!;
    await lambda.send(new AddPermissionCommand({ FunctionName: 'sns-latency', StatementId: 'sns', Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: topicArn }));
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'lambda', Endpoint: fnArn }));

    let next = 0;
    const publish = async (): Promise<Report> => {
      const i = next++;
      const arrived = cb.report(i);
      await sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify({ i, sentAt: performance.timeOrigin + performance.now() }) }));
      return arrived;
    };
    const invokeEvent = async (): Promise<Report> => {
      const i = next++;
      const arrived = cb.report(i);
      await lambda.send(new InvokeCommand({ FunctionName: 'sns-latency', InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ i, sentAt: performance.timeOrigin + performance.now() })) }));
      return arrived;
    };
    const sequential = async (name: string, send: () => Promise<Report>): Promise<Row> => {
      const row: Row = { name, count: COUNT, fromSend: [], fromTimestamp: [] };
      for (let k = 0; k < COUNT; k++) {
        const r = await send();
        row.fromSend.push(r.fromSend);
        if (r.fromTimestamp !== undefined) row.fromTimestamp.push(r.fromTimestamp);
      }
      return row;
    };
    const burst = async (name: string, send: () => Promise<Report>): Promise<Row> => {
      const t0 = performance.now();
      const reports = await Promise.all(Array.from({ length: BURST }, () => send()));
      return { name, count: BURST, fromSend: reports.map((r) => r.fromSend), fromTimestamp: reports.flatMap((r) => (r.fromTimestamp === undefined ? [] : [r.fromTimestamp])), wallMs: performance.now() - t0 };
    };

    // Warm: the environment, the code paths of both routes, the signing key.
    for (let k = 0; k < WARMUP; k++) await publish();
    for (let k = 0; k < WARMUP; k++) await invokeEvent();
    rows.push(await sequential('SNS Publish → Lambda, sequential', publish));
    rows.push(await sequential('Invoke (Event) → Lambda, sequential', invokeEvent));
    rows.push(await burst(`SNS Publish → Lambda, burst of ${BURST}`, publish));
    rows.push(await burst(`Invoke (Event) → Lambda, burst of ${BURST}`, invokeEvent));
    sns.destroy();
    lambda.destroy();
  } finally {
    await new Promise((r) => cb.server.close(r));
    await server.stop();
    removeDir(dataDir);
  }

  const cell = (xs: number[], p: number) => (xs.length ? ms(percentile(xs, p)) : '–');
  const lines = [
    `A warm Node.js 20 function (128 MB) subscribed to a standard topic posts, when its handler starts, the time since the client sent Publish and since the envelope's \`Timestamp\` (same host clock; from send at sub-millisecond resolution, from Timestamp at the envelope's millisecond). Sequential: ${COUNT} messages one at a time after ${WARMUP} warm-up messages; burst: ${BURST} sent at once (new environments start as concurrency grows). The direct asynchronous Invoke of the same function is the path SNS hands its messages to.`,
    '',
    '| path | messages | p50 ms from send | p99 ms from send | p50 ms from Timestamp | p99 ms from Timestamp | burst wall ms |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...rows.map((r) => `| ${r.name} | ${r.count} | ${cell(r.fromSend, 50)} | ${cell(r.fromSend, 99)} | ${cell(r.fromTimestamp, 50)} | ${cell(r.fromTimestamp, 99)} | ${r.wallMs === undefined ? '–' : ms(r.wallMs)} |`),
    '',
  ];
  const [snsSeq, invokeSeq] = rows;
  if (snsSeq && invokeSeq) lines.push(`- SNS's cost over a direct asynchronous Invoke, sequential p50: ${ms(percentile(snsSeq.fromSend, 50) - percentile(invokeSeq.fromSend, 50))} ms`);
  return lines.join('\n');
}
