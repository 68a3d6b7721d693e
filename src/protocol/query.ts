/**
 * The awsQuery protocol (IAM, STS, SNS, SES, CloudWatch): requests are
 * form-encoded `Action=...&Version=...` parameters (POST body or GET query
 * string) with `A.member.N`, `A.entry.N.key` and `A.B` paths; responses are
 * `<OpResponse><OpResult>...</OpResult><ResponseMetadata/></OpResponse>` XML and
 * errors `<ErrorResponse><Error><Type/><Code/><Message/></Error>`.
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html
 */
import { ServiceError } from '../core/errors.js';
import { resolveError } from './errors.js';
import { memo, serializedName, type ServiceModel, type Shape } from './model.js';
import { decodeUtf8, parseText, type BadInput } from './scalars.js';
import type { HttpRequest, HttpResponse, SerializeContext, ServiceCodec } from './types.js';
import { escapeXml, escapeXmlAttr } from './xml.js';
import { structureBody, type XmlWriteOptions } from './xml-shapes.js';

const XML_OPTS: XmlWriteOptions = { millis: false, tsDefault: 'iso8601' };

/** Malformed form encoding; AWS's common errors list it (with an odd 404). */
const malformed: BadInput = (message) => new ServiceError('MalformedQueryString', message, { status: 404 });
/** A value that does not fit its member's type. */
const invalidValue: BadInput = (message) => new ServiceError('InvalidParameterValue', message, { status: 400 });

type Params = Map<string, string>;
// resolveOperation and parse read the same request back to back; remember the last one.
let lastRequest: HttpRequest | undefined;
let lastBody: HttpRequest['body'] | undefined;
let lastParams: Params | undefined;

function decodeComponent(s: string): string {
  let t = s;
  if (t.indexOf('+') !== -1) t = t.replace(/\+/g, ' ');
  if (t.indexOf('%') === -1) return t;
  try {
    return decodeURIComponent(t);
  } catch {
    throw malformed(`The query string contains a malformed escape sequence: ${s.slice(0, 64)}`);
  }
}

function parseFormInto(text: string, into: Params): void {
  if (text === '') return;
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    if (end > start) {
      const pair = text.slice(start, end);
      const eq = pair.indexOf('=');
      const key = decodeComponent(eq === -1 ? pair : pair.slice(0, eq));
      into.set(key, eq === -1 ? '' : decodeComponent(pair.slice(eq + 1)));
    }
    start = end + 1;
  }
}

/** All parameters of a query-protocol request: the URL's, then the form body's. Cached per request. */
export function queryParams(req: HttpRequest): Params {
  if (lastRequest === req && lastBody === req.body && lastParams) return lastParams;
  const params: Params = new Map();
  parseFormInto(req.rawQuery, params);
  const body = req.body;
  if (Buffer.isBuffer(body) && body.length > 0) {
    const type = req.headers['content-type'];
    if (type === undefined || type.includes('x-www-form-urlencoded')) {
      parseFormInto(decodeUtf8(body, malformed), params);
    }
  }
  lastRequest = req;
  lastBody = req.body;
  lastParams = params;
  return params;
}

/** The Action a query request names, even when the rest of the form is malformed. */
export function queryAction(req: HttpRequest): string | undefined {
  try {
    return queryParams(req).get('Action');
  } catch {
    const text = req.rawQuery + '&' + (Buffer.isBuffer(req.body) ? req.body.toString('latin1') : '');
    const m = /(?:^|&)Action=([A-Za-z0-9]+)(?:&|$)/.exec(text);
    return m?.[1];
  }
}

interface QNode {
  value?: string;
  children?: Map<string, QNode>;
}

function paramTree(params: Params): QNode {
  const root: QNode = {};
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version') continue;
    let node = root;
    for (const part of key.split('.')) {
      node.children ??= new Map();
      let next = node.children.get(part);
      if (!next) node.children.set(part, (next = {}));
      node = next;
    }
    node.value = value;
  }
  return root;
}

/** Children named 1..N in numeric order (AWS tolerates gaps). */
function indexed(node: QNode | undefined): QNode[] {
  if (!node?.children) return [];
  const items: Array<[number, QNode]> = [];
  for (const [k, child] of node.children) if (/^[1-9]\d*$/.test(k)) items.push([Number(k), child]);
  return items.sort((a, b) => a[0] - b[0]).map(([, child]) => child);
}

function queryMembers(shape: Shape): Array<[string, Shape, string]> {
  return memo(shape, 'query', () => Object.entries(shape.members).map(([name, m]) => [name, m, serializedName(m, name)]));
}

function readQuery(shape: Shape, node: QNode, where: string): unknown {
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      if (!node.children) return out;
      for (const [name, m, key] of queryMembers(shape)) {
        const child = node.children.get(key);
        if (child) out[name] = readQuery(m, child, where ? `${where}.${name}` : name);
      }
      return out;
    }
    case 'list': {
      // "Names=" is how clients send an empty list.
      if (!node.children) return [];
      const container = shape.flattened ? node : node.children.get(shape.member!.locationName ?? 'member');
      return indexed(container).map((item, i) => readQuery(shape.member!, item, `${where}.member.${i + 1}`));
    }
    case 'map': {
      if (!node.children) return {};
      const keyName = shape.key?.locationName ?? 'key';
      const valueName = shape.value?.locationName ?? 'value';
      const out: Record<string, unknown> = {};
      const entries = indexed(shape.flattened ? node : node.children.get('entry'));
      for (const entry of entries) {
        const key = entry.children?.get(keyName)?.value;
        if (key === undefined) throw invalidValue(`A map entry of '${where}' has no ${keyName}`);
        const valueNode = entry.children?.get(valueName);
        out[key] = valueNode ? readQuery(shape.value!, valueNode, `${where}.${key}`) : undefined;
      }
      return out;
    }
    default:
      if (node.value === undefined) throw invalidValue(`Value at '${where}' must be a scalar`);
      return parseText(shape, node.value, invalidValue, where);
  }
}

export class QueryCodec implements ServiceCodec {
  readonly protocol = 'query' as const;
  private readonly xmlns: string;

  constructor(private readonly model: ServiceModel) {
    this.xmlns = escapeXmlAttr(model.metadata.xmlNamespace ?? `https://${model.metadata.endpointPrefix}.amazonaws.com/doc/${model.metadata.apiVersion}/`);
  }

  resolveOperation(req: HttpRequest): string | undefined {
    const action = queryAction(req);
    return action !== undefined && this.model.operations.has(action) ? action : undefined;
  }

  hasStreamingInput(): boolean {
    return false;
  }

  async parse(operation: string, req: HttpRequest): Promise<Record<string, unknown>> {
    const input = this.model.operations.get(operation)?.input;
    const params = queryParams(req);
    // Action and Version alone (STS GetCallerIdentity): nothing to read.
    const own = params.size - (params.has('Action') ? 1 : 0) - (params.has('Version') ? 1 : 0);
    if (!input || own === 0) return {};
    return readQuery(input, paramTree(params), '') as Record<string, unknown>;
  }

  serialize(operation: string, output: Record<string, unknown> | undefined, ctx: SerializeContext): HttpResponse {
    const shape = this.model.operations.get(operation)?.output;
    let body = `<${operation}Response xmlns="${this.xmlns}">`;
    if (shape) {
      const inner = structureBody(shape, output ?? {}, XML_OPTS);
      body += shape.resultWrapper ? `<${shape.resultWrapper}>${inner}</${shape.resultWrapper}>` : inner;
    }
    body += `<ResponseMetadata><RequestId>${escapeXml(ctx.requestId)}</RequestId></ResponseMetadata></${operation}Response>`;
    return {
      status: 200,
      headers: { 'content-type': 'text/xml', 'x-amzn-requestid': ctx.requestId },
      body,
    };
  }

  serializeError(error: unknown, _operation: string | undefined, ctx: SerializeContext): HttpResponse {
    const e = resolveError(this.model, error, 'InternalFailure');
    let extra = '';
    for (const [k, v] of Object.entries(e.fields)) {
      if (v !== undefined && v !== null) extra += `<${k}>${escapeXml(String(v))}</${k}>`;
    }
    const body =
      `<ErrorResponse xmlns="${this.xmlns}"><Error><Type>${e.senderFault ? 'Sender' : 'Receiver'}</Type>` +
      `<Code>${escapeXml(e.code)}</Code><Message>${escapeXml(e.message)}</Message>${extra}</Error>` +
      `<RequestId>${escapeXml(ctx.requestId)}</RequestId></ErrorResponse>`;
    return {
      status: e.status,
      headers: { ...e.headers, 'content-type': 'text/xml', 'x-amzn-requestid': ctx.requestId },
      body,
    };
  }
}
