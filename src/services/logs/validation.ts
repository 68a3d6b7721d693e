/**
 * The input constraints CloudWatch Logs checks before anything else (taken
 * from the API reference's shapes: LogGroupName, LogStreamName, limits,
 * retention days...). The JSON protocol layer only checks types, so the
 * lengths, patterns, ranges, enums and required members live here, and a
 * violation answers InvalidParameterException with AWS's message.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_Types.html
 */
import { validationFailed, type Problem } from './errors.js';

/** PutRetentionPolicy's allowed values. */
export const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

interface Rule {
  min?: number;
  max?: number;
  pattern?: RegExp;
  patternText?: string;
  /** Numeric range (value constraints) rather than length. */
  range?: [number, number | undefined];
  oneOf?: readonly (string | number)[];
}

const GROUP: Rule = { min: 1, max: 512, pattern: /^[.\-_/#A-Za-z0-9]+$/, patternText: '[\\.\\-_/#A-Za-z0-9]+' };
const STREAM: Rule = { min: 1, max: 512, pattern: /^[^:*]*$/, patternText: '[^:*]*' };
const IDENTIFIER: Rule = { min: 1, max: 2048, pattern: /^[\w#+=/:,.@-]*$/, patternText: '[\\w#+=/:,.@-]*' };
const RESOURCE_ARN: Rule = { min: 1, max: 1011, pattern: /^[\w+=/:,.@-]*$/, patternText: '[\\w+=/:,.@-]*' };
const TOKEN: Rule = { min: 1 };
const DESCRIBE_LIMIT: Rule = { range: [1, 50] };
const EVENTS_LIMIT: Rule = { range: [1, 10000] };
const TIMESTAMP: Rule = { range: [0, undefined] };
const PATTERN: Rule = { min: 0, max: 1024 };
const GROUP_PATTERN: Rule = { min: 0, max: 512, pattern: /^[.\-_/#A-Za-z0-9]*$/, patternText: '[\\.\\-_/#A-Za-z0-9]*' };
const TAG_KEY: Rule = { min: 1, max: 128, pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u, patternText: '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$' };
const TAG_VALUE: Rule = { max: 256, pattern: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u, patternText: '^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$' };
const CLASS: Rule = { oneOf: ['STANDARD', 'INFREQUENT_ACCESS', 'DELIVERY'] };

type MemberRule = Rule | 'tags' | 'tagKeys' | 'streamNames' | 'logEvents' | 'days' | 'orderBy';

interface OperationRules {
  required?: string[];
  members: Record<string, MemberRule>;
}

const RULES: Record<string, OperationRules> = {
  CreateLogGroup: { required: ['logGroupName'], members: { logGroupName: GROUP, kmsKeyId: { max: 256 }, tags: 'tags', logGroupClass: CLASS } },
  DeleteLogGroup: { required: ['logGroupName'], members: { logGroupName: GROUP } },
  DescribeLogGroups: { members: { logGroupNamePrefix: GROUP, logGroupNamePattern: GROUP_PATTERN, nextToken: TOKEN, limit: DESCRIBE_LIMIT, logGroupClass: CLASS } },
  CreateLogStream: { required: ['logGroupName', 'logStreamName'], members: { logGroupName: GROUP, logStreamName: STREAM } },
  DeleteLogStream: { required: ['logGroupName', 'logStreamName'], members: { logGroupName: GROUP, logStreamName: STREAM } },
  DescribeLogStreams: { members: { logGroupName: GROUP, logGroupIdentifier: IDENTIFIER, logStreamNamePrefix: STREAM, orderBy: 'orderBy', nextToken: TOKEN, limit: DESCRIBE_LIMIT } },
  PutLogEvents: { required: ['logGroupName', 'logStreamName', 'logEvents'], members: { logGroupName: GROUP, logStreamName: STREAM, logEvents: 'logEvents', sequenceToken: TOKEN } },
  GetLogEvents: { required: ['logStreamName'], members: { logGroupName: GROUP, logGroupIdentifier: IDENTIFIER, logStreamName: STREAM, startTime: TIMESTAMP, endTime: TIMESTAMP, nextToken: TOKEN, limit: EVENTS_LIMIT } },
  FilterLogEvents: {
    members: { logGroupName: GROUP, logGroupIdentifier: IDENTIFIER, logStreamNames: 'streamNames', logStreamNamePrefix: STREAM, startTime: TIMESTAMP, endTime: TIMESTAMP, filterPattern: PATTERN, nextToken: TOKEN, limit: EVENTS_LIMIT },
  },
  PutRetentionPolicy: { required: ['logGroupName', 'retentionInDays'], members: { logGroupName: GROUP, retentionInDays: 'days' } },
  DeleteRetentionPolicy: { required: ['logGroupName'], members: { logGroupName: GROUP } },
  TagLogGroup: { required: ['logGroupName', 'tags'], members: { logGroupName: GROUP, tags: 'tags' } },
  UntagLogGroup: { required: ['logGroupName', 'tags'], members: { logGroupName: GROUP, tags: 'tagKeys' } },
  ListTagsLogGroup: { required: ['logGroupName'], members: { logGroupName: GROUP } },
  TagResource: { required: ['resourceArn', 'tags'], members: { resourceArn: RESOURCE_ARN, tags: 'tags' } },
  UntagResource: { required: ['resourceArn', 'tagKeys'], members: { resourceArn: RESOURCE_ARN, tagKeys: 'tagKeys' } },
  ListTagsForResource: { required: ['resourceArn'], members: { resourceArn: RESOURCE_ARN } },
};

function check(member: string, value: unknown, rule: Rule, out: Problem[]): void {
  if (rule.oneOf) {
    if (!rule.oneOf.includes(value as string)) out.push({ member, value, constraint: `Member must satisfy enum value set: [${rule.oneOf.join(', ')}]` });
    return;
  }
  if (rule.range) {
    const n = value as number;
    if (n < rule.range[0]) out.push({ member, value, constraint: `Member must have value greater than or equal to ${rule.range[0]}` });
    if (rule.range[1] !== undefined && n > rule.range[1]) out.push({ member, value, constraint: `Member must have value less than or equal to ${rule.range[1]}` });
    return;
  }
  const text = String(value);
  const length = [...text].length;
  if (rule.pattern && !rule.pattern.test(text)) out.push({ member, value, constraint: `Member must satisfy regular expression pattern: ${rule.patternText}` });
  if (rule.max !== undefined && length > rule.max) out.push({ member, value, constraint: `Member must have length less than or equal to ${rule.max}` });
  if (rule.min !== undefined && length < rule.min) out.push({ member, value, constraint: `Member must have length greater than or equal to ${rule.min}` });
}

function checkList(member: string, value: unknown[], min: number, max: number | undefined, out: Problem[]): void {
  if (value.length < min) out.push({ member, value, constraint: `Member must have length greater than or equal to ${min}` });
  if (max !== undefined && value.length > max) out.push({ member, value, constraint: `Member must have length less than or equal to ${max}` });
}

function checkComposite(member: string, value: unknown, kind: Exclude<MemberRule, Rule>, out: Problem[]): void {
  switch (kind) {
    case 'days':
      if (!RETENTION_DAYS.includes(value as number)) out.push({ member, value, constraint: `Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]` });
      return;
    case 'orderBy':
      check(member, value, { oneOf: ['LogStreamName', 'LastEventTime'] }, out);
      return;
    case 'tags': {
      const tags = value as Record<string, string>;
      const keys = Object.keys(tags);
      if (keys.length < 1) out.push({ member, value: '{}', constraint: 'Member must have length greater than or equal to 1' });
      if (keys.length > 50) out.push({ member, value: `{${keys.length} tags}`, constraint: 'Member must have length less than or equal to 50' });
      for (const k of keys) {
        check(`${member}.${k}.member.key`, k, TAG_KEY, out);
        check(`${member}.${k}.member.value`, tags[k] ?? '', TAG_VALUE, out);
      }
      return;
    }
    case 'tagKeys': {
      const keys = value as string[];
      checkList(member, keys, member === 'tags' ? 1 : 0, member === 'tags' ? undefined : 50, out);
      keys.forEach((k, i) => check(`${member}.${i + 1}.member`, k, TAG_KEY, out));
      return;
    }
    case 'streamNames': {
      const names = value as string[];
      checkList(member, names, 1, 100, out);
      names.forEach((n, i) => check(`${member}.${i + 1}.member`, n, STREAM, out));
      return;
    }
    case 'logEvents': {
      const events = value as { timestamp?: number; message?: string }[];
      // AWS echoes the whole list; a summary keeps a 10,001-event message readable.
      if (events.length < 1) out.push({ member, value: [], constraint: 'Member must have length greater than or equal to 1' });
      if (events.length > 10000) out.push({ member, value: `[${events.length} events]`, constraint: 'Member must have length less than or equal to 10000' });
      events.forEach((e, i) => {
        const at = `${member}.${i + 1}.member`;
        if (e?.timestamp === undefined || e.timestamp === null) out.push({ member: `${at}.timestamp`, value: null, constraint: 'Member must not be null' });
        else if (e.timestamp < 0) out.push({ member: `${at}.timestamp`, value: e.timestamp, constraint: 'Member must have value greater than or equal to 0' });
        if (e?.message === undefined || e.message === null) out.push({ member: `${at}.message`, value: null, constraint: 'Member must not be null' });
        else if (e.message.length < 1) out.push({ member: `${at}.message`, value: e.message, constraint: 'Member must have length greater than or equal to 1' });
      });
      return;
    }
  }
}

/** Checks an operation's input; returns the InvalidParameterException to throw, if any. */
export function validateInput(operation: string, input: Record<string, unknown>) {
  const rules = RULES[operation];
  if (!rules) return undefined;
  const out: Problem[] = [];
  for (const name of rules.required ?? []) {
    if (input[name] === undefined || input[name] === null) out.push({ member: name, value: null, constraint: 'Member must not be null' });
  }
  for (const [name, rule] of Object.entries(rules.members)) {
    const value = input[name];
    if (value === undefined || value === null) continue;
    if (typeof rule === 'string') checkComposite(name, value, rule, out);
    else check(name, value, rule, out);
  }
  return out.length > 0 ? validationFailed(out) : undefined;
}
