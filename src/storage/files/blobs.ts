/**
 * The embedded BlobStore: one file per blob under `<dir>/`, fanned out as
 * `<h0h1>/<h2h3>/<sha256(key) hex>`. Hashing the key makes any key safe (`/`,
 * `..`, unicode, very long keys) and no key can name a path outside the
 * directory. A write streams into `<dir>/.tmp/<pid>.<random>.<host>` on the
 * same filesystem, fsyncs the file, renames it over the final name (atomic on
 * POSIX, https://pubs.opengroup.org/onlinepubs/9699919799/functions/rename.html)
 * and fsyncs the directory, so a reader sees the old blob or the whole new one
 * and a failed or aborted stream leaves nothing visible. Reads open the file
 * first and stream from that descriptor, so an overwrite or delete during a
 * read never mixes two versions.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { BlobInfo, BlobStore } from '../types.js';

export interface FileBlobStoreOptions {
  /**
   * true (default): fsync the directory after each rename/unlink, so a
   * resolved write survives power loss. false: the file itself is still
   * fsynced before the rename (a visible blob is never torn), but the rename
   * may roll back on power loss. Either way a process crash loses nothing.
   */
  syncDirectories?: boolean;
}

export const TEMP_DIR = '.tmp';
/** A temp file untouched for this long belongs to no live write. */
const STALE_TEMP_MS = 60 * 60 * 1000;
const HASH_NAME = /^[0-9a-f]{64}$/;
const FAN_NAME = /^[0-9a-f]{2}$/;

/** Temp files of writes in flight in this process, across all store instances. */
const inflight = new Set<string>();
const HOST = hostname().replace(/[^A-Za-z0-9.-]/g, '-') || 'localhost';

function code(err: unknown): string | undefined {
  return (err as { code?: string } | null)?.code;
}

async function fsyncDir(dir: string): Promise<void> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(dir, 'r');
    await fh.sync();
  } catch (err) {
    // Gone (wiped by a concurrent reset) or a platform that cannot fsync directories.
    if (!['ENOENT', 'EISDIR', 'EPERM', 'EINVAL', 'EBADF', 'EACCES'].includes(code(err) ?? '')) throw err;
  } finally {
    await fh?.close();
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return code(err) === 'EPERM';
  }
}

/** Bytes gathered before one writev: few syscalls for tiny chunks, bounded memory. */
const WRITE_BATCH = 1024 * 1024;
/** Chunk size of streamed reads: fewer thread-pool round trips than the 64 KiB default. */
const READ_CHUNK = 1024 * 1024;
/** Ranges up to this size are read in one call instead of through a file stream (which would hold as much anyway). */
const SMALL_READ = READ_CHUNK;

async function writeAll(fh: FileHandle, buffers: Buffer[]): Promise<void> {
  while (buffers.length > 0) {
    const { bytesWritten } = await fh.writev(buffers);
    const rest = skip(buffers, bytesWritten);
    if (bytesWritten === 0 && rest.length === buffers.length) throw new Error('blob write made no progress');
    buffers = rest;
  }
}

/**
 * Copies `source` into `fh`. One batch is written while the next is gathered
 * (the disk and the network overlap), and the source is pulled no further
 * until that write is done (backpressure: at most two batches in memory,
 * whatever the size). The async iterator rejects if the source errors or is
 * destroyed before its end.
 */
async function pump(source: Readable, fh: FileHandle): Promise<number> {
  let size = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let writing: Promise<void> | undefined;
  const flush = async (): Promise<void> => {
    const buffers = pending;
    pending = [];
    pendingBytes = 0;
    if (writing) await writing;
    writing = buffers.length > 0 ? writeAll(fh, buffers) : undefined;
    // Its failure surfaces at the next flush; until then it must not count as unhandled.
    writing?.catch(() => undefined);
  };
  // destroyOnReturn: false leaves the caller's stream alive when *we* fail
  // (e.g. ENOSPC), so an HTTP handler can still answer on the same socket.
  const chunks: AsyncIterable<unknown> = typeof source.iterator === 'function' ? source.iterator({ destroyOnReturn: false }) : source;
  try {
    for await (const chunk of chunks) {
      const buf = Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array);
      size += buf.length;
      pending.push(buf);
      pendingBytes += buf.length;
      if (pendingBytes >= WRITE_BATCH || pending.length >= 1024) await flush();
    }
    await flush();
    await writing;
  } catch (err) {
    // The caller closes the file next: let a write in flight settle first.
    await writing?.catch(() => undefined);
    throw err;
  }
  return size;
}

/** What is left of `buffers` after a short write of `n` bytes. */
function skip(buffers: Buffer[], n: number): Buffer[] {
  let i = 0;
  while (i < buffers.length && n >= buffers[i]!.length) n -= buffers[i++]!.length;
  const rest = buffers.slice(i);
  if (n > 0 && rest.length > 0) rest[0] = rest[0]!.subarray(n);
  return rest;
}

/**
 * A small range read whole, then served from memory: one read instead of a
 * file stream's stat, reads and close. A short read is the end of the file,
 * which is what an end past the last byte means.
 */
async function readSmall(fh: FileHandle, range: { start: number; end: number }): Promise<Readable> {
  try {
    const want = range.end - range.start + 1;
    const buf = Buffer.allocUnsafe(want);
    let n = 0;
    while (n < want) {
      const { bytesRead } = await fh.read(buf, n, want - n, range.start + n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return Readable.from(n > 0 ? [buf.subarray(0, n)] : [], { objectMode: false });
  } finally {
    await fh.close();
  }
}

function validateRange(range: { start: number; end: number }): void {
  const { start, end } = range;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`invalid byte range ${start}-${end}`);
  }
}

export class FileBlobStore implements BlobStore {
  readonly dir: string;
  private readonly tmpDir: string;
  private readonly syncDirectories: boolean;
  /**
   * One bit per fan-out directory (by the hash's first 4 hex digits) this store
   * has made or seen: a write there skips mkdir. A rename that meets ENOENT
   * (a reset removed it) makes it again.
   */
  private readonly madeDirs = new Uint8Array(65536 / 8);

  private constructor(dir: string, syncDirectories: boolean) {
    this.dir = dir;
    this.tmpDir = join(dir, TEMP_DIR);
    this.syncDirectories = syncDirectories;
  }

  /** Creates the directory if needed and removes temp files left by dead writers. */
  static async open(dir: string, options: FileBlobStoreOptions = {}): Promise<FileBlobStore> {
    const store = new FileBlobStore(dir, options.syncDirectories ?? true);
    await mkdir(store.tmpDir, { recursive: true });
    for (const name of await store.staleTempFiles()) await rm(join(store.tmpDir, name), { force: true });
    return store;
  }

  /** The file that holds `key` (exposed for diagnostics and tests). */
  pathOf(key: string): string {
    if (typeof key !== 'string') throw new TypeError('blob key must be a string');
    const h = createHash('sha256').update(key, 'utf8').digest('hex');
    return join(this.dir, h.slice(0, 2), h.slice(2, 4), h);
  }

  async write(key: string, data: Readable | Buffer): Promise<BlobInfo> {
    const final = this.pathOf(key);
    const tmp = join(this.tmpDir, `${process.pid}.${randomBytes(12).toString('hex')}.${HOST}`);
    inflight.add(tmp);
    let fh: FileHandle | undefined;
    try {
      fh = await open(tmp, 'wx', 0o644);
      let size: number;
      if (Buffer.isBuffer(data)) {
        await fh.writeFile(data);
        size = data.length;
      } else {
        size = await pump(data, fh);
      }
      await fh.sync();
      await fh.close();
      fh = undefined;
      await this.place(tmp, final);
      return { size };
    } catch (err) {
      await fh?.close().catch(() => undefined);
      await rm(tmp, { force: true });
      throw err;
    } finally {
      inflight.delete(tmp);
    }
  }

  private async place(tmp: string, final: string): Promise<void> {
    const dir = dirname(final);
    const fan = parseInt(basename(final).slice(0, 4), 16);
    const known = (this.madeDirs[fan >> 3]! & (1 << (fan & 7))) !== 0;
    let created = known ? undefined : await mkdir(dir, { recursive: true });
    try {
      await rename(tmp, final);
    } catch (err) {
      // A reset (here or in another process) removed the fan-out directory.
      if (code(err) !== 'ENOENT') throw err;
      created = (await mkdir(dir, { recursive: true })) ?? created;
      await rename(tmp, final);
    }
    this.madeDirs[fan >> 3]! |= 1 << (fan & 7);
    if (!this.syncDirectories) return;
    await fsyncDir(dir);
    // New fan-out directories are entries in their parents: make those durable too.
    if (created) {
      for (let d = dirname(dir); d.length >= dirname(created).length && d.startsWith(this.dir); d = dirname(d)) await fsyncDir(d);
    }
  }

  async read(key: string, range?: { start: number; end: number }): Promise<Readable | undefined> {
    if (range) validateRange(range);
    let fh: FileHandle;
    try {
      fh = await open(this.pathOf(key), 'r');
    } catch (err) {
      if (code(err) === 'ENOENT') return undefined;
      throw err;
    }
    if (!range) return fh.createReadStream({ highWaterMark: READ_CHUNK });
    if (range.end - range.start < SMALL_READ) return readSmall(fh, range);
    // HTTP semantics: an end past the last byte means "to the end".
    const { size } = await fh.stat().catch(async (err: unknown) => {
      await fh.close();
      throw err;
    });
    const end = Math.min(range.end, size - 1);
    if (range.start > end) {
      await fh.close();
      return Readable.from([]);
    }
    return fh.createReadStream({ start: range.start, end, highWaterMark: READ_CHUNK });
  }

  async stat(key: string): Promise<BlobInfo | undefined> {
    try {
      const s = await stat(this.pathOf(key));
      return { size: s.size };
    } catch (err) {
      if (code(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (err) {
      if (code(err) === 'ENOENT') return;
      throw err;
    }
    if (this.syncDirectories) await fsyncDir(dirname(path));
  }

  /**
   * Removes every blob. Each blob disappears atomically (unlink); open readers
   * keep reading their descriptor. Writes in flight are left to land.
   */
  async clear(): Promise<void> {
    this.madeDirs.fill(0);
    for (const name of await readdir(this.dir)) {
      if (name === TEMP_DIR) continue;
      await rm(join(this.dir, name), { recursive: true, force: true, maxRetries: 5 });
    }
    if (this.syncDirectories) await fsyncDir(this.dir);
  }

  /** Temp-file names in `.tmp` that no live write owns. */
  private async staleTempFiles(): Promise<string[]> {
    const stale: string[] = [];
    const now = Date.now();
    for (const name of await readdir(this.tmpDir)) {
      const path = join(this.tmpDir, name);
      const m = /^(\d+)\.[0-9a-f]+\.(.+)$/s.exec(name);
      let owned: boolean;
      if (!m) owned = false;
      else if (m[2] !== HOST) owned = true; // another machine's (or container's) writer: only age tells
      else if (Number(m[1]) === process.pid) owned = inflight.has(path);
      else owned = Number(m[1]) > 0 && pidAlive(Number(m[1]));
      if (owned) {
        const mtime = await stat(path).then((s) => s.mtimeMs, () => undefined);
        if (mtime === undefined) continue; // finished meanwhile
        owned = now - mtime < STALE_TEMP_MS;
      }
      if (!owned) stale.push(name);
    }
    return stale;
  }

  /** Leftover temp files and entries that do not fit the fan-out layout. */
  async integrityProblems(): Promise<string[]> {
    const problems: string[] = [];
    for (const name of await this.staleTempFiles()) problems.push(`blobs: leftover temp file ${TEMP_DIR}/${name}`);
    for (const a of await readdir(this.dir, { withFileTypes: true })) {
      if (a.name === TEMP_DIR) continue;
      if (!a.isDirectory() || !FAN_NAME.test(a.name)) {
        problems.push(`blobs: unexpected entry ${a.name}`);
        continue;
      }
      for (const b of await readdir(join(this.dir, a.name), { withFileTypes: true })) {
        const rel = `${a.name}/${b.name}`;
        if (!b.isDirectory() || !FAN_NAME.test(b.name)) {
          problems.push(`blobs: unexpected entry ${rel}`);
          continue;
        }
        for (const f of await readdir(join(this.dir, rel), { withFileTypes: true })) {
          if (!f.isFile() || !HASH_NAME.test(f.name) || f.name.slice(0, 4) !== a.name + b.name) problems.push(`blobs: unexpected entry ${rel}/${f.name}`);
        }
      }
    }
    return problems;
  }
}
