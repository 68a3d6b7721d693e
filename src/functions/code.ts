/**
 * Deployment packages (global): a function's zip, read from the BlobStore, is unpacked once per
 * CodeSha256 into `<workDir>/code/<sha hex>` and shared, read-only, by every environment built from
 * it (https://docs.aws.amazon.com/lambda/latest/dg/configuration-function-zip.html). Unix modes
 * recorded in the zip are kept, so an executable `bootstrap` stays executable; write bits are
 * dropped, as /var/task is read-only on Lambda. Entries that would land outside the directory
 * (absolute names, `..`, or a path through a symlink of the archive: zip-slip) are refused, and
 * symlinks are created last, pointing only within the package. The unpack goes to a temporary
 * directory renamed into place, so a crash never leaves a half-filled code directory behind.
 */
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, link, lstat, mkdir, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import yauzl from 'yauzl';
import type { BlobStore } from '../storage/types.js';

/** Lambda's limit on unzipped code (250 MB), which also bounds a zip bomb. */
export const MAX_UNZIPPED_BYTES = 250 * 1024 * 1024;

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

export class CodeError extends Error {}

const inflight = new Map<string, Promise<string>>();

/** A directory name for a CodeSha256 (base64, as Lambda reports it; any other string is hashed-safe). */
export function codeDirName(codeSha256: string): string {
  const raw = Buffer.from(codeSha256, 'base64');
  if (raw.length === 32) return raw.toString('hex');
  return codeSha256.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 128) || 'empty';
}

/** Returns the directory holding the unpacked package, unpacking it on first use. */
export function ensureCode(blobs: BlobStore, workDir: string, blobKey: string, codeSha256: string): Promise<string> {
  const dir = join(workDir, 'code', codeDirName(codeSha256));
  let p = inflight.get(dir);
  if (!p) {
    p = unpackOnce(blobs, blobKey, dir).finally(() => inflight.delete(dir));
    inflight.set(dir, p);
  }
  return p;
}

async function unpackOnce(blobs: BlobStore, blobKey: string, dir: string): Promise<string> {
  if (await lstat(dir).then((s) => s.isDirectory(), () => false)) return dir;
  const stream = await blobs.read(blobKey);
  if (!stream) throw new CodeError(`code blob ${blobKey} is missing`);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const tmp = `${dir}.tmp-${randomBytes(6).toString('hex')}`;
  await mkdir(tmp, { recursive: true });
  try {
    await unzipInto(Buffer.concat(chunks), tmp);
    await makeReadOnly(tmp);
    try {
      await rename(tmp, dir);
    } catch (err) {
      // Another process unpacked the same code meanwhile: theirs is identical.
      if (!['ENOTEMPTY', 'EEXIST'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
      await removeTree(tmp);
    }
    return dir;
  } catch (err) {
    await removeTree(tmp);
    throw err;
  }
}

/** Unpacks a zip held in memory into `dest` (which must exist). Exported for tests. */
export async function unzipInto(zip: Buffer, dest: string): Promise<void> {
  const root = resolve(dest);
  const zipfile = await new Promise<yauzl.ZipFile>((ok, fail) =>
    yauzl.fromBuffer(zip, { lazyEntries: true, decodeStrings: true, validateEntrySizes: true }, (err, zf) => (err ? fail(new CodeError(`invalid zip: ${err.message}`)) : ok(zf!))),
  );
  const links: { path: string; target: string }[] = [];
  let total = 0;
  const inside = (name: string): string => {
    const target = resolve(root, name);
    if (isAbsolute(name) || (target !== root && !target.startsWith(root + sep))) throw new CodeError(`zip entry escapes the package: ${name}`);
    return target;
  };
  await new Promise<void>((ok, fail) => {
    const failWith = (err: unknown) => {
      zipfile.close();
      fail(err instanceof CodeError ? err : new CodeError(`invalid zip: ${(err as Error).message}`));
    };
    zipfile.on('error', failWith);
    zipfile.on('end', ok);
    zipfile.on('entry', (entry: yauzl.Entry) => {
      void (async () => {
        const target = inside(entry.fileName);
        const unixMode = (entry.versionMadeBy >> 8) === 3 ? entry.externalFileAttributes >>> 16 : 0;
        const type = unixMode & S_IFMT;
        if (entry.fileName.endsWith('/') || type === S_IFDIR) {
          await mkdir(target, { recursive: true });
          return;
        }
        total += entry.uncompressedSize;
        if (total > MAX_UNZIPPED_BYTES) throw new CodeError(`unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
        const data = await readEntry(zipfile, entry);
        if (type === S_IFLNK) {
          links.push({ path: target, target: data.toString('utf8') });
          return;
        }
        await mkdir(dirname(target), { recursive: true });
        await writeFile(target, data, { mode: (unixMode & 0o777) || 0o644 });
      })().then(() => zipfile.readEntry(), failWith);
    });
    zipfile.readEntry();
  });
  for (const link of links) {
    const resolved = resolve(dirname(link.path), link.target);
    if (isAbsolute(link.target) || (resolved !== root && !resolved.startsWith(root + sep))) throw new CodeError(`zip symlink points outside the package: ${relative(root, link.path)}`);
    await mkdir(dirname(link.path), { recursive: true });
    await symlink(link.target, link.path);
  }
  // A file written through a directory the archive declared as a symlink would have escaped;
  // links are created last, so no write above went through one.
}

function readEntry(zipfile: yauzl.ZipFile, entry: yauzl.Entry): Promise<Buffer> {
  return new Promise((ok, fail) => {
    zipfile.openReadStream(entry, (err, stream) => {
      if (err || !stream) return fail(err ?? new Error('no stream'));
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('error', fail);
      stream.on('end', () => ok(Buffer.concat(parts)));
    });
  });
}

/** Drops write bits everywhere (directories keep r-x so the tree stays readable). */
async function makeReadOnly(dir: string): Promise<void> {
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isSymbolicLink()) continue;
    if (e.isDirectory()) {
      await makeReadOnly(p);
      await chmod(p, 0o555);
    } else {
      const s = await lstat(p);
      await chmod(p, s.mode & 0o555);
    }
  }
  await chmod(dir, 0o555);
}

/** Removes a tree made read-only by makeReadOnly (write bits are needed to unlink entries as non-root). */
export async function removeTree(dir: string): Promise<void> {
  const walk = async (d: string): Promise<void> => {
    await chmod(d, 0o755).catch(() => undefined);
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) if (e.isDirectory()) await walk(join(d, e.name));
  };
  await walk(dir);
  await rm(dir, { recursive: true, force: true });
}

/**
 * Mirrors a tree (or only `names` of its top level) into `dst` with hard links (one inode per
 * file, shared read-only; copies across file systems), directories 755 so the sandbox's function
 * user can read them.
 */
export async function linkTree(src: string, dst: string, names?: string[]): Promise<void> {
  await mkdir(dst, { recursive: true });
  await chmod(dst, 0o755);
  const entries = (await readdir(src, { withFileTypes: true })).filter((e) => !names || names.includes(e.name));
  await Promise.all(
    entries.map(async (e) => {
      const from = join(src, e.name);
      const to = join(dst, e.name);
      if (e.isDirectory()) await linkTree(from, to);
      else if (e.isSymbolicLink()) await symlink(await readlink(from), to);
      else
        await link(from, to).catch(async (err: NodeJS.ErrnoException) => {
          if (err.code !== 'EXDEV' && err.code !== 'EPERM') throw err;
          await copyFile(from, to);
        });
    }),
  );
}
