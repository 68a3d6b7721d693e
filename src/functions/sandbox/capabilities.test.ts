/**
 * Capability detection and the fallbacks: what the start-up log says when protections are off,
 * and that a function still runs, with exactly its environment, in every mode.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { detectCapabilities, spawnSandbox } from './index.js';
import { collect, options, scratchDir } from './testing.js';

const task = scratchDir('caps');
after(() => task.remove());
const rootOnLinux = process.platform === 'linux' && process.getuid?.() === 0;
const envOf = (stdout: string) => Object.fromEntries(stdout.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));

test('detectCapabilities: forced plain mode names every protection that is off', async () => {
  const caps = await detectCapabilities({ plain: true });
  assert.equal(caps.mode, 'plain');
  assert.deepEqual(caps.namespaces, { mount: false, pid: false, user: false, net: false });
  assert.equal(caps.cgroups, false);
  assert.equal(caps.dropUid, false);
  const text = caps.warnings.join('\n');
  for (const off of [/mount namespace off/, /pid namespace off/, /cgroups off/, /no memory limit/, /no pids limit/, /uid drop off/]) assert.match(text, off);
  assert.ok(caps.warnings.every((w) => w.includes('sandboxing disabled')), text);
  assert.equal(await detectCapabilities({ plain: true }), caps, 'cached');
});

test('spawnSandbox: plain mode runs the function in its task dir with exactly its environment', async () => {
  const caps = await detectCapabilities({ plain: true });
  const env = { PATH: '/usr/bin:/bin', A: 'b c' };
  const r = await collect(await spawnSandbox(options({ taskDir: task.dir, command: '/bin/sh', args: ['-c', 'pwd; exec /usr/bin/env -0'], env }), caps));
  assert.equal(r.code, 0, r.stderr);
  const [cwd, rest] = [r.stdout.slice(0, r.stdout.indexOf('\n')), r.stdout.slice(r.stdout.indexOf('\n') + 1)];
  assert.equal(cwd, task.dir);
  // sh sets PWD for what it execs: everything else is exactly what was given.
  const { PWD: _pwd, ...seen } = envOf(rest);
  assert.deepEqual(seen, env);
});

test('sandbox: without a cgroup the peak memory comes from /proc', async () => {
  const caps = await detectCapabilities({ plain: true });
  const sb = await spawnSandbox(options({ taskDir: task.dir, command: '/bin/sleep', args: ['5'] }), caps);
  try {
    await sleep(50);
    assert.ok(sb.peakMemoryBytes() > 100 * 1024, `peak ${sb.peakMemoryBytes()}`);
    assert.equal(sb.oomKilled(), false);
  } finally {
    await sb.destroy(100);
  }
  assert.notEqual((await sb.exited).signal ?? (await sb.exited).code, 0);
});

test('detectCapabilities: disabled protections are listed with the reason', { skip: !rootOnLinux && 'needs root on Linux' }, async () => {
  const caps = await detectCapabilities({ disable: ['namespaces', 'cgroups', 'dropUid'] });
  assert.equal(caps.mode, 'plain');
  const text = caps.warnings.join('\n');
  assert.match(text, /mount namespace off: .*\(namespaces disabled\)/);
  assert.match(text, /pid namespace off: .*\(namespaces disabled\)/);
  assert.match(text, /cgroups off \(cgroups disabled\)/);
  assert.match(text, /uid drop off \(uid drop disabled\)/);
  // Still launched through the root-safe path: the function's environment never reaches a root tool.
  const env = { PATH: '/usr/bin:/bin', LD_PRELOAD: '/nonexistent.so' };
  const r = await collect(await spawnSandbox(options({ taskDir: task.dir, command: '/usr/bin/env', args: ['-0'], env }), caps));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(envOf(r.stdout), env);
});

test('detectCapabilities: removes setup files of Stratus processes that died mid-spawn', { skip: process.platform !== 'linux' && 'needs Linux' }, async () => {
  const dead = spawnSync('/bin/true').pid!;
  const stale = join(tmpdir(), `stratus-sandbox-${dead}-env-abcd.fstab`);
  const mine = join(tmpdir(), `stratus-sandbox-${process.pid}-env-abcd.fstab`);
  writeFileSync(stale, '');
  writeFileSync(mine, '');
  try {
    await detectCapabilities({ disable: ['dropUid', 'cgroups'] });
    assert.equal(existsSync(stale), false);
    assert.equal(existsSync(mine), true);
  } finally {
    rmSync(stale, { force: true });
    rmSync(mine, { force: true });
  }
});

test('detectCapabilities: root on Linux gets namespaces and a dedicated uid', { skip: !rootOnLinux && 'needs root on Linux' }, async () => {
  const caps = await detectCapabilities();
  assert.equal(caps.mode, 'root', caps.warnings.join('\n'));
  assert.deepEqual(caps.namespaces, { mount: true, pid: true, user: false, net: false });
  assert.equal(caps.dropUid, true);
  assert.notEqual(caps.uid, 0);
});

test('detectCapabilities: without root, a user namespace still isolates the function', { skip: !rootOnLinux && 'needs root on Linux to become nobody' }, async () => {
  const index = fileURLToPath(new URL('./index.ts', import.meta.url));
  const script = join(task.dir, 'unprivileged.mts');
  writeFileSync(
    script,
    `import { detectCapabilities, spawnSandbox } from ${JSON.stringify(index)};
const caps = await detectCapabilities();
let out = '';
if (caps.namespaces.mount) {
  const sb = await spawnSandbox({ id: 'userns-test', command: '/bin/sh', args: ['-c', 'grep CapEff /proc/self/status; touch /var/task/x 2>&1; ls -A /tmp | wc -l; ls ${task.dir}/secret 2>&1'], env: {}, taskDir: ${JSON.stringify(task.dir)}, tmpSizeMb: 1, memoryMb: 64, pidsMax: 16, cpuShares: 64, hidePaths: [${JSON.stringify(task.dir + '/secret')}] }, caps);
  sb.child.stdout.on('data', (d) => (out += d));
  sb.child.stderr.on('data', (d) => (out += d));
  await sb.exited;
  await sb.destroy();
}
console.log(JSON.stringify({ caps, out }));
`,
  );
  spawnSync('/bin/mkdir', ['-p', join(task.dir, 'secret')]);
  const r = spawnSync('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '--import', 'tsx', script], {
    cwd: fileURLToPath(new URL('../../..', import.meta.url)),
    env: { PATH: '/usr/bin:/bin', HOME: '/tmp' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const { caps, out } = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.match(caps.warnings.join('\n'), /cgroups off \(Stratus is not root/);
  assert.match(caps.warnings.join('\n'), /uid drop off \(Stratus is not root/);
  if (caps.mode !== 'userns') return; // This kernel forbids unprivileged user namespaces: the warnings said so.
  assert.deepEqual(caps.namespaces, { mount: true, pid: true, user: true, net: false });
  assert.match(out, /CapEff:\s+0{16}/);
  assert.match(out, /Read-only file system/);
  assert.match(out, /^0$/m);
  assert.match(out, /No such file or directory/);
});
