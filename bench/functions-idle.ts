/**
 * How many idle Node.js execution environments one Stratus holds at once
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html: an environment
 * stays warm between invocations): distinct functions, each invoked once, until a cap, a time
 * budget, low host memory or a failure; then every one is invoked again, and an environment
 * counts as held only if that second call was warm (no Init Duration). Memory is read from /proc
 * for the server's descendant processes (RSS, and PSS, which shares the node binary's pages
 * fairly among them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { makeZip } from '../test/clients/zip.js';
import { ACCOUNT, removeDir, ROOT_KEY, startChildServer, tempDir } from '../test/harness.js';
import { createFunction, inBatches, InvokeClient, setUpAccount, signInvoke, sleep } from './functions-client.js';

export interface IdleResult {
  cap: number;
  attempted: number;
  created: number;
  heldWarm: number;
  failures: string[];
  stopReason: string;
  processes: number;
  rssMiB: number;
  pssMiB: number;
  serverRssMiB: number;
  seconds: number;
  stopSeconds: number;
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** Pids of every descendant of `root`. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readOr(`/proc/${name}/stat`);
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isFinite(ppid)) continue;
    const list = children.get(ppid) ?? [];
    list.push(Number(name));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const queue = [root];
  while (queue.length) for (const c of children.get(queue.pop()!) ?? []) out.push(c), queue.push(c);
  return out;
}

function kib(text: string, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

function memAvailableMiB(): number {
  return kib(readOr('/proc/meminfo'), 'MemAvailable') / 1024;
}

export async function benchIdle(cap: number, budgetMs: number): Promise<IdleResult> {
  const t0 = Date.now();
  const dataDir = tempDir();
  const server = await startChildServer(['--data-dir', dataDir, '--no-profile', '--log-level', 'error', '--account-id', ACCOUNT, '--root-access-key-id', ROOT_KEY.accessKeyId, '--root-secret-access-key', ROOT_KEY.secretAccessKey]);
  const client = new InvokeClient(server.url, 16);
  const failures: string[] = [];
  let stopReason = `reached the cap of ${cap}`;
  let attempted = 0;
  const created: string[] = [];
  let result: IdleResult;
  try {
    const { lambda, role } = await setUpAccount(server.url, ACCOUNT);
    const names = Array.from({ length: cap }, (_, i) => `idle-${i}`);
    let stop = false;
    await inBatches(names, 8, async (name) => {
      if (stop) return;
      if (Date.now() - t0 > budgetMs) {
        stop = true;
        stopReason = `time budget (${Math.round(budgetMs / 1000)} s) reached`;
        return;
      }
      if (memAvailableMiB() < 2048) {
        stop = true;
        stopReason = 'host memory available fell under 2 GiB';
        return;
      }
      attempted++;
      try {
        await createFunction(lambda, role, name, 'nodejs20.x', makeZip({ 'index.mjs': `// ${name}\nexport const handler = async () => null;\n` }), 'index.handler');
        const inv = await client.invoke(await signInvoke(server.url, name, true));
        if (inv.status !== 200 || inv.functionError) throw new Error(`HTTP ${inv.status} ${inv.body.slice(0, 200)}`);
        created.push(name);
      } catch (err) {
        failures.push(`${name}: ${(err as Error).message}`);
        if (failures.length >= 5) {
          stop = true;
          stopReason = 'five failures';
        }
      }
    });
    lambda.destroy();
    await sleep(2000);
    const pids = descendants(server.child.pid!);
    let rss = 0;
    let pss = 0;
    for (const pid of pids) {
      rss += kib(readOr(`/proc/${pid}/status`), 'VmRSS');
      pss += kib(readOr(`/proc/${pid}/smaps_rollup`), 'Pss');
    }
    const serverRss = kib(readOr(`/proc/${server.child.pid}/status`), 'VmRSS');
    // Held means still warm: a second call to each must find its environment alive.
    const warm = await inBatches(created, 8, async (name) => {
      const inv = await client.invoke(await signInvoke(server.url, name, true)).catch(() => undefined);
      return inv !== undefined && inv.status === 200 && !inv.functionError && inv.initMs === undefined;
    });
    result = {
      cap,
      attempted,
      created: created.length,
      heldWarm: warm.filter(Boolean).length,
      failures,
      stopReason,
      processes: pids.length,
      rssMiB: rss / 1024,
      pssMiB: pss / 1024,
      serverRssMiB: serverRss / 1024,
      seconds: 0,
      stopSeconds: 0,
    };
  } finally {
    client.close();
    const s0 = Date.now();
    const exit = server.stop('SIGTERM');
    const killer = setTimeout(() => void server.stop('SIGKILL'), 20_000);
    await exit;
    clearTimeout(killer);
    const stopSeconds = (Date.now() - s0) / 1000;
    removeDir(dataDir);
    // result is unset only when an exception is on its way out.
    if (result!) result.stopSeconds = stopSeconds;
  }
  result.seconds = (Date.now() - t0) / 1000;
  return result;
}
