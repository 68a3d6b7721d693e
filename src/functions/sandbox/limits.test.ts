/**
 * The resource limits of a sandbox (memory, pids), its teardown and its start-up cost, checked
 * with real cgroups and real runaway processes (root on Linux with cgroups only).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { internalsOf } from './capabilities.js';
import { envCgroupName } from './cgroups.js';
import { detectCapabilities, spawnSandbox } from './index.js';
import { collect, options, scratchDir, skipReason, uniqueId } from './testing.js';

const caps = await detectCapabilities();
const skip = skipReason(caps, { namespaces: true, cgroups: true, dropUid: true });
const task = scratchDir('limits');
after(() => task.remove());

const PYTHON = ['/usr/bin/python3', '/usr/bin/python3.11'].find((p) => existsSync(p));
const MiB = 1024 * 1024;
const cgroupDirs = (id: string) => Object.values(internalsOf(caps).cgroups?.parents ?? {}).map((p) => `${p}/${envCgroupName(id)}`);
/** The parent goes with the last environment, unless another Stratus process on this host still has some. */
const assertParentsReleased = () => {
  for (const parent of Object.values(internalsOf(caps).cgroups?.parents ?? {})) {
    if (!existsSync(parent)) continue;
    const children = readdirSync(parent, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    assert.ok(children.length > 0 && !children.some((c) => c.startsWith(`${process.pid}-`)), `${parent} left behind with ${children}`);
  }
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test('spawnSandbox: a memory hog is OOM-killed inside its cgroup, with the peak at the limit', { skip: skip ?? (!PYTHON && 'python3 is not installed') }, async () => {
  const id = uniqueId('hog');
  const sb = await spawnSandbox(options({ id, taskDir: task.dir, command: PYTHON!, args: ['-S', '-c', 'a = []\nwhile True: a.append(b"x" * (1 << 20))'], memoryMb: 64 }), caps);
  const r = await collect(sb, { destroy: false });
  assert.equal(r.signal, 'SIGKILL', r.stderr);
  assert.equal(sb.oomKilled(), true);
  const peak = sb.peakMemoryBytes();
  assert.ok(peak > 56 * MiB && peak <= 64 * MiB, `peak ${peak / MiB} MiB`);
  await sb.destroy();
  for (const dir of cgroupDirs(id)) assert.equal(existsSync(dir), false, `${dir} removed`);
});

test('resetPeak: each invocation gets its own peak', { skip: skip ?? (!PYTHON && 'python3 is not installed') }, async () => {
  const script = 'import sys, time\na = [b"x" * (1 << 20) for _ in range(40)]\ndel a\nprint("freed", flush=True)\ntime.sleep(30)';
  const sb = await spawnSandbox(options({ taskDir: task.dir, command: PYTHON!, args: ['-S', '-c', script], memoryMb: 128 }), caps);
  try {
    let out = '';
    sb.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    while (!out.includes('freed')) await sleep(10);
    assert.ok(sb.peakMemoryBytes() > 40 * MiB, `first peak ${sb.peakMemoryBytes() / MiB} MiB`);
    sb.resetPeak();
    assert.ok(sb.peakMemoryBytes() < 30 * MiB, `peak after reset ${sb.peakMemoryBytes() / MiB} MiB`);
    assert.equal(sb.oomKilled(), false);
  } finally {
    await sb.destroy(0);
  }
});

test('spawnSandbox: a fork bomb is held at pids.max while Stratus stays responsive', { skip }, async () => {
  const id = uniqueId('bomb');
  const sb = await spawnSandbox(options({ id, taskDir: task.dir, command: '/bin/bash', args: ['-c', ':(){ :|:& };:; sleep 30'], pidsMax: 32, cpuShares: 2 }), caps);
  sb.child.stdout!.resume();
  sb.child.stderr!.resume();
  const pidsDir = internalsOf(caps).cgroups!.parents.pids!;
  let worstLag = 0;
  let maxPids = 0;
  const started = Date.now();
  while (Date.now() - started < 1500) {
    const t = performance.now();
    await sleep(10);
    worstLag = Math.max(worstLag, performance.now() - t - 10);
    maxPids = Math.max(maxPids, Number(readFileSync(`${pidsDir}/${envCgroupName(id)}/pids.current`, 'utf8')));
  }
  const host = spawnSync('/bin/true');
  assert.equal(host.status, 0, 'the host can still fork');
  assert.ok(maxPids <= 32 && maxPids >= 16, `pids.current peaked at ${maxPids}`);
  assert.ok(worstLag < 250, `event loop lag ${worstLag.toFixed(0)} ms`);
  assert.ok(Number(readFileSync(`${pidsDir}/${envCgroupName(id)}/pids.events`, 'utf8').match(/max (\d+)/)?.[1]) > 0, 'forks were refused');
  const t = performance.now();
  await sb.destroy(100);
  assert.ok(performance.now() - t < 3000, 'the bomb is torn down promptly');
  for (const dir of cgroupDirs(id)) assert.equal(existsSync(dir), false, `${dir} removed`);
});

test('destroy: leaves no process and no cgroup behind', { skip }, async () => {
  const id = uniqueId('teardown');
  // A runtime that ignores SIGTERM and leaves a double-forked orphan behind.
  const sb = await spawnSandbox(options({ id, taskDir: task.dir, args: ['-c', 'trap "" TERM; (sleep 60 &) ; sleep 60 & wait'] }), caps);
  await sleep(100);
  const pids = internalsOf(caps).cgroups!.parents.pids!;
  const members = readFileSync(`${pids}/${envCgroupName(id)}/cgroup.procs`, 'utf8').split('\n').filter(Boolean).map(Number);
  assert.ok(members.length >= 4, `members: ${members}`);
  await sb.destroy(200);
  await sb.destroy(200); // idempotent
  assert.equal(alive(sb.child.pid!), false);
  for (const pid of members) assert.equal(alive(pid), false, `pid ${pid} survived: ${existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, "utf8").slice(0, 300) : "no proc"}`);
  for (const dir of cgroupDirs(id)) assert.equal(existsSync(dir), false, `${dir} removed`);
  assertParentsReleased();
});

test('spawnSandbox: environments start and stop in parallel', { skip }, async () => {
  const sandboxes = await Promise.all(Array.from({ length: 8 }, (_, i) => spawnSandbox(options({ id: uniqueId(`par${i}`), taskDir: task.dir, args: ['-c', 'cat /proc/self/oom_score_adj; sleep 30'] }), caps)));
  let adj = '';
  sandboxes[0]!.child.stdout!.on('data', (d: Buffer) => (adj += d.toString()));
  while (!adj) await sleep(5);
  assert.equal(adj.trim(), '500', 'functions are the host OOM killer\'s first choice, not Stratus');
  await Promise.all(sandboxes.map((sb) => sb.destroy(500)));
  assertParentsReleased();
});

test('spawnSandbox: spawn-to-exec latency', { skip }, async (t) => {
  const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const runs = 25;
  const sandboxed: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const sb = await spawnSandbox(options({ taskDir: task.dir, command: '/bin/true', env: {}, hidePaths: ['/root'] }), caps);
    sandboxed.push(performance.now() - started);
    await sb.exited;
    await sb.destroy();
  }
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const child = spawn('/bin/true', [], { stdio: 'ignore', env: {} });
    await new Promise((resolve) => child.once('spawn', resolve));
    bare.push(performance.now() - started);
    await new Promise((resolve) => child.once('exit', resolve));
  }
  t.diagnostic(`spawn→exec p50: sandboxed ${p50(sandboxed).toFixed(2)} ms, bare spawn ${p50(bare).toFixed(2)} ms`);
  assert.ok(p50(sandboxed) < 100, `p50 ${p50(sandboxed)} ms`);
});
