import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fnScript, fstab, fstabEscape, hostArgv, rootScript, shq, type LaunchPlan } from './script.js';

const tools = { sh: '/bin/sh', unshare: '/usr/bin/unshare', setpriv: '/usr/bin/setpriv', mount: '/usr/bin/mount' };

test('shq: any string survives a real shell unchanged', () => {
  const nasty = [``, `plain`, `it's`, `$HOME \`id\` $(id) "q" \\ \n\t*?[a]`, `''''`, `-n`, `é ☃`];
  for (const s of nasty) {
    const out = spawnSync('/bin/sh', ['-c', `printf '%s' ${shq(s)}`], { encoding: 'utf8' });
    assert.equal(out.stdout, s);
  }
});

test('fnScript: exports exactly the given environment and execs the runtime', () => {
  const env = { A: "x'y", PATH: '/usr/bin:/bin', EMPTY: '', MULTI: 'a\nb $c' };
  // The launcher's own environment is only PATH (hostArgv's callers); printf to fd 0 fails on spawnSync's pipe, the rest runs.
  const out = spawnSync('/bin/sh', ['-s'], { input: fnScript('/usr/bin/env', ['-0'], env), encoding: 'utf8', env: { PATH: '/bin' }, cwd: '/tmp' });
  const seen = Object.fromEntries(out.stdout.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  assert.deepEqual(seen, env);
});

test('fnScript: rejects names a shell cannot export', () => {
  assert.throws(() => fnScript('/bin/true', [], { 'A-B': '1' }), TypeError);
  assert.throws(() => fnScript('/bin/true', [], { '1A': '1' }), TypeError);
});

test('fstabEscape: whitespace and backslashes become octal escapes', () => {
  assert.equal(fstabEscape('/a b\tc\\d\ne'), '/a\\040b\\011c\\134d\\012e');
});

test('fstab: binds come before masks, masks deepest first, the private /tmp last', () => {
  const rows = fstab({
    taskDir: '/data/fn code',
    tmpSizeMb: 512,
    shmSizeMb: 128,
    hide: [{ path: '/data', dir: true }, { path: '/data/secret/deeper', dir: true }, { path: '/etc/key', dir: false }],
    readOnly: [{ path: '/', flags: ['rw', 'relatime'] }, { path: '/srv/my disk', flags: ['rw', 'noexec', 'noatime'] }],
  }).trim().split('\n').map((r) => r.split(' ').slice(0, 2).join(' '));
  assert.deepEqual(rows, [
    'stratus-ro /.',
    'stratus-ro /srv/my\\040disk',
    '/data/fn\\040code /var/task',
    'stratus-opt /opt',
    'stratus-hidden /data/secret/deeper',
    '/dev/null /etc/key',
    'stratus-hidden /data',
    'stratus-tmp /tmp',
    'stratus-shm /dev/shm',
  ]);
});

test('fstab: read-only remounts keep the locked per-mount flags', () => {
  const row = fstab({ taskDir: '/t', tmpSizeMb: 1, hide: [], readOnly: [{ path: '/srv', flags: ['rw', 'noexec', 'noatime'] }] }).split('\n')[0];
  assert.equal(row, 'stratus-ro /srv none remount,bind,ro,nosuid,nodev,noexec,noatime 0 0');
});

test('hostArgv: root, user-namespace and no-namespace launches', () => {
  const plan: LaunchPlan = { tools, namespaces: 'root', cgroupProcs: [], fstabPath: '/tmp/f', drop: { uid: 999, gid: 995 } };
  assert.deepEqual(hostArgv(plan).slice(0, 5), ['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--', '/usr/bin/unshare']);
  assert.ok(hostArgv({ ...plan, namespaces: 'user' }).includes('--map-root-user'));
  assert.deepEqual(hostArgv({ ...plan, namespaces: false }), ['/usr/bin/setpriv', '--pdeathsig', 'KILL', '--', '/bin/sh', '-s']);
});

test('rootScript: joins the cgroups before mounting or starting anything', () => {
  const script = rootScript({ tools, namespaces: 'root', cgroupProcs: ['/cg/memory/x/cgroup.procs', '/cg/pids/x/cgroup.procs'], fstabPath: '/tmp/f', drop: { uid: 999, gid: 995 } });
  const lines = script.split('\n');
  const firstJoin = lines.findIndex((l) => l.includes('cgroup.procs'));
  const mount = lines.findIndex((l) => l.includes("'/usr/bin/mount'"));
  const launch = lines.findIndex((l) => l.includes('--reuid=999'));
  assert.ok(firstJoin >= 0 && firstJoin < mount && mount < launch, script);
  assert.match(script, /--no-new-privs --inh-caps=-all --bounding-set=-all/);
});
