/**
 * File-specific behaviour of the embedded BlobStore beyond the shared
 * contract: the hashed fan-out layout, temp-file hygiene at open and in
 * integrity checks, and readers pinned to the descriptor they opened.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readAll } from '../contract.js';
import { FileBlobStore, TEMP_DIR } from './blobs.js';

let root: string;
let dir: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'stratus-blobs-'));
  dir = join(root, 'blobs');
});
afterEach(async () => rm(root, { recursive: true, force: true }));

async function filesUnder(d: string): Promise<string[]> {
  const entries = await readdir(d, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(d, join(e.parentPath, e.name)));
}

const host = hostname().replace(/[^A-Za-z0-9.-]/g, '-') || 'localhost';

describe('FileBlobStore', () => {
  it('pathOf: fans keys out by hash and never leaves the directory', async () => {
    const s = await FileBlobStore.open(dir);
    for (const key of ['../../escape', '/etc/passwd', '..', 'a/../../../b', '\\..\\..\\x']) {
      const p = s.pathOf(key);
      assert.ok(p.startsWith(dir + sep), p);
      assert.match(relative(dir, p), /^[0-9a-f]{2}[/\\][0-9a-f]{2}[/\\][0-9a-f]{64}$/);
      await s.write(key, Buffer.from(key));
    }
    assert.deepEqual(await readdir(root), ['blobs']);
    assert.equal((await filesUnder(dir)).length, 5);
  });

  it('write: an aborted stream leaves no temp file', async () => {
    const s = await FileBlobStore.open(dir);
    const source = Readable.from(
      (async function* () {
        yield Buffer.alloc(100_000, 1);
        throw new Error('client went away');
      })(),
    );
    await assert.rejects(s.write('k', source), /client went away/);
    assert.deepEqual(await readdir(join(dir, TEMP_DIR)), []);
    assert.deepEqual(await filesUnder(dir), []);
    assert.deepEqual(await s.integrityProblems(), []);
  });

  it('read: a stream opened before an overwrite or delete keeps reading the old blob', async () => {
    const s = await FileBlobStore.open(dir);
    const old = Buffer.alloc(1_000_000, 'a');
    await s.write('k', old);
    const reading = (await s.read('k'))!;
    await s.write('k', Buffer.alloc(10, 'b'));
    const ranged = (await s.read('k', { start: 2, end: 4 }))!;
    await s.delete('k');
    assert.deepEqual(await readAll(reading), old);
    assert.deepEqual(await readAll(ranged), Buffer.from('bbb'));
  });

  it('read: refuses malformed ranges and returns nothing past the end', async () => {
    const s = await FileBlobStore.open(dir);
    await s.write('k', Buffer.from('0123456789'));
    await assert.rejects(s.read('k', { start: 5, end: 4 }), RangeError);
    await assert.rejects(s.read('k', { start: -1, end: 4 }), RangeError);
    await assert.rejects(s.read('k', { start: 0.5, end: 4 }), RangeError);
    assert.deepEqual(await readAll((await s.read('k', { start: 10, end: 20 }))!), Buffer.alloc(0));
  });

  it('open: removes temp files of dead or unknown writers and keeps live ones', async () => {
    const tmp = join(dir, TEMP_DIR);
    await mkdir(tmp, { recursive: true });
    const deadPid = 2 ** 22 + 12345; // above Linux's pid_max default: never alive
    const names = {
      dead: `${deadPid}.abcdef.${host}`,
      garbage: 'not-ours',
      liveParent: `${process.ppid}.abcdef.${host}`,
      otherHostFresh: `4242.abcdef.some-other-host`,
      otherHostOld: `4243.abcdef.some-other-host`,
    };
    for (const name of Object.values(names)) await writeFile(join(tmp, name), 'partial');
    const old = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(join(tmp, names.otherHostOld), old, old);

    const s = await FileBlobStore.open(dir);
    assert.deepEqual((await readdir(tmp)).sort(), [names.liveParent, names.otherHostFresh].sort());
    assert.deepEqual(await s.integrityProblems(), []);
  });

  it('integrityProblems: reports leftover temp files and entries outside the layout', async () => {
    const s = await FileBlobStore.open(dir);
    await s.write('ok', Buffer.from('fine'));
    await writeFile(join(dir, TEMP_DIR, `${process.pid}.0123.${host}`), 'leftover');
    await writeFile(join(dir, 'stray.txt'), 'x');
    const problems = await s.integrityProblems();
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0]!, /leftover temp file/);
    assert.match(problems[1]!, /unexpected entry stray\.txt/);
  });

  it('clear: removes every blob and leaves the store usable', async () => {
    const s = await FileBlobStore.open(dir);
    for (let i = 0; i < 20; i++) await s.write(`k${i}`, Buffer.from(`v${i}`));
    await s.clear();
    assert.deepEqual(await filesUnder(dir), []);
    assert.equal(await s.stat('k1'), undefined);
    await s.write('k1', Buffer.from('again'));
    assert.deepEqual(await s.stat('k1'), { size: 5 });
  });

  it('write: with syncDirectories off, blobs still land whole', async () => {
    const s = await FileBlobStore.open(dir, { syncDirectories: false });
    await s.write('a/b', Readable.from([Buffer.from('x'), Buffer.from('y')]));
    assert.deepEqual(await readAll((await s.read('a/b'))!), Buffer.from('xy'));
  });
});
