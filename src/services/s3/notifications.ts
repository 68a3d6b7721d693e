/**
 * S3 event notifications, the pure part: validating a
 * PutBucketNotificationConfiguration body, picking the configurations an
 * object event matches, and building the messages S3 sends (event records,
 * s3:TestEvent) with their sequencers. No storage, no delivery.
 *
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketNotificationConfiguration.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 *
 * Error wording and ArgumentName/ArgumentValue members follow responses
 * recorded from AWS (LocalStack's AWS-validated snapshots, and raw error
 * bodies quoted in public issues): an unparseable ARN names the XML element
 * (CloudFunction, Topic, Queue); failed destinations are listed as
 * ArgumentName1/ArgumentValue1, ArgumentName2/... and a Lambda destination is
 * named "<arn>, null" with "Not authorized to invoke function [<arn>]" whether
 * the function is missing or only lacks the permission.
 */
import { randomUUID } from 'node:crypto';
import { formatArn, parseArn } from '../../core/arn.js';
import { ServiceError } from '../../core/errors.js';
import { s3Errors } from './errors.js';

export interface FilterRule {
  /** `prefix` or `suffix`, any case on input; stored as `Prefix`/`Suffix` as S3 echoes them. */
  Name?: string;
  Value?: string;
}

export interface NotificationFilter {
  Key?: { FilterRules?: FilterRule[] };
}

interface CommonConfiguration {
  Id?: string;
  Events?: string[];
  Filter?: NotificationFilter;
}

export interface LambdaFunctionConfiguration extends CommonConfiguration {
  LambdaFunctionArn?: string;
}
export interface TopicConfiguration extends CommonConfiguration {
  TopicArn?: string;
}
export interface QueueConfiguration extends CommonConfiguration {
  QueueArn?: string;
}

/** The SDK v3 shape of NotificationConfiguration, as the XML parser yields it. */
export interface NotificationConfiguration {
  TopicConfigurations?: TopicConfiguration[];
  QueueConfigurations?: QueueConfiguration[];
  LambdaFunctionConfigurations?: LambdaFunctionConfiguration[];
  EventBridgeConfiguration?: Record<string, unknown>;
}

/** A destination check's answer: allowed, refused, or (SNS/SQS only) no such destination. */
export type DestinationCheck = boolean | 'missing';

export interface ValidateOptions {
  /** The bucket's region: destinations must live there. */
  region: string;
  /** The bucket owner's account, for callers whose hooks need it. */
  accountId: string;
  /** Whether the function exists and its resource policy lets S3 invoke it for this bucket. */
  canInvoke(functionArn: string): Promise<boolean>;
  /** Whether the topic exists and lets S3 publish for this bucket; without this hook (no SNS wired) every topic fails as missing. */
  canPublish?(topicArn: string): Promise<DestinationCheck>;
  /** SQS likewise (not in Stratus: every queue fails as missing). */
  canSendMessage?(queueArn: string): Promise<DestinationCheck>;
  /** x-amz-skip-destination-validation: ARNs are still parsed, destinations are not asked. */
  skipDestinationValidation?: boolean;
}

/** Every event name the S3 API accepts in a configuration (the SDK's Event enum). */
export const NOTIFICATION_EVENTS: ReadonlySet<string> = new Set([
  's3:TestEvent',
  's3:ReducedRedundancyLostObject',
  's3:ObjectCreated:*',
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*',
  's3:ObjectRemoved:Delete',
  's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectRestore:*',
  's3:ObjectRestore:Post',
  's3:ObjectRestore:Completed',
  's3:ObjectRestore:Delete',
  's3:Replication:*',
  's3:Replication:OperationFailedReplication',
  's3:Replication:OperationNotTracked',
  's3:Replication:OperationMissedThreshold',
  's3:Replication:OperationReplicatedAfterThreshold',
  's3:LifecycleExpiration:*',
  's3:LifecycleExpiration:Delete',
  's3:LifecycleExpiration:DeleteMarkerCreated',
  's3:LifecycleTransition',
  's3:IntelligentTiering',
  's3:ObjectTagging:*',
  's3:ObjectTagging:Put',
  's3:ObjectTagging:Delete',
  's3:ObjectAcl:Put',
  's3:ObjectRetention:Put',
  's3:ObjectAnnotation:*',
  's3:ObjectAnnotation:Put',
  's3:ObjectAnnotation:Delete',
]);

const MAX_FILTER_VALUE_BYTES = 1024;

type Kind = 'topic' | 'queue' | 'lambda';

/** One configuration of any kind, flattened for the cross-configuration checks. */
interface Entry {
  kind: Kind;
  config: CommonConfiguration;
  arn: string;
  events: string[];
  prefix: string;
  suffix: string;
  filtered: boolean;
}

const ARN_ELEMENT: Record<Kind, string> = { topic: 'Topic', queue: 'Queue', lambda: 'CloudFunction' };
const ARN_SERVICE: Record<Kind, string> = { topic: 'sns', queue: 'sqs', lambda: 'lambda' };

function entries(cfg: NotificationConfiguration): { kind: Kind; config: CommonConfiguration; arn: unknown }[] {
  // XML schema order: TopicConfiguration, QueueConfiguration, CloudFunctionConfiguration.
  return [
    ...(cfg.TopicConfigurations ?? []).map((c) => ({ kind: 'topic' as const, config: c, arn: c?.TopicArn })),
    ...(cfg.QueueConfigurations ?? []).map((c) => ({ kind: 'queue' as const, config: c, arn: c?.QueueArn })),
    ...(cfg.LambdaFunctionConfigurations ?? []).map((c) => ({ kind: 'lambda' as const, config: c, arn: c?.LambdaFunctionArn })),
  ];
}

/** Fields the XML schema requires: without them S3 answers MalformedXML before any other check. */
function checkSchema(cfg: NotificationConfiguration): void {
  for (const list of [cfg.TopicConfigurations, cfg.QueueConfigurations, cfg.LambdaFunctionConfigurations]) {
    if (list !== undefined && !Array.isArray(list)) throw s3Errors.malformedXml();
  }
  for (const { config, arn } of entries(cfg)) {
    if (typeof config !== 'object' || config === null) throw s3Errors.malformedXml();
    if (typeof arn !== 'string' || arn === '') throw s3Errors.malformedXml();
    if (!Array.isArray(config.Events) || config.Events.length === 0 || config.Events.some((e) => typeof e !== 'string')) throw s3Errors.malformedXml();
    if (config.Id !== undefined && typeof config.Id !== 'string') throw s3Errors.malformedXml();
    const rules = config.Filter?.Key?.FilterRules;
    if (rules === undefined) continue;
    if (!Array.isArray(rules)) throw s3Errors.malformedXml();
    for (const rule of rules) {
      if (typeof rule?.Name !== 'string' || typeof rule.Value !== 'string') throw s3Errors.malformedXml();
    }
  }
}

function checkArn(kind: Kind, arn: string, region: string): void {
  const parsed = parseArn(arn);
  const resourceOk = parsed !== undefined && (kind === 'lambda' ? /^function:[^:]+(:[^:]+)?$/.test(parsed.resource) : /^[^:/]+$/.test(parsed.resource));
  if (!parsed || parsed.service !== ARN_SERVICE[kind] || !parsed.region || !/^\d{12}$/.test(parsed.accountId) || !resourceOk) {
    throw s3Errors.invalidArgument('The ARN could not be parsed', ARN_ELEMENT[kind], arn);
  }
  if (parsed.region !== region) throw s3Errors.invalidArgument('The notification destination service region is not valid for the bucket location constraint');
}

/** Validates one configuration's events and filter; returns its normalised prefix/suffix. */
function checkConfiguration(kind: Kind, config: CommonConfiguration, arn: string, region: string): Entry {
  for (const event of config.Events!) {
    if (!NOTIFICATION_EVENTS.has(event)) throw s3Errors.invalidArgument('The event is not supported for notifications', 'Event', event);
  }
  checkArn(kind, arn, region);
  let prefix: string | undefined;
  let suffix: string | undefined;
  for (const rule of config.Filter?.Key?.FilterRules ?? []) {
    const name = rule.Name!.toLowerCase();
    const value = rule.Value!;
    if (name !== 'prefix' && name !== 'suffix') throw s3Errors.invalidArgument('filter rule name must be either prefix or suffix', 'FilterRule.Name', rule.Name);
    if ((name === 'prefix' ? prefix : suffix) !== undefined) {
      throw s3Errors.invalidArgument(`Cannot specify more than one ${name} rule in a filter.`, 'FilterRule.Name', rule.Name);
    }
    if (Buffer.byteLength(value, 'utf8') > MAX_FILTER_VALUE_BYTES) {
      throw s3Errors.invalidArgument('Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation', 'FilterRule.Value', value);
    }
    if (name === 'prefix') prefix = value;
    else suffix = value;
  }
  return { kind, config, arn, events: config.Events!, prefix: prefix ?? '', suffix: suffix ?? '', filtered: prefix !== undefined || suffix !== undefined };
}

/** Whether subscribing to `pattern` delivers `event` (both with the `s3:` prefix). */
function covers(pattern: string, event: string): boolean {
  return pattern === event || (pattern.endsWith(':*') && event.startsWith(pattern.slice(0, -1)));
}

function sharedEvent(a: string[], b: string[]): [string, string] | undefined {
  for (const x of a) for (const y of b) if (covers(x, y) || covers(y, x)) return [x, y];
  return undefined;
}

/**
 * Two configurations sharing an event type may not both match one key: their
 * prefixes overlap when one starts the other, suffixes when one ends the
 * other, and a missing rule overlaps everything.
 */
function checkOverlaps(list: Entry[]): void {
  for (let i = 0; i < list.length; i++) {
    for (let j = 0; j < i; j++) {
      const a = list[j]!;
      const b = list[i]!;
      const shared = sharedEvent(a.events, b.events);
      if (!shared) continue;
      const prefixes = a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix);
      const suffixes = a.suffix.endsWith(b.suffix) || b.suffix.endsWith(a.suffix);
      if (!prefixes || !suffixes) continue;
      if (!a.filtered && !b.filtered) {
        throw s3Errors.invalidArgument('Configurations overlap. Configurations on the same bucket cannot share a common event type.', 'Event', shared.join(', '));
      }
      throw s3Errors.invalidArgument(
        'Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.',
      );
    }
  }
}

/** Asks every destination, as S3 does, and reports all refusals in one error. */
async function checkDestinations(list: Entry[], opts: ValidateOptions): Promise<void> {
  const failures: [string, string][] = [];
  for (const entry of list) {
    if (entry.kind === 'lambda') {
      if (!(await opts.canInvoke(entry.arn))) failures.push([`${entry.arn}, null`, `Not authorized to invoke function [${entry.arn}]`]);
      continue;
    }
    const noun = entry.kind === 'topic' ? 'topic' : 'queue';
    const hook = entry.kind === 'topic' ? opts.canPublish : opts.canSendMessage;
    const answer: DestinationCheck = hook ? await hook.call(opts, entry.arn) : 'missing';
    if (answer === 'missing') failures.push([entry.arn, `The destination ${noun} does not exist`]);
    else if (!answer) failures.push([entry.arn, `Permissions on the destination ${noun} do not allow S3 to publish notifications from this bucket`]);
  }
  if (failures.length === 0) return;
  const fields: Record<string, string> = {};
  failures.forEach(([name, value], i) => {
    fields[`ArgumentName${i + 1}`] = name;
    fields[`ArgumentValue${i + 1}`] = value;
  });
  throw new ServiceError('InvalidArgument', 'Unable to validate the following destination configurations', { status: 400, fields });
}

/** S3 names configurations it was given without an Id: base64 of a random UUID. */
export function generateConfigurationId(): string {
  return Buffer.from(randomUUID()).toString('base64');
}

/**
 * Validates a PutBucketNotificationConfiguration body and, once it is valid,
 * normalises it in place the way GetBucketNotificationConfiguration then
 * returns it: missing Ids generated, filter rule names spelled `Prefix`/`Suffix`.
 * On error the configuration is left untouched.
 */
export async function validateNotificationConfiguration(cfg: NotificationConfiguration, opts: ValidateOptions): Promise<void> {
  if (typeof cfg !== 'object' || cfg === null) throw s3Errors.malformedXml();
  checkSchema(cfg);
  const list = entries(cfg).map(({ kind, config, arn }) => checkConfiguration(kind, config, arn as string, opts.region));
  const ids = new Set<string>();
  for (const { config } of list) {
    if (config.Id === undefined || config.Id === '') continue;
    if (ids.has(config.Id)) throw s3Errors.invalidArgument('Same ID used for multiple configurations. IDs must be unique.', 'Id', config.Id);
    ids.add(config.Id);
  }
  checkOverlaps(list);
  if (!opts.skipDestinationValidation) await checkDestinations(list, opts);
  for (const { config } of list) {
    if (!config.Id) config.Id = generateConfigurationId();
    for (const rule of config.Filter?.Key?.FilterRules ?? []) rule.Name = rule.Name!.toLowerCase() === 'prefix' ? 'Prefix' : 'Suffix';
  }
}

/**
 * An object key as S3 writes it into event records: UTF-8,
 * application/x-www-form-urlencoded (space as `+`, only `A-Za-z0-9.-*_`
 * left bare) except that `/` stays as is ("red flower.jpg" -> "red+flower.jpg",
 * "a@b" -> "a%40b", "dir/k" -> "dir/k").
 */
export function encodeEventKey(key: string): string {
  let out = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-*_/]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function filterMatches(filter: NotificationFilter | undefined, encodedKey: string): boolean {
  for (const rule of filter?.Key?.FilterRules ?? []) {
    const name = rule.Name?.toLowerCase();
    const value = rule.Value ?? '';
    if (name === 'prefix' && !encodedKey.startsWith(value)) return false;
    if (name === 'suffix' && !encodedKey.endsWith(value)) return false;
  }
  return true;
}

const withS3Prefix = (eventName: string) => (eventName.startsWith('s3:') ? eventName : `s3:${eventName}`);

/**
 * The Lambda configurations an event on `key` triggers, in configuration order.
 * `eventName` is the record's name (`ObjectCreated:Put`); wildcards in the
 * configuration (`s3:ObjectCreated:*`) cover every event of their family.
 * Filters compare with the key in its event-record encoding: AWS asks for
 * prefix/suffix values with spaces as `+` and other special characters
 * percent-encoded, so a raw "my dir/" never matches while "my+dir/" does.
 */
export function matchingConfigurations(cfg: NotificationConfiguration, eventName: string, key: string): Array<{ id: string; functionArn: string }> {
  const event = withS3Prefix(eventName);
  const encodedKey = encodeEventKey(key);
  const out: Array<{ id: string; functionArn: string }> = [];
  for (const config of cfg.LambdaFunctionConfigurations ?? []) {
    if (!config.LambdaFunctionArn || !(config.Events ?? []).some((pattern) => covers(pattern, event))) continue;
    if (!filterMatches(config.Filter, encodedKey)) continue;
    out.push({ id: config.Id ?? '', functionArn: config.LambdaFunctionArn });
  }
  return out;
}

/** The SNS topic configurations an event on `key` triggers, with the same matching rules as matchingConfigurations. */
export function matchingTopics(cfg: NotificationConfiguration, eventName: string, key: string): Array<{ id: string; topicArn: string }> {
  const event = withS3Prefix(eventName);
  const encodedKey = encodeEventKey(key);
  const out: Array<{ id: string; topicArn: string }> = [];
  for (const config of cfg.TopicConfigurations ?? []) {
    if (!config.TopicArn || !(config.Events ?? []).some((pattern) => covers(pattern, event))) continue;
    if (!filterMatches(config.Filter, encodedKey)) continue;
    out.push({ id: config.Id ?? '', topicArn: config.TopicArn });
  }
  return out;
}

/** The Subject of every message S3 publishes to SNS (event notifications and the s3:TestEvent). */
export const SNS_SUBJECT = 'Amazon S3 Notification';

export interface EventRecordInput {
  /** `ObjectCreated:Put`; an `s3:` prefix is dropped as the record omits it. */
  eventName: string;
  region: string;
  eventTime: Date;
  /** The requester: `AWS:AIDA...` for IAM users, `AWS:AROA...:session` for roles. */
  principalId: string;
  sourceIp: string;
  requestId: string;
  hostId: string;
  bucket: string;
  /** The bucket owner's principal id (`A3NL1KOZZKExample` in AWS's example). */
  bucketOwnerId: string;
  /** The raw key; the record carries it form-urlencoded. */
  key: string;
  size?: number;
  /** With or without its quotes; the record carries it bare. */
  eTag?: string;
  /** Only for versioning-enabled buckets: S3 omits the member otherwise. */
  versionId?: string;
  sequencer: string;
  configurationId: string;
}

export interface S3EventRecord {
  eventVersion: string;
  eventSource: 'aws:s3';
  awsRegion: string;
  eventTime: string;
  eventName: string;
  userIdentity: { principalId: string };
  requestParameters: { sourceIPAddress: string };
  responseElements: { 'x-amz-request-id': string; 'x-amz-id-2': string };
  s3: {
    s3SchemaVersion: '1.0';
    configurationId: string;
    bucket: { name: string; ownerIdentity: { principalId: string }; arn: string };
    object: { key: string; size?: number; eTag?: string; versionId?: string; sequencer: string };
  };
}

/** One record of event structure 2.1, members in the order AWS writes them. */
export function eventRecord(input: EventRecordInput): S3EventRecord {
  const eventName = input.eventName.replace(/^s3:/, '');
  const object: S3EventRecord['s3']['object'] = { key: encodeEventKey(input.key) } as S3EventRecord['s3']['object'];
  // Removal records describe an object that is gone: no size, no ETag.
  if (!eventName.startsWith('ObjectRemoved:')) {
    if (input.size !== undefined) object.size = input.size;
    if (input.eTag !== undefined) object.eTag = input.eTag.replace(/^"|"$/g, '');
  }
  if (input.versionId !== undefined) object.versionId = input.versionId;
  object.sequencer = input.sequencer;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: input.region,
    eventTime: input.eventTime.toISOString(),
    eventName,
    userIdentity: { principalId: input.principalId },
    requestParameters: { sourceIPAddress: input.sourceIp },
    responseElements: { 'x-amz-request-id': input.requestId, 'x-amz-id-2': input.hostId },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: input.configurationId,
      bucket: {
        name: input.bucket,
        ownerIdentity: { principalId: input.bucketOwnerId },
        arn: formatArn({ service: 's3', region: '', accountId: '', resource: input.bucket }),
      },
      object,
    },
  };
}

/** The message body S3 delivers: a `Records` array (one record per event). */
export function eventMessage(records: S3EventRecord[]): { Records: S3EventRecord[] } {
  return { Records: records };
}

export interface TestEventMessage {
  Service: 'Amazon S3';
  Event: 's3:TestEvent';
  Time: string;
  Bucket: string;
  RequestId: string;
  HostId: string;
}

/**
 * The message S3 publishes to an SNS topic or SQS queue when a configuration
 * naming it is saved (Lambda destinations get no test event: S3 only checks
 * the function's permission).
 */
export function testEvent(bucket: string, now: Date, requestId: string, hostId: string): TestEventMessage {
  return { Service: 'Amazon S3', Event: 's3:TestEvent', Time: now.toISOString(), Bucket: bucket, RequestId: requestId, HostId: hostId };
}

const COUNTER_LIMIT = 0x1000000;

/**
 * A sequencer source: 18 uppercase hex digits, 12 of milliseconds since the
 * epoch and 6 of a counter, strictly increasing for the life of the source
 * and across restarts while the clock moves forward. Equal-length strings, so
 * lexicographic order is event order, which is what consumers compare.
 * `after` resumes past a sequencer issued earlier (e.g. persisted before a
 * restart), so order holds even if the clock stepped back meanwhile.
 */
export function createSequencer(after?: string): (now?: number) => string {
  if (after !== undefined && !/^[0-9A-F]{18}$/i.test(after)) throw new Error(`not a sequencer: ${after}`);
  let lastMs = after === undefined ? 0 : parseInt(after.slice(0, 12), 16);
  let counter = after === undefined ? 0 : parseInt(after.slice(12), 16);
  return (now = Date.now()) => {
    if (now > lastMs) {
      lastMs = now;
      counter = 0;
    } else if (++counter === COUNTER_LIMIT) {
      lastMs += 1;
      counter = 0;
    }
    return lastMs.toString(16).toUpperCase().padStart(12, '0') + counter.toString(16).toUpperCase().padStart(6, '0');
  };
}

/** The process-wide sequencer: one source orders events on every key. */
export const sequencer = createSequencer();
