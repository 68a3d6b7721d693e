import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import { MAX_PRE_DATA_BYTES, multipartBoundary, parseHeaderValue, readMultipartHead, type FormHead } from './multipart-form.js';
import { isServiceError } from '../../core/errors.js';

const B = '----WebKitFormBoundaryx7Hq2LpZ';

interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
  type?: string;
}

function body(parts: Part[], boundary = B, opts: { preamble?: string; epilogue?: string; close?: boolean } = {}): Buffer {
  const chunks: Buffer[] = [Buffer.from(opts.preamble ?? '')];
  for (const p of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) head += `; filename="${p.filename}"`;
    head += '\r\n';
    if (p.type) head += `Content-Type: ${p.type}\r\n`;
    chunks.push(Buffer.from(`${head}\r\n`), Buffer.from(p.value), Buffer.from('\r\n'));
  }
  if (opts.close !== false) chunks.push(Buffer.from(`--${boundary}--\r\n${opts.epilogue ?? ''}`));
  return Buffer.concat(chunks);
}

function from(chunks: Buffer[]): Readable {
  return Readable.from(chunks, { objectMode: false });
}

async function collect(stream: Readable): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const chunk of stream) out.push(chunk as Buffer);
  return Buffer.concat(out);
}

async function read(chunks: Buffer[], opts = {}): Promise<{ head: FormHead; content?: Buffer }> {
  const head = await readMultipartHead(from(chunks), B, opts);
  return { head, content: head.file ? await collect(head.file.stream) : undefined };
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    assert.ok(isServiceError(err), String(err));
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}`);
}

// File content that brushes against the delimiter without being one.
const TRICKY = Buffer.from(`a\r\n--${B.slice(0, 10)}\r\n-\r\n--${B.slice(0, -1)}Y\r\r\n\n--\r\n`);
const SMALL = body([
  { name: 'key', value: 'user/${filename}' },
  { name: 'X-Amz-Meta-Note', value: 'héllo; "quoted"\r\nsecond line' },
  { name: 'empty', value: '' },
  { name: 'file', value: TRICKY, filename: 'C:\\dir\\photo.jpg', type: 'image/jpeg' },
  { name: 'submit', value: 'Upload' },
]);

function checkSmall(head: FormHead, content: Buffer | undefined): void {
  assert.deepEqual(head.fields, [
    ['key', 'user/${filename}'],
    ['X-Amz-Meta-Note', 'héllo; "quoted"\r\nsecond line'],
    ['empty', ''],
  ]);
  assert.equal(head.file?.fileName, 'C:\\dir\\photo.jpg');
  assert.equal(head.file?.contentType, 'image/jpeg');
  assert.deepEqual(content, TRICKY);
}

test('every split of a small body into two chunks parses the same', async () => {
  for (let i = 0; i <= SMALL.length; i++) {
    const { head, content } = await read([SMALL.subarray(0, i), SMALL.subarray(i)]);
    checkSmall(head, content);
  }
});

test('one-byte chunks and every three-way split around the file parse the same', async () => {
  const bytes = [...SMALL].map((b) => Buffer.from([b]));
  const one = await read(bytes);
  checkSmall(one.head, one.content);
  const fileAt = SMALL.indexOf(TRICKY);
  for (let i = fileAt - 60; i < fileAt + TRICKY.length + 60; i += 3) {
    for (let j = i; j < fileAt + TRICKY.length + 80; j += 7) {
      const { head, content } = await read([SMALL.subarray(0, i), SMALL.subarray(i, j), SMALL.subarray(j)]);
      checkSmall(head, content);
    }
  }
});

// Forced collections make the memory samples mean something.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

test('a 50 MB file streams through without being buffered', async () => {
  const size = 50 * 1024 * 1024;
  const chunk = 64 * 1024;
  let produced = 0;
  let consumed = 0;
  let maxLag = 0;
  let peakBuffers = 0;
  const expected = createHash('md5');
  const prefix = Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="key"\r\n\r\nbig.bin\r\n--${B}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n\r\n`);
  const suffix = Buffer.from(`\r\n--${B}\r\nContent-Disposition: form-data; name="submit"\r\n\r\nUpload\r\n--${B}--\r\n`);
  async function* source() {
    yield prefix;
    for (let i = 0; produced < size; i++) {
      const n = Math.min(chunk, size - produced);
      const buf = Buffer.alloc(n, i % 251);
      buf.write(`\r\n--${B.slice(0, i % 20)}`, i % 1000);
      expected.update(buf);
      produced += n;
      maxLag = Math.max(maxLag, produced - consumed);
      if (i % 64 === 0) {
        gc();
        peakBuffers = Math.max(peakBuffers, process.memoryUsage().arrayBuffers);
      }
      yield buf;
    }
    yield suffix;
  }
  gc();
  const before = process.memoryUsage().arrayBuffers;
  const head = await readMultipartHead(Readable.from(source()), B);
  const md5 = createHash('md5');
  for await (const part of head.file!.stream) {
    md5.update(part as Buffer);
    const prev = consumed;
    consumed += (part as Buffer).length;
    // A consumer slower than the producer: only backpressure keeps the producer from running ahead.
    if (Math.floor(consumed / 262144) > Math.floor(prev / 262144)) await sleep(1);
  }
  assert.equal(consumed, size);
  assert.equal(md5.digest('hex'), expected.digest('hex'));
  assert.ok(maxLag < 2 * 1024 * 1024, `the producer ran ${maxLag} bytes ahead`);
  // V8 frees buffers' memory on a background thread, so this bound is loose; the lag above is the exact check.
  assert.ok(peakBuffers - before < 25 * 1024 * 1024, `buffers grew by ${peakBuffers - before} bytes`);
});

test('an unread file stream pauses the body', async () => {
  let pulled = 0;
  const src = new Readable({
    read() {
      if (pulled === 0) this.push(`--${B}\r\nContent-Disposition: form-data; name="file"\r\n\r\n`);
      pulled += 65536;
      this.push(Buffer.alloc(65536, 1));
    },
  });
  const head = await readMultipartHead(src, B);
  await sleep(50);
  assert.ok(pulled < 2 * 1024 * 1024, `pulled ${pulled}`);
  const before = pulled;
  let got = 0;
  for await (const part of head.file!.stream) {
    got += (part as Buffer).length;
    if (got > 4 * 1024 * 1024) break;
  }
  assert.ok(pulled > before);
  // Destroying the file stream stops the reader and leaves the body paused for the caller.
  assert.equal(src.listenerCount('data'), 0);
  assert.equal(src.isPaused(), true);
  src.destroy();
});

test('preamble, transport padding, a quoted boundary and nameless parts', async () => {
  const raw = Buffer.from(
    `ignored preamble\r\n--${B}  \t\r\n\r\nno headers at all\r\n--${B}\r\nContent-Disposition: form-data; filename="x"\r\n\r\nno name\r\n` +
      `--${B}\r\ncontent-disposition: FORM-DATA; NAME=Key\r\n\r\nk\r\n--${B}\r\nContent-Disposition: form-data; name="File"; filename="a\\"b\\\\c.txt"\r\n\r\nbody\r\n--${B}--`,
  );
  const { head, content } = await read([raw]);
  assert.deepEqual(head.fields, [['Key', 'k']]);
  assert.equal(head.file?.name, 'File');
  assert.equal(head.file?.fileName, 'a"b\\c.txt');
  assert.equal(content?.toString(), 'body');
  assert.equal(multipartBoundary(`multipart/form-data; boundary="${B}"`), B);
  assert.equal(multipartBoundary(`Multipart/Form-Data;charset=utf-8;BOUNDARY=${B}`), B);
  assert.deepEqual([...parseHeaderValue('form-data; name="a;b=c"; filename=x.txt').params], [
    ['name', 'a;b=c'],
    ['filename', 'x.txt'],
  ]);
});

test('a form a WHATWG FormData serializes (what a browser sends) parses', async () => {
  const fd = new FormData();
  fd.append('key', 'uploads/${filename}');
  fd.append('x-amz-meta-line', 'a\nb'); // a browser normalizes to CRLF
  fd.append('file', new Blob([Buffer.from('\x00\x01binary\r\n--')], { type: 'application/octet-stream' }), 'dir/na"me.bin');
  fd.append('after', 'ignored');
  const req = new Request('http://localhost/', { method: 'POST', body: fd });
  const boundary = multipartBoundary(req.headers.get('content-type')!);
  const head = await readMultipartHead(from([Buffer.from(await req.arrayBuffer())]), boundary);
  assert.deepEqual(head.fields, [
    ['key', 'uploads/${filename}'],
    ['x-amz-meta-line', 'a\r\nb'],
  ]);
  assert.equal(head.file?.fileName, 'dir/na%22me.bin');
  assert.equal(head.file?.contentType, 'application/octet-stream');
  assert.equal((await collect(head.file!.stream)).toString('latin1'), '\x00\x01binary\r\n--');
});

test('S3 errors: not multipart, no boundary, truncated bodies', async () => {
  for (const ct of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'multipart/mixed; boundary=x']) {
    const err = await rejectsWith(Promise.resolve().then(() => multipartBoundary(ct)), 'PreconditionFailed');
    assert.equal((err as { status?: number }).status, 412);
    assert.deepEqual((err as { fields?: unknown }).fields, { Condition: 'Bucket POST must be of the enclosure-type multipart/form-data' });
  }
  await rejectsWith(Promise.resolve().then(() => multipartBoundary('multipart/form-data')), 'MalformedPOSTRequest');
  await rejectsWith(Promise.resolve().then(() => multipartBoundary(`multipart/form-data; boundary=${'x'.repeat(71)}`)), 'MalformedPOSTRequest');
  // Ends inside a field, and ends with no boundary at all.
  await rejectsWith(readMultipartHead(from([SMALL.subarray(0, 80)]), B), 'MalformedPOSTRequest');
  await rejectsWith(readMultipartHead(from([Buffer.from('just text')]), B), 'MalformedPOSTRequest');
  await rejectsWith(readMultipartHead(from([Buffer.from(`--${B}junk\r\n`)]), B), 'MalformedPOSTRequest');
  // Ends inside the file: the file stream fails, so no partial object is stored.
  const cut = SMALL.indexOf(TRICKY) + 5;
  const head = await readMultipartHead(from([SMALL.subarray(0, cut)]), B);
  await rejectsWith(collect(head.file!.stream), 'MalformedPOSTRequest');
  // A form with no file part resolves without one (the caller answers S3's error).
  const none = await read([body([{ name: 'key', value: 'k' }])]);
  assert.equal(none.head.file, undefined);
  assert.deepEqual(none.head.fields, [['key', 'k']]);
});

test('the fields before the file may take 20480 bytes, boundaries and headers included', async () => {
  const make = (pad: number) =>
    Buffer.concat([
      Buffer.from(`--${B}\r\nContent-Disposition: form-data; name="pad"\r\n\r\n${'p'.repeat(pad)}\r\n--${B}\r\nContent-Disposition: form-data; name="file"\r\n\r\n`),
      Buffer.from(`data\r\n--${B}--\r\n`),
    ]);
  const overhead = make(0).length - `data\r\n--${B}--\r\n`.length;
  const exact = make(MAX_PRE_DATA_BYTES - overhead);
  for (const chunks of [[exact], [...exact].map((b) => Buffer.from([b]))]) {
    const ok = await read(chunks);
    assert.equal(ok.content?.toString(), 'data');
  }
  const over = make(MAX_PRE_DATA_BYTES - overhead + 1);
  for (const chunks of [[over], [...over].map((b) => Buffer.from([b]))]) {
    const err = await rejectsWith(read(chunks), 'MaxPostPreDataLengthExceeded');
    assert.equal(err.message, 'Your POST request fields preceeding the upload file was too large.');
    assert.deepEqual((err as { fields?: unknown }).fields, { MaxPostPreDataLengthBytes: 20480 });
  }
  // A huge form without a file is refused before it is buffered.
  let pulled = 0;
  const endless = new Readable({
    read() {
      pulled += 4096;
      this.push(pulled === 4096 ? `--${B}\r\nContent-Disposition: form-data; name="x"\r\n\r\n` : Buffer.alloc(4096, 0x61));
    },
  });
  await rejectsWith(readMultipartHead(endless, B), 'MaxPostPreDataLengthExceeded');
  assert.ok(pulled < 100_000);
  endless.destroy();
  // A smaller limit, when the caller asks for one.
  await rejectsWith(read([SMALL], { maxPreDataBytes: 100 }), 'MaxPostPreDataLengthExceeded');
});

test('a body that fails or closes early fails the file stream', async () => {
  const src = new Readable({ read() {} });
  const pending = readMultipartHead(src, B);
  src.push(SMALL.subarray(0, SMALL.indexOf(TRICKY) + 3));
  const head = await pending;
  const collected = collect(head.file!.stream);
  src.destroy(new Error('socket hang up'));
  await assert.rejects(collected, /socket hang up/);

  const closing = new Readable({ read() {} });
  const early = readMultipartHead(closing, B);
  closing.push(SMALL.subarray(0, 30));
  await sleep(1);
  closing.destroy();
  await rejectsWith(early, 'IncompleteBody');
});
