/**
 * The function engine's costs, measured side by side in one run on a real Stratus started as a
 * child process (the CLI), with signed Lambda Invoke calls
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html) as raw HTTP (see
 * functions-client.ts): cold starts from the pre-spawned pool and with the pool drained (the
 * engine's Init Duration from the REPORT line, and the client's round trip), the warm invoke
 * overhead (round trip minus the handler's REPORT Duration), warm throughput with wrk, the same
 * handler through serverless-offline, and how many idle Node.js environments one machine holds.
 */
import { makeZip } from '../test/clients/zip.js';
import { ACCOUNT, removeDir, ROOT_KEY, startChildServer, tempDir } from '../test/harness.js';
import { createFunction, inBatches, InvokeClient, ms, ok, percentile, setUpAccount, signInvoke, sleep, wrk, type Invocation, type WrkResult } from './functions-client.js';
import { benchIdle } from './functions-idle.js';
import { offlineUnavailable, startOffline } from './functions-offline.js';

const COLD_N = Number(process.env.BENCH_COLD_N ?? 20);
const WARM_N = Number(process.env.BENCH_WARM_N ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_FN_CONNECTIONS ?? 4);
const IDLE_CAP = Number(process.env.BENCH_IDLE_CAP ?? 1000);
/** The server's --runtime-pool-size; the "empty" row drains this many pooled runtimes first. */
const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 3);
/** Extra `stratus start` options for the server under test (diagnostics, e.g. `--durability normal`). */
const SERVER_ARGS = (process.env.BENCH_SERVER_ARGS ?? '').split(' ').filter(Boolean);
const IDLE_BUDGET_MS = Number(process.env.BENCH_IDLE_SECONDS ?? 170) * 1000;
/** Time for the pool to replace what a cold start took (25 ms delay, then a process start). */
const REFILL_WAIT_MS = 600;

const NOOP_NODE = 'export const handler = async () => null;\n';
const NOOP_PYTHON = 'def handler(event, context):\n    return None\n';

interface Runtime {
  id: 'nodejs20.x' | 'python3.11';
  label: string;
  zip(tag: string): Buffer;
  handler: string;
  poolGoal: number;
  emptyGoal: number;
}

// Each function gets its own code (a comment naming it), so every cold start also unpacks its code.
const RUNTIMES: Runtime[] = [
  { id: 'nodejs20.x', label: 'Node.js 20', zip: (t) => makeZip({ 'index.mjs': `// ${t}\n${NOOP_NODE}` }), handler: 'index.handler', poolGoal: 5, emptyGoal: 40 },
  { id: 'python3.11', label: 'Python 3.11', zip: (t) => makeZip({ 'lambda_function.py': `# ${t}\n${NOOP_PYTHON}` }), handler: 'lambda_function.handler', poolGoal: 3, emptyGoal: 25 },
];

interface ColdRow {
  runtime: Runtime;
  mode: 'pool' | 'empty';
  init: number[];
  rtt: number[];
  /** "empty" only: how long the draining cold starts took (the measured one is sent when they are done). */
  drain?: number[];
}

const verdict = (value: number, goal: number) => (value <= goal ? 'met' : 'not met');

function coldTable(rows: ColdRow[]): string[] {
  return [
    '| runtime | pool | n | Init Duration p50 ms | p99 ms | client round trip p50 ms | p99 ms | goal (Init p50 / p99) |',
    '|---|---|---:|---:|---:|---:|---:|---|',
    ...rows.map((r) => {
      const goal = r.mode === 'pool' ? r.runtime.poolGoal : r.runtime.emptyGoal;
      const p50 = percentile(r.init, 50);
      const p99 = percentile(r.init, 99);
      return `| ${r.runtime.label} | ${r.mode === 'pool' ? 'pre-spawned' : 'empty'} | ${r.init.length} | ${ms(p50)} | ${ms(p99)} | ${ms(percentile(r.rtt, 50))} | ${ms(percentile(r.rtt, 99))} | ≤ ${goal}: ${verdict(p50, goal)} / ${verdict(p99, goal)} |`;
    }),
  ];
}

async function sequential(client: InvokeClient, signed: Awaited<ReturnType<typeof signInvoke>>, n: number, what: string): Promise<Invocation[]> {
  const out: Invocation[] = [];
  for (let i = 0; i < n; i++) out.push(ok(await client.invoke(signed), what));
  return out;
}

export async function benchFunctions(): Promise<string> {
  const lines: string[] = [];
  const dataDir = tempDir();
  const server = await startChildServer(['--data-dir', dataDir, '--no-profile', '--log-level', 'error', '--account-id', ACCOUNT, '--root-access-key-id', ROOT_KEY.accessKeyId, '--root-secret-access-key', ROOT_KEY.secretAccessKey, '--runtime-pool-size', String(POOL_SIZE), ...SERVER_ARGS]);
  const client = new InvokeClient(server.url);
  const cold: ColdRow[] = [];
  const warmRows: { label: string; overhead: number[]; rttTail: number[]; rttRaw: number[] }[] = [];
  let stratusWrk: WrkResult | undefined;
  let stratusRaw: number[] = [];
  try {
    const { lambda, role } = await setUpAccount(server.url, ACCOUNT);
    const create = (rt: Runtime, name: string) => createFunction(lambda, role, name, rt.id, rt.zip(name), rt.handler);
    for (const rt of RUNTIMES) {
      const tag = rt.id.replace(/\W/g, '');
      const names = (kind: string, n: number) => Array.from({ length: n }, (_, i) => `${kind}-${tag}-${i}`);
      const pooled = names('pool', COLD_N);
      const empty = names('empty', COLD_N);
      const drains = names('drain', POOL_SIZE * COLD_N);
      await inBatches([`first-${tag}`, ...pooled, ...empty, ...drains], 4, (n) => create(rt, n));
      // The first cold start of a runtime the engine does not pre-warm fills its pool.
      ok(await client.invoke(await signInvoke(server.url, `first-${tag}`, true)), 'first cold start');
      await sleep(REFILL_WAIT_MS * 2);

      const poolRow: ColdRow = { runtime: rt, mode: 'pool', init: [], rtt: [] };
      for (const name of pooled) {
        const inv = ok(await client.invoke(await signInvoke(server.url, name, true)), name);
        poolRow.init.push(inv.initMs ?? NaN);
        poolRow.rtt.push(inv.rttMs);
        await sleep(REFILL_WAIT_MS);
      }
      // The pool holds POOL_SIZE runtimes per shape: as many concurrent cold starts take them, and
      // the next one finds the pool empty and waits for an interpreter start (the refill's, or its
      // own), as in a burst.
      const emptyRow: ColdRow = { runtime: rt, mode: 'empty', init: [], rtt: [], drain: [] };
      for (let i = 0; i < COLD_N; i++) {
        const signed = await Promise.all([...drains.slice(POOL_SIZE * i, POOL_SIZE * (i + 1)), empty[i]!].map((n) => signInvoke(server.url, n, true)));
        const measured = signed.pop()!;
        const drainStart = performance.now();
        await Promise.all(signed.map((d) => client.invoke(d))).then((r) => r.forEach((x) => ok(x, 'drain')));
        emptyRow.drain!.push(performance.now() - drainStart);
        const inv = ok(await client.invoke(measured!), empty[i]!);
        emptyRow.init.push(inv.initMs ?? NaN);
        emptyRow.rtt.push(inv.rttMs);
        await sleep(REFILL_WAIT_MS);
      }
      cold.push(poolRow, emptyRow);

      const noop = `noop-${tag}`;
      await create(rt, noop);
      const tail = await signInvoke(server.url, noop, true);
      const raw = await signInvoke(server.url, noop, false);
      await sequential(client, tail, 200, 'warm-up');
      const withTail = await sequential(client, tail, WARM_N, 'warm');
      const without = await sequential(client, raw, WARM_N, 'warm');
      warmRows.push({ label: rt.label, overhead: withTail.map((i) => i.rttMs - (i.durationMs ?? NaN)), rttTail: withTail.map((i) => i.rttMs), rttRaw: without.map((i) => i.rttMs) });
      if (rt.id === 'nodejs20.x') {
        stratusRaw = without.map((i) => i.rttMs);
        // One environment per connection, warm before wrk starts.
        for (let k = 0; k < 3; k++) await Promise.all(Array.from({ length: CONNECTIONS * 2 }, () => client.invoke(raw).then((x) => ok(x, 'warm-up'))));
        stratusWrk = await wrk(server.url, raw.path, raw.headers, '{}', { threads: 1, connections: CONNECTIONS, seconds: SECONDS });
      }
    }
    lambda.destroy();
  } finally {
    client.close();
    await server.stop();
    removeDir(dataDir);
  }

  lines.push(`### Cold starts`, '', `Distinct new functions (a no-op handler, 128 MB), each invoked once with \`LogType: Tail\`; Init Duration is the engine's, from the REPORT line; ${COLD_N} per row, so p99 is the slowest sample.`);
  lines.push(`"pre-spawned": one at a time, ${REFILL_WAIT_MS} ms apart so the pool has refilled. "empty": right after ${POOL_SIZE} concurrent cold starts took every pooled runtime (\`--runtime-pool-size ${POOL_SIZE}\`), so the cold start waits for an interpreter start (the refill's, started at once).`, '');
  lines.push(...coldTable(cold), '');
  // How far the pool's start had got when the measured cold start arrived depends on this.
  for (const r of cold.filter((c) => c.drain?.length)) lines.push(`- ${r.runtime.label} empty: the ${POOL_SIZE} draining cold starts took p50 ${ms(percentile(r.drain!, 50))} / p99 ${ms(percentile(r.drain!, 99))} ms (client, all ${POOL_SIZE} answered)`);
  lines.push('');

  lines.push('### Warm invoke overhead', '', `One no-op function, ${WARM_N} sequential Invokes on one keep-alive connection after 200 warm-ups. Overhead = client round trip − the REPORT Duration (the handler's own time as the engine measures it).`, '');
  lines.push('| runtime | overhead p50 ms | p99 ms | goal | round trip with Tail p50 / p99 ms | round trip without Tail p50 / p99 ms |', '|---|---:|---:|---|---:|---:|');
  for (const w of warmRows) {
    const p50 = percentile(w.overhead, 50);
    const p99 = percentile(w.overhead, 99);
    lines.push(`| ${w.label} | ${ms(p50)} | ${ms(p99)} | ≤ 0.5 / ≤ 2: ${verdict(p50, 0.5)} / ${verdict(p99, 2)} | ${ms(percentile(w.rttTail, 50))} / ${ms(percentile(w.rttTail, 99))} | ${ms(percentile(w.rttRaw, 50))} / ${ms(percentile(w.rttRaw, 99))} |`);
  }
  lines.push('');

  // The same handler, the same client, through serverless-offline.
  const peer: { name: string; seq: number[]; load?: WrkResult; note?: string }[] = [{ name: 'stratus', seq: stratusRaw, load: stratusWrk }];
  const why = offlineUnavailable();
  if (why) peer.push({ name: 'serverless-offline', seq: [], note: why });
  else {
    try {
      const off = await startOffline(NOOP_NODE);
      const offClient = new InvokeClient(off.url);
      try {
        const signed = await signInvoke(off.url, off.functionName, false);
        const check = await offClient.invoke(signed);
        if (check.status !== 200) throw new Error(`serverless-offline answered ${check.status}: ${check.body.slice(0, 200)}`);
        await sequential(offClient, signed, 200, 'serverless-offline warm-up');
        const seq = (await sequential(offClient, signed, WARM_N, 'serverless-offline')).map((i) => i.rttMs);
        const load = await wrk(off.url, signed.path, signed.headers, '{}', { threads: 1, connections: CONNECTIONS, seconds: SECONDS });
        peer.push({ name: `serverless-offline (${off.version})`, seq, load });
      } finally {
        offClient.close();
        await off.stop();
      }
    } catch (err) {
      peer.push({ name: 'serverless-offline', seq: [], note: (err as Error).message.split('\n').slice(0, 3).join(' ') });
    }
  }
  lines.push('### Warm Invoke throughput, and serverless-offline', '', `The Node.js no-op function through each server's \`POST /2015-03-31/functions/<name>/invocations\`: ${WARM_N} sequential calls (no log tail) on one keep-alive connection, then \`wrk -t1 -c${CONNECTIONS} -d${SECONDS}s\` replaying the signed request.`, '');
  lines.push('| server | sequential p50 ms | p99 ms | wrk req/s | wrk p50 ms | wrk p99 ms | errors |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const p of peer) {
    if (p.note) lines.push(`| ${p.name} | – | – | – | – | – | not run: ${p.note} |`);
    else lines.push(`| ${p.name} | ${ms(percentile(p.seq, 50))} | ${ms(percentile(p.seq, 99))} | ${p.load ? Math.round(p.load.rps) : '–'} | ${p.load ? ms(p.load.p50) : '–'} | ${p.load ? ms(p.load.p99) : '–'} | ${p.load?.errors ?? '–'} |`);
  }
  const [s, o] = peer;
  if (s?.load && o?.load) lines.push('', `- Stratus / serverless-offline throughput: ${(s.load.rps / o.load.rps).toFixed(2)}×`);
  lines.push('');

  const idle = await benchIdle(IDLE_CAP, IDLE_BUDGET_MS);
  lines.push('### Idle Node.js environments held at once', '', `A fresh server; distinct Node.js functions created and invoked once (8 at a time) until ${IDLE_CAP}, ${Math.round(IDLE_BUDGET_MS / 1000)} s, under 2 GiB of host memory available, or five failures; after 2 s idle, every one is invoked again and counts as held only if that call is warm.`, '');
  lines.push('| environments created | held warm | goal | failures | stopped because | processes | RSS MiB / env | PSS MiB / env | server RSS MiB | took s | server stop s |', '|---:|---:|---|---:|---|---:|---:|---:|---:|---:|---:|');
  const per = (v: number) => (idle.created ? (v / idle.created).toFixed(1) : '–');
  lines.push(`| ${idle.created} | ${idle.heldWarm} | ≥ 1000: ${idle.heldWarm >= 1000 ? 'met' : 'not met'} | ${idle.failures.length} | ${idle.stopReason} | ${idle.processes} | ${per(idle.rssMiB)} | ${per(idle.pssMiB)} | ${idle.serverRssMiB.toFixed(0)} | ${idle.seconds.toFixed(0)} | ${idle.stopSeconds.toFixed(1)} |`);
  if (idle.failures.length) lines.push('', ...idle.failures.map((f) => `- failure: ${f}`));
  return lines.join('\n');
}
