import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createEnvCgroup, discoverCgroups, envCgroupName, sharesToWeight } from './cgroups.js';

const root = process.platform === 'linux' && process.getuid?.() === 0;
const found = root ? discoverCgroups() : undefined;
const v1 = found?.layout?.version === 'v1' ? found.layout : undefined;
const read = (file: string) => readFileSync(file, 'utf8').trim();

test('sharesToWeight: maps the v1 share range onto the v2 weight range', () => {
  assert.equal(sharesToWeight(2), 1);
  assert.equal(sharesToWeight(262144), 10000);
  assert.equal(sharesToWeight(1024), 40);
  assert.equal(sharesToWeight(0), 1);
});

test('discoverCgroups: nests the stratus parent under Stratus\'s own cgroup', { skip: !root && 'needs root on Linux' }, () => {
  assert.ok(found!.layout, found!.warnings.join('\n'));
  const own = readFileSync('/proc/self/cgroup', 'utf8');
  const memoryPath = /^\d+:(?:[^:]*,)?memory(?:,[^:]*)?:(.*)$/m.exec(own)?.[1] ?? /^0::(.*)$/m.exec(own)?.[1];
  assert.ok(found!.layout!.parents.memory!.endsWith(`${memoryPath === '/' ? '' : memoryPath}/stratus`), found!.layout!.parents.memory);
});

test('createEnvCgroup: v1 limits memory and memory+swap, pids and CPU shares, and removes itself', { skip: !v1 && (root ? 'needs cgroup v1 (this host is v2 or has none)' : 'needs root on Linux') }, async () => {
  const cg = createEnvCgroup(v1!, `cg-test-${process.pid}`, { memoryBytes: 96 * 1024 * 1024, pidsMax: 42, cpuShares: 300 });
  const name = envCgroupName(`cg-test-${process.pid}`);
  const mem = `${v1!.parents.memory}/${name}`;
  try {
    assert.equal(read(`${mem}/memory.limit_in_bytes`), String(96 * 1024 * 1024));
    if (found!.warnings.every((w) => !w.includes('swap accounting'))) assert.equal(read(`${mem}/memory.memsw.limit_in_bytes`), String(96 * 1024 * 1024));
    assert.equal(read(`${v1!.parents.pids}/${name}/pids.max`), '42');
    assert.equal(read(`${v1!.parents.cpu}/${name}/cpu.shares`), '300');
    assert.equal(cg.procsFiles.length, 3);
    assert.deepEqual(cg.pids(), []);
    assert.equal(cg.oomKills(), 0);
  } finally {
    await cg.remove();
  }
  assert.throws(() => read(`${mem}/memory.limit_in_bytes`), /ENOENT/);
});

test('createEnvCgroup: v2 writes memory.max, no swap, pids.max, cpu.weight and the OOM group', async () => {
  // This host's memory controller is bound to v1, so v2 runs against a directory standing in for
  // cgroupfs: it checks which files get which values, not the kernel's reaction to them.
  const fake = mkdtempSync(join(tmpdir(), 'stratus-cgv2-'));
  try {
    const cg = createEnvCgroup({ version: 'v2', parents: { memory: `${fake}/stratus`, pids: `${fake}/stratus`, cpu: `${fake}/stratus` } }, 'env1', { memoryBytes: 128 * 1024 * 1024, pidsMax: 256, cpuShares: 1024 });
    const dir = `${fake}/stratus/${envCgroupName('env1')}`;
    assert.equal(read(`${fake}/stratus/cgroup.subtree_control`), '+memory +pids +cpu');
    assert.equal(read(`${dir}/memory.max`), String(128 * 1024 * 1024));
    assert.equal(read(`${dir}/memory.swap.max`), '0');
    assert.equal(read(`${dir}/memory.oom.group`), '1');
    assert.equal(read(`${dir}/pids.max`), '256');
    assert.equal(read(`${dir}/cpu.weight`), '40');
    assert.deepEqual(cg.procsFiles, [`${dir}/cgroup.procs`]);
    writeFileSync(`${dir}/memory.events`, 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n');
    writeFileSync(`${dir}/memory.peak`, '5242880\n');
    assert.equal(cg.oomKills(), 1);
    assert.equal(cg.peakBytes(), 5242880);
  } finally {
    rmSync(fake, { recursive: true, force: true });
  }
});

test('discoverCgroups: removes what a crashed Stratus left behind, and nothing else', { skip: !v1 && (root ? 'needs cgroup v1' : 'needs root on Linux') }, () => {
  const dead = spawnSync('/bin/true').pid!;
  const parent = v1!.parents.pids!;
  const stale = `${parent}/${dead}-crashed`;
  const mine = `${parent}/${envCgroupName('kept')}`;
  mkdirSync(stale, { recursive: true });
  mkdirSync(mine, { recursive: true });
  try {
    discoverCgroups();
    assert.equal(existsSync(stale), false, 'the dead owner\'s empty cgroup is gone');
    assert.equal(existsSync(mine), true, 'a live owner\'s cgroup stays');
  } finally {
    for (const dir of [stale, mine, parent]) {
      try {
        rmdirSync(dir);
      } catch {
        // Gone already, or the parent still holds another process's environments.
      }
    }
  }
});
