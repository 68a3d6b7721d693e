/**
 * Deployment packages: unpacked once per CodeSha256, modes kept (an executable bootstrap stays
 * executable), read-only, and no entry may land outside the package (zip-slip).
 */
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readFile, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FileBlobStore } from '../storage/files/blobs.js';
import { CodeError, ensureCode, linkTree, removeTree, unzipInto } from './code.js';
import { makeZip, sha256Base64 } from './test-support.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stratus-code-test-'));
});
after(() => removeTree(dir));

test('ensureCode: unpacks once per CodeSha256, keeps modes and drops write bits', async () => {
  const blobs = await FileBlobStore.open(join(dir, 'blobs'), { syncDirectories: false });
  const zip = makeZip({ 'bootstrap': { data: '#!/bin/sh\n', mode: 0o755 }, 'lib/': '', 'lib/data.json': '{"a":1}', 'lib/link': { data: 'data.json', symlink: true } });
  const sha = sha256Base64(zip);
  await blobs.write('code/x', zip);
  const [a, b] = await Promise.all([ensureCode(blobs, join(dir, 'work'), 'code/x', sha), ensureCode(blobs, join(dir, 'work'), 'code/x', sha)]);
  assert.equal(a, b);
  assert.equal(a, join(dir, 'work', 'code', Buffer.from(sha, 'base64').toString('hex')));
  assert.equal((await stat(join(a, 'bootstrap'))).mode & 0o777, 0o555);
  assert.equal((await stat(join(a, 'lib/data.json'))).mode & 0o777, 0o444);
  assert.equal((await stat(join(a, 'lib'))).mode & 0o777, 0o555);
  assert.equal(await readlink(join(a, 'lib/link')), 'data.json');
  assert.equal(await readFile(join(a, 'lib/link'), 'utf8'), '{"a":1}');
  await assert.rejects(ensureCode(blobs, join(dir, 'work'), 'code/missing', 'nope'), CodeError);
});

test('unzipInto: entries escaping the package are refused (zip-slip)', async () => {
  for (const [name, files] of [
    ['dot-dot', { '../evil.txt': 'x' }],
    ['absolute', { '/tmp/evil.txt': 'x' }],
    ['symlink out', { 'out': { data: '../../../etc/passwd', symlink: true } }],
    ['absolute symlink', { 'out': { data: '/etc/passwd', symlink: true } }],
  ] as const) {
    const dest = await mkdtemp(join(dir, 'slip-'));
    await assert.rejects(unzipInto(makeZip(files as never), dest), CodeError, name);
    await assert.rejects(lstat(join(dir, 'evil.txt')), { code: 'ENOENT' });
    await rm(dest, { recursive: true, force: true });
  }
  await assert.rejects(unzipInto(Buffer.from('not a zip'), dir), CodeError);
});

test('linkTree: mirrors a package with hard links and world-readable directories', async () => {
  const src = await mkdtemp(join(dir, 'src-'));
  await unzipInto(makeZip({ 'a/b/c.txt': 'deep', 'top.js': 'x', 'l': { data: 'top.js', symlink: true } }), src);
  const dst = join(dir, 'linked');
  await linkTree(src, dst);
  assert.equal(await readFile(join(dst, 'a/b/c.txt'), 'utf8'), 'deep');
  assert.equal((await stat(join(dst, 'top.js'))).ino, (await stat(join(src, 'top.js'))).ino);
  assert.equal((await stat(join(dst, 'a'))).mode & 0o777, 0o755);
  assert.equal(await readlink(join(dst, 'l')), 'top.js');
});
