/**
 * What a function can and cannot see and do inside its sandbox, checked by running real
 * processes in real namespaces (root on Linux only; skipped with the reason elsewhere).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { detectCapabilities, spawnSandbox } from './index.js';
import { collect, options, runShell, scratchDir, skipReason } from './testing.js';

const caps = await detectCapabilities();
const skip = skipReason(caps, { namespaces: true, dropUid: true });
const task = scratchDir('task');
// Outside /tmp, which the sandbox replaces anyway: only the masks can hide it.
const data = scratchDir('data', '/var/tmp');

before(() => {
  writeFileSync(`${task.dir}/handler.js`, 'exports.handler = async () => 42;\n');
  mkdirSync(`${data.dir}/functions/other`, { recursive: true });
  writeFileSync(`${data.dir}/functions/other/secret.txt`, 'other function code\n');
  writeFileSync(`${data.dir}/root-key`, 'key\n');
  writeFileSync(`${data.dir}/public.txt`, 'visible\n');
});
after(() => {
  task.remove();
  data.remove();
});

test('spawnSandbox: the code is at /var/task, read-only', { skip }, async () => {
  const r = await runShell(caps, 'cat /var/task/handler.js; pwd; echo x > /var/task/new.js || echo "write failed: $?"', { taskDir: task.dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /exports\.handler/);
  assert.match(r.stdout, /^\/var\/task$/m);
  assert.match(r.stdout, /write failed/);
  assert.match(r.stderr, /Read-only file system|Permission denied/);
  assert.deepEqual(readdirSync(task.dir), ['handler.js']);
});

test('spawnSandbox: files the host writes after spawn appear at /var/task', { skip }, async () => {
  // The engine's layout: the task dir sits in a private (0700) dir under the hidden data dir.
  const taskDir = `${data.dir}/envs/e1/task`;
  mkdirSync(`${data.dir}/envs`, { mode: 0o700 });
  mkdirSync(taskDir, { recursive: true, mode: 0o755 });
  const sb = await spawnSandbox(
    options({ taskDir, hidePaths: [data.dir], args: ['-c', `ls -A ${data.dir} 2>&1; echo ---; for i in $(seq 1 500); do [ -e /var/task/late/bootstrap ] && exec cat /var/task/late/bootstrap; sleep 0.01; done; exit 9`] }),
    caps,
  );
  await sleep(50);
  // The engine fills a pre-spawned environment's task dir in place, nested dirs included.
  mkdirSync(`${taskDir}/late`);
  writeFileSync(`${taskDir}/late/bootstrap`, 'arrived\n');
  const r = await collect(sb);
  assert.equal(r.code, 0, r.stderr);
  const [listing, arrived] = r.stdout.split('---\n');
  assert.doesNotMatch(listing!, /envs|functions/, 'the data dir stays hidden');
  assert.equal(arrived, 'arrived\n');
});

test('spawnSandbox: /tmp is private and limited to tmpSizeMb', { skip }, async () => {
  const marker = `/tmp/stratus-sbx-host-marker-${process.pid}`;
  writeFileSync(marker, 'host');
  try {
    const r = await runShell(
      caps,
      `ls -A /tmp; echo mine > /tmp/mine-${process.pid}; dd if=/dev/zero of=/tmp/fill bs=1M count=64 2>&1; echo "dd=$?"; du -sm /tmp | cut -f1`,
      { taskDir: task.dir, tmpSizeMb: 4 },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /stratus-sbx-host-marker/);
    assert.match(r.stdout, /No space left on device/);
    assert.match(r.stdout, /dd=1/);
    assert.match(r.stdout, /^4$/m);
    assert.equal(existsSync(`/tmp/mine-${process.pid}`), false, 'the sandbox wrote to the host /tmp');
  } finally {
    rmSync(marker, { force: true });
  }
});

test('spawnSandbox: hidden paths, /root and the host file system are out of reach', { skip }, async () => {
  const r = await runShell(
    caps,
    [
      `cat ${data.dir}/public.txt`,
      `cat ${data.dir}/functions/other/secret.txt || echo hidden-dir-ok`,
      `cat ${data.dir}/root-key || echo hidden-file-ok`,
      'ls /root || echo root-ok',
      'touch /var/tmp/x /etc/x /x 2>&1 | grep -c "Read-only file system"',
    ].join('; '),
    { taskDir: task.dir, hidePaths: [`${data.dir}/functions`, `${data.dir}/root-key`, `${data.dir}/missing`] },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^visible$/m, 'the data dir itself is readable: only the masks hide the rest');
  assert.match(r.stdout, /hidden-dir-ok/);
  assert.match(r.stdout, /hidden-file-ok/);
  assert.match(r.stdout, /root-ok/);
  assert.match(r.stdout, /^3$/m);
  assert.doesNotMatch(r.stdout, /other function code|key/);
  assert.match(r.stderr, /No such file or directory|Permission denied/);
});

test('spawnSandbox: the runtime has no uid 0, no groups, no capabilities and no_new_privs', { skip }, async () => {
  const r = await runShell(caps, 'id -u; id -G; grep -E "^(CapEff|CapPrm|CapBnd|NoNewPrivs)" /proc/self/status', { taskDir: task.dir });
  assert.equal(r.code, 0, r.stderr);
  const [uid, groups] = r.stdout.split('\n');
  assert.equal(Number(uid), caps.uid);
  assert.notEqual(Number(uid), 0);
  assert.equal(groups, String(caps.gid));
  assert.match(r.stdout, /CapEff:\s+0{16}/);
  assert.match(r.stdout, /CapPrm:\s+0{16}/);
  assert.match(r.stdout, /CapBnd:\s+0{16}/);
  assert.match(r.stdout, /NoNewPrivs:\s+1/);
});

test('spawnSandbox: the function cannot see or signal Stratus', { skip }, async () => {
  const r = await runShell(caps, `kill -9 ${process.pid} 2>&1; echo "stratus=$?"; kill -9 1 2>&1; echo "init=$?"; ls /proc | grep -cE '^[0-9]+$'`, { taskDir: task.dir });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /No such process/);
  assert.match(r.stdout, /stratus=1/);
  assert.match(r.stdout, /Operation not permitted/);
  assert.match(r.stdout, /init=1/);
  // Only the sandbox's own processes: pid 1, the shell, and ls/grep.
  assert.ok(Number(r.stdout.trim().split('\n').pop()) <= 5, r.stdout);
});

test('spawnSandbox: the runtime gets exactly the given environment', { skip }, async () => {
  const env = { PATH: '/usr/bin:/bin', AWS_LAMBDA_FUNCTION_NAME: 'f', QUOTED: `it's "$HOME" \`id\``, LD_PRELOAD: '/var/task/nope.so' };
  const sb = await spawnSandbox(options({ taskDir: task.dir, command: '/usr/bin/env', args: ['-0'], env }), caps);
  const r = await collect(sb);
  // The loader complains about the missing LD_PRELOAD library in the runtime only: root steps never see it.
  assert.equal(r.code, 0, r.stderr);
  const seen = Object.fromEntries(r.stdout.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  assert.deepEqual(seen, env);
});

test('spawnSandbox: layers are read-only at /opt, and /opt is empty without them', { skip }, async () => {
  const layer = scratchDir('layer');
  try {
    writeFileSync(`${layer.dir}/lib.py`, 'X = 1\n');
    const withLayer = await runShell(caps, 'ls /opt; touch /opt/y 2>&1', { taskDir: task.dir, optDir: layer.dir });
    assert.match(withLayer.stdout, /lib\.py/);
    assert.match(withLayer.stdout, /Read-only file system/);
    const without = await runShell(caps, 'ls -A /opt | wc -l', { taskDir: task.dir });
    assert.equal(without.stdout.trim(), '0');
  } finally {
    layer.remove();
  }
});

test('destroy: the runtime gets SIGTERM before SIGKILL', { skip }, async () => {
  const sb = await spawnSandbox(options({ taskDir: task.dir, args: ['-c', 'trap "echo got-term; exit 0" TERM; echo up; while :; do sleep 0.02; done'] }), caps);
  let out = '';
  sb.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  while (!out.includes('up')) await sleep(5);
  await sb.destroy(3000);
  assert.match(out, /got-term/);
  assert.deepEqual(await sb.exited, { code: 0, signal: null });
});

test('spawnSandbox: a setup failure rejects with the reason', { skip }, async () => {
  await assert.rejects(spawnSandbox(options({ taskDir: '/nonexistent/stratus/task' }), caps), /sandbox setup failed.*nonexistent/s);
});
