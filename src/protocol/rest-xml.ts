/**
 * The restXml protocol (S3): HTTP bindings from rest-binding.ts, XML bodies
 * with S3's root element names, raw blob payloads (streaming in and out), and
 * S3's error document `<Error><Code/><Message/>...<RequestId/><HostId/></Error>`
 * with the `x-amz-request-id` / `x-amz-id-2` headers. Only path-style requests
 * reach here; the gateway rewrites virtual-hosted ones first.
 * https://smithy.io/2.0/aws/protocols/aws-restxml-protocol.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
import type { Readable } from 'node:stream';
import { ServiceError } from '../core/errors.js';
import { resolveError } from './errors.js';
import type { OperationModel, ServiceModel } from './model.js';
import { RestCodec, restBindings } from './rest-binding.js';
import { asStream, decodeUtf8, formatText, isReadable, toBuffer, type BadInput } from './scalars.js';
import type { HttpResponse, SerializeContext } from './types.js';
import { XmlSyntaxError, escapeXml, escapeXmlAttr, parseXml, type XmlNode } from './xml.js';
import { readXml, structureBody, xmlElement, type XmlWriteOptions } from './xml-shapes.js';

const XML_DECL = '<?xml version="1.0" encoding="UTF-8"?>\n';
const XML_OPTS: XmlWriteOptions = { millis: true, tsDefault: 'iso8601' };

/**
 * Root elements of S3 outputs that have no payload member. The .min.json
 * models drop these names; they come from the Smithy model's @xmlName traits.
 */
const OUTPUT_ROOTS: Record<string, string> = {
  CompleteMultipartUpload: 'CompleteMultipartUploadResult',
  CreateMultipartUpload: 'InitiateMultipartUploadResult',
  CreateSession: 'CreateSessionResult',
  DeleteObjects: 'DeleteResult',
  GetBucketAccelerateConfiguration: 'AccelerateConfiguration',
  GetBucketAcl: 'AccessControlPolicy',
  GetBucketCors: 'CORSConfiguration',
  GetBucketLifecycle: 'LifecycleConfiguration',
  GetBucketLifecycleConfiguration: 'LifecycleConfiguration',
  GetBucketLocation: 'LocationConstraint',
  GetBucketLogging: 'BucketLoggingStatus',
  GetBucketNotification: 'NotificationConfiguration',
  GetBucketNotificationConfiguration: 'NotificationConfiguration',
  GetBucketRequestPayment: 'RequestPaymentConfiguration',
  GetBucketTagging: 'Tagging',
  GetBucketVersioning: 'VersioningConfiguration',
  GetBucketWebsite: 'WebsiteConfiguration',
  GetObjectAcl: 'AccessControlPolicy',
  GetObjectAttributes: 'GetObjectAttributesResponse',
  GetObjectTagging: 'Tagging',
  ListBucketAnalyticsConfigurations: 'ListBucketAnalyticsConfigurationResult',
  ListBucketIntelligentTieringConfigurations: 'ListBucketIntelligentTieringConfigurationsOutput',
  ListBucketInventoryConfigurations: 'ListInventoryConfigurationsResult',
  ListBucketMetricsConfigurations: 'ListMetricsConfigurationsResult',
  ListBuckets: 'ListAllMyBucketsResult',
  ListDirectoryBuckets: 'ListAllMyDirectoryBucketsResult',
  ListMultipartUploads: 'ListMultipartUploadsResult',
  ListObjectVersions: 'ListVersionsResult',
  ListObjects: 'ListBucketResult',
  ListObjectsV2: 'ListBucketResult',
  ListParts: 'ListPartsResult',
};

const malformedXml: BadInput = () =>
  new ServiceError(
    'MalformedXML',
    'The XML you provided was not well-formed or did not validate against our published schema',
    { status: 400 },
  );
const invalidArgument: BadInput = (message) => new ServiceError('InvalidArgument', message, { status: 400 });
const invalidUri: BadInput = () => new ServiceError('InvalidURI', "Couldn't parse the specified URI.", { status: 400 });

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}

export class RestXmlCodec extends RestCodec {
  readonly protocol = 'rest-xml' as const;
  protected bad = invalidArgument;
  protected badUri = invalidUri;
  private readonly xmlns: string;

  constructor(model: ServiceModel) {
    super(model);
    const md = model.metadata;
    this.xmlns = md.xmlNamespace ?? `http://${md.endpointPrefix ?? model.name}.amazonaws.com/doc/${md.apiVersion}/`;
  }

  private parseDocument(body: Buffer, expectedRoot: string | undefined): XmlNode {
    let root: XmlNode;
    try {
      root = parseXml(decodeUtf8(body, malformedXml));
    } catch (err) {
      if (err instanceof XmlSyntaxError) throw malformedXml('');
      throw err;
    }
    if (expectedRoot !== undefined && localName(root.name) !== expectedRoot) throw malformedXml('');
    return root;
  }

  protected readBody(op: OperationModel, input: Record<string, unknown>, body: Buffer | Readable): void {
    const b = restBindings(op.input!);
    if (b.payload) {
      const [name, m] = b.payload;
      if (m.type === 'blob') {
        input[name] = m.streaming ? asStream(body) : toBuffer(body);
        return;
      }
      const buf = body as Buffer;
      if (buf.length === 0) return;
      if (m.type === 'structure') {
        input[name] = readXml(m, this.parseDocument(buf, m.locationName ?? name), malformedXml, name);
      } else {
        input[name] = decodeUtf8(buf, malformedXml);
      }
      return;
    }
    if (b.body.length === 0 || isReadable(body) || body.length === 0) return;
    Object.assign(input, readXml(op.input!, this.parseDocument(body, undefined), malformedXml, ''));
  }

  protected writeBody(
    op: OperationModel,
    output: Record<string, unknown>,
    headers: Record<string, string | string[]>,
  ): Buffer | string | Readable | undefined {
    if (!op.output) return undefined;
    const b = restBindings(op.output);
    if (b.payload) {
      const [name, m] = b.payload;
      const value = output[name];
      if (value === undefined || value === null) return undefined;
      if (m.type === 'blob') {
        if (isReadable(value) || Buffer.isBuffer(value) || typeof value === 'string') return value;
        return toBuffer(value);
      }
      if (m.type !== 'structure') return formatText(m, value, 'iso8601');
      headers['content-type'] = 'application/xml';
      const ns = m.xmlNamespace?.uri && !m.xmlNamespace.prefix ? '' : ` xmlns="${escapeXmlAttr(this.xmlns)}"`;
      return XML_DECL + xmlElement(m, value, m.locationName ?? name, XML_OPTS, ns);
    }
    if (b.body.length === 0) return undefined;
    headers['content-type'] = 'application/xml';
    const root = OUTPUT_ROOTS[op.name] ?? op.output.locationName ?? `${op.name}Result`;
    const open = `<${root} xmlns="${escapeXmlAttr(this.xmlns)}">`;
    // GetBucketLocation: the single member is the root element's own text.
    const only = b.body.length === 1 ? b.body[0]! : undefined;
    if (only && (only[1].locationName ?? only[0]) === root && only[1].type !== 'structure' && only[1].type !== 'list') {
      const v = output[only[0]];
      if (v === undefined || v === null || v === '') return `${XML_DECL}<${root} xmlns="${escapeXmlAttr(this.xmlns)}"/>`;
      return `${XML_DECL}${open}${escapeXml(formatText(only[1], v, 'iso8601'))}</${root}>`;
    }
    return `${XML_DECL}${open}${structureBody(op.output, output, XML_OPTS)}</${root}>`;
  }

  protected requestIdHeaders(ctx: SerializeContext): Record<string, string> {
    return { 'x-amz-request-id': ctx.requestId, 'x-amz-id-2': hostId(ctx.requestId) };
  }

  serializeError(error: unknown, operation: string | undefined, ctx: SerializeContext): HttpResponse {
    const e = resolveError(this.model, error, 'InternalError');
    const headers: Record<string, string | string[]> = { ...e.headers, ...this.requestIdHeaders(ctx) };
    const op = operation === undefined ? undefined : this.model.operations.get(operation);
    // HEAD answers carry no body; neither does 304 Not Modified (RFC 9110 §15.4.5).
    if (op?.http.method === 'HEAD' || e.status === 304) return { status: e.status, headers, body: undefined };
    let extra = '';
    for (const [k, v] of Object.entries(e.fields)) {
      if (v === undefined || v === null) continue;
      extra += `<${k}>${escapeXml(v instanceof Date ? v.toISOString() : String(v))}</${k}>`;
    }
    if (ctx.resource !== undefined && !('Resource' in e.fields)) extra += `<Resource>${escapeXml(ctx.resource)}</Resource>`;
    headers['content-type'] = 'application/xml';
    const body =
      `${XML_DECL}<Error><Code>${escapeXml(e.code)}</Code><Message>${escapeXml(e.message)}</Message>${extra}` +
      `<RequestId>${escapeXml(ctx.requestId)}</RequestId><HostId>${hostId(ctx.requestId)}</HostId></Error>`;
    return { status: e.status, headers, body };
  }
}

/** S3's x-amz-id-2 / HostId: opaque base64, here the request id's own bytes so logs can correlate. */
export function hostId(requestId: string): string {
  return Buffer.from(requestId, 'utf8').toString('base64');
}
