/**
 * A streaming multipart/form-data reader for S3's browser POST uploads.
 * The parts before the `file` part are read into memory, bounded as S3 bounds
 * them (20 KB of form data and boundaries before the file content); the file
 * part's content is handed on as a Readable that follows the body chunk by
 * chunk with backpressure, so a multi-gigabyte upload is never held whole.
 * Parts after the file are read and dropped: S3 ignores them.
 *
 * Grammar: RFC 2046 §5.1.1 and RFC 7578; what browsers send:
 * https://html.spec.whatwg.org/multipage/form-control-infrastructure.html#multipart-form-data
 * S3's errors for such bodies: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 * and https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
 */
import { Readable } from 'node:stream';
import { ServiceError } from '../../core/errors.js';

/** "The form data and boundaries (excluding the contents of the file) cannot exceed 20KB." */
export const MAX_PRE_DATA_BYTES = 20480;

export const multipartErrors = {
  notMultipart: () =>
    new ServiceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', {
      status: 412,
      fields: { Condition: 'Bucket POST must be of the enclosure-type multipart/form-data' },
    }),
  malformed: () =>
    new ServiceError('MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data.', { status: 400 }),
  // S3's code lacks the "Error" its error table gives it, and the message's spelling is S3's own.
  preDataTooLarge: (limit: number) =>
    new ServiceError('MaxPostPreDataLengthExceeded', 'Your POST request fields preceeding the upload file was too large.', {
      status: 400,
      fields: { MaxPostPreDataLengthBytes: limit },
    }),
  incompleteBody: () =>
    new ServiceError('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header', { status: 400 }),
};

export interface FormFile {
  /** The part's field name as sent. */
  name: string;
  /** The Content-Disposition filename as sent (a browser may send a path); absent when the part has none. */
  fileName?: string;
  /** The part's own Content-Type header. */
  contentType?: string;
  /** The file's bytes; fails with MalformedPOSTRequest if the body ends before the part does. */
  stream: Readable;
}

export interface FormHead {
  /** The parts before the file, in order, names as sent, values decoded as UTF-8. */
  fields: Array<[name: string, value: string]>;
  /** Absent when the form ended without a part of that name. */
  file?: FormFile;
}

export interface MultipartOptions {
  /** Bytes allowed before the file content starts, boundaries and part headers included. */
  maxPreDataBytes?: number;
  /** The file part's name, compared case-insensitively. */
  fileField?: string;
  /** The file stream's buffer before the body is paused. */
  highWaterMark?: number;
}

/** The boundary of a multipart/form-data Content-Type; S3's 412 for any other type. */
export function multipartBoundary(contentType: string | undefined): string {
  const { value, params } = parseHeaderValue(contentType ?? '');
  if (value.toLowerCase() !== 'multipart/form-data') throw multipartErrors.notMultipart();
  const boundary = params.get('boundary');
  if (boundary === undefined || boundary.length < 1 || boundary.length > 70) throw multipartErrors.malformed();
  return boundary;
}

/**
 * Reads the body up to the file part's content and resolves there. Every
 * failure (and the file stream's destruction by its consumer) leaves the body
 * paused with the reader's listeners removed: the caller drains or destroys it.
 */
export function readMultipartHead(body: Readable, boundary: string, options: MultipartOptions = {}): Promise<FormHead> {
  return new Promise((resolve, reject) => {
    new HeadReader(body, boundary, options, resolve, reject).start();
  });
}

type State = 'preamble' | 'boundary' | 'headers' | 'field' | 'file' | 'epilogue' | 'stopped';

interface PartHeaders {
  disposition?: string;
  name?: string;
  fileName?: string;
  contentType?: string;
}

const CRLF = Buffer.from('\r\n');
const HEADER_END = Buffer.from('\r\n\r\n');
/** Transport padding and the line end after a boundary; anything longer is not a boundary line. */
const MAX_BOUNDARY_TAIL = 256;

class HeadReader {
  private readonly delimiter: Buffer;
  private readonly limit: number;
  private readonly fileField: string;
  /** Unparsed bytes; a virtual CRLF leads the body so the first boundary matches like the others. */
  private buf: Buffer = Buffer.from(CRLF);
  /** Offset in the body of buf[0]. */
  private base = -CRLF.length;
  private state: State = 'preamble';
  private readonly fields: Array<[string, string]> = [];
  private part: PartHeaders = {};
  private file?: Readable;
  private settled = false;
  private paused = false;
  private ended = false;

  constructor(
    private readonly body: Readable,
    boundary: string,
    private readonly options: MultipartOptions,
    private readonly resolve: (head: FormHead) => void,
    private readonly reject: (err: Error) => void,
  ) {
    this.delimiter = Buffer.from(`\r\n--${boundary}`, 'latin1');
    this.limit = options.maxPreDataBytes ?? MAX_PRE_DATA_BYTES;
    this.fileField = (options.fileField ?? 'file').toLowerCase();
  }

  start(): void {
    this.body.on('data', this.onData);
    this.body.on('end', this.onEnd);
    this.body.on('error', this.onError);
    this.body.on('close', this.onClose);
    if (this.body.isPaused()) this.body.resume();
  }

  private readonly onData = (chunk: Buffer | string): void => {
    if (this.state === 'stopped') return;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.buf = this.buf.length === 0 ? bytes : Buffer.concat([this.buf, bytes]);
    try {
      while (this.step());
      if (this.beforeFile() && this.base + this.buf.length - (HEADER_END.length - 1) > this.limit) {
        throw multipartErrors.preDataTooLarge(this.limit);
      }
    } catch (err) {
      this.fail(err as Error);
    }
  };

  private readonly onEnd = (): void => {
    this.ended = true;
    if (this.state === 'file') this.fail(multipartErrors.malformed());
    else if (!this.settled) this.fail(multipartErrors.malformed());
    this.detach();
  };

  private readonly onError = (err: Error): void => this.fail(err);

  private readonly onClose = (): void => {
    if (!this.ended) this.fail(multipartErrors.incompleteBody());
  };

  private beforeFile(): boolean {
    return this.state === 'preamble' || this.state === 'boundary' || this.state === 'headers' || this.state === 'field';
  }

  /** Parses one token; false when more bytes are needed (or the file consumer asked to wait). */
  private step(): boolean {
    switch (this.state) {
      case 'preamble':
        return this.findFirstBoundary();
      case 'boundary':
        return this.boundaryLine();
      case 'headers':
        return this.headers();
      case 'field':
        return this.fieldValue();
      case 'file':
        return this.fileContent();
      case 'epilogue':
        this.consume(this.buf.length);
        return false;
      default:
        return false;
    }
  }

  private findFirstBoundary(): boolean {
    const at = this.buf.indexOf(this.delimiter);
    if (at < 0) {
      this.consume(Math.max(0, this.buf.length - (this.delimiter.length - 1)));
      return false;
    }
    this.consume(at + this.delimiter.length);
    this.state = 'boundary';
    return true;
  }

  /** What follows a delimiter: "--" closes the body, else optional padding and CRLF. */
  private boundaryLine(): boolean {
    if (this.buf.length < 2) return false;
    if (this.buf[0] === 0x2d && this.buf[1] === 0x2d) {
      this.state = 'epilogue';
      this.settle({ fields: this.fields });
      return true;
    }
    const eol = this.buf.indexOf(CRLF);
    if (eol < 0) {
      if (this.buf.length > MAX_BOUNDARY_TAIL) throw multipartErrors.malformed();
      return false;
    }
    for (let i = 0; i < eol; i++) {
      if (this.buf[i] !== 0x20 && this.buf[i] !== 0x09) throw multipartErrors.malformed();
    }
    this.consume(eol + CRLF.length);
    this.state = 'headers';
    return true;
  }

  private headers(): boolean {
    if (this.buf.length < 2) return false;
    let text = '';
    if (this.buf[0] === 0x0d && this.buf[1] === 0x0a) {
      this.consume(2);
    } else {
      const end = this.buf.indexOf(HEADER_END);
      if (end < 0) return false;
      text = this.buf.toString('utf8', 0, end);
      this.consume(end + HEADER_END.length);
    }
    this.part = parsePartHeaders(text);
    const isFile = this.part.disposition === 'form-data' && this.part.name?.toLowerCase() === this.fileField;
    if (!isFile) {
      this.state = 'field';
      return true;
    }
    if (this.base > this.limit) throw multipartErrors.preDataTooLarge(this.limit);
    this.state = 'file';
    this.file = new Readable({
      highWaterMark: this.options.highWaterMark ?? 256 * 1024,
      read: () => this.resumeBody(),
      destroy: (err, callback) => {
        if (this.state === 'file') this.stop();
        callback(err);
      },
    });
    // The body can fail before the caller has attached to the file stream; pipeline and
    // async iteration still see the error through the stream's errored state.
    this.file.on('error', () => {});
    this.settle({
      fields: this.fields,
      file: { name: this.part.name!, fileName: this.part.fileName, contentType: this.part.contentType, stream: this.file },
    });
    return true;
  }

  private fieldValue(): boolean {
    const at = this.buf.indexOf(this.delimiter);
    if (at < 0) return false;
    // RFC 7578 §4.2: a part without a name carries no field.
    if (this.part.name !== undefined) this.fields.push([this.part.name, this.buf.toString('utf8', 0, at)]);
    this.consume(at + this.delimiter.length);
    this.state = 'boundary';
    return true;
  }

  private fileContent(): boolean {
    const file = this.file!;
    const at = this.buf.indexOf(this.delimiter);
    if (at >= 0) {
      if (at > 0) file.push(this.buf.subarray(0, at));
      this.consume(at + this.delimiter.length);
      this.state = 'epilogue';
      file.push(null);
      return true;
    }
    // The tail could be the start of a delimiter split across chunks: keep it for the next one.
    const ready = this.buf.length - (this.delimiter.length - 1);
    if (ready <= 0) return false;
    const more = file.push(this.buf.subarray(0, ready));
    this.consume(ready);
    if (!more) this.pauseBody();
    return false;
  }

  private consume(n: number): void {
    if (n === 0) return;
    this.buf = this.buf.subarray(n);
    this.base += n;
  }

  private settle(head: FormHead): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(head);
  }

  private pauseBody(): void {
    if (this.paused) return;
    this.paused = true;
    this.body.pause();
  }

  private resumeBody(): void {
    if (!this.paused || this.state !== 'file') return;
    this.paused = false;
    this.body.resume();
  }

  private fail(err: Error): void {
    const wasFile = this.state === 'file';
    this.stop();
    if (wasFile) this.file!.destroy(err);
    if (!this.settled) {
      this.settled = true;
      this.reject(err);
    }
  }

  /** Stops reading: the body is paused and left to the caller. */
  private stop(): void {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.buf = Buffer.alloc(0);
    this.detach();
    if (!this.ended) this.body.pause();
  }

  private detach(): void {
    this.body.off('data', this.onData);
    this.body.off('end', this.onEnd);
    this.body.off('error', this.onError);
    this.body.off('close', this.onClose);
  }
}

function parsePartHeaders(text: string): PartHeaders {
  const out: PartHeaders = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const raw = line.slice(colon + 1);
    if (name === 'content-disposition') {
      const { value, params } = parseHeaderValue(raw);
      out.disposition = value.toLowerCase();
      out.name = params.get('name');
      out.fileName = params.get('filename');
    } else if (name === 'content-type') {
      out.contentType = raw.trim();
    }
  }
  return out;
}

/**
 * `value *(";" name "=" (token / quoted-string))`, names lower-cased. In quoted
 * strings only \" and \\ are escapes: browsers never escape (they send %22), and a
 * Windows path such as "C:\dir\a.txt" must keep its backslashes.
 */
export function parseHeaderValue(header: string): { value: string; params: Map<string, string> } {
  const params = new Map<string, string>();
  let i = header.indexOf(';');
  const value = (i < 0 ? header : header.slice(0, i)).trim();
  while (i >= 0 && i < header.length) {
    i++;
    const eq = header.indexOf('=', i);
    const semi = header.indexOf(';', i);
    if (eq < 0 || (semi >= 0 && semi < eq)) {
      i = semi;
      continue;
    }
    const name = header.slice(i, eq).trim().toLowerCase();
    let j = eq + 1;
    while (header[j] === ' ' || header[j] === '\t') j++;
    let val = '';
    if (header[j] === '"') {
      j++;
      while (j < header.length && header[j] !== '"') {
        if (header[j] === '\\' && (header[j + 1] === '"' || header[j + 1] === '\\')) j++;
        val += header[j];
        j++;
      }
      i = header.indexOf(';', j);
    } else {
      const end = header.indexOf(';', j);
      val = (end < 0 ? header.slice(j) : header.slice(j, end)).trim();
      i = end;
    }
    if (name !== '' && !params.has(name)) params.set(name, val);
  }
  return { value, params };
}
