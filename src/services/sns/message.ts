/**
 * What Publish checks in a message before accepting it: the Subject (ASCII,
 * no line breaks, under 100 characters), the body (not empty; with its
 * attributes at most 256 KB), the message attributes (names, data types
 * String/Number/Binary/String.Array and their custom suffixes, values), and
 * MessageStructure=json (an object with a "default" string; per-protocol
 * keys give each subscription its text).
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-send-custom-platform-specific-payloads-mobile-devices.html
 */
import type { Publication } from './contract.js';
import { invalidParameter, invalidParameterValue, validationError } from './errors.js';

export const MAX_MESSAGE_BYTES = 256 * 1024;

export interface MessageAttributeInput {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: Uint8Array;
}

export interface MessageInput {
  Message?: string;
  Subject?: string;
  MessageStructure?: string;
  MessageAttributes?: Record<string, MessageAttributeInput | undefined>;
}

export interface CheckedMessage {
  subject?: string;
  message: string;
  /** MessageStructure=json: protocol → text ("default" included). */
  structured?: Record<string, string>;
  attributes: Publication['messageAttributes'];
  /** Bytes counted against the 256 KB limit: body plus every attribute's name, type and value. */
  size: number;
}

const NAME_CHARS = /^[A-Za-z0-9_.-]$/;

function checkAttributeName(name: string): void {
  if (Buffer.byteLength(name) > 256) throw invalidParameterValue('Length of message attribute name must be less than 256 bytes.');
  if (name.startsWith('.')) throw invalidParameterValue("Invalid message attribute name starting with character '.' was found.");
  if (name.endsWith('.')) throw invalidParameterValue("Invalid message attribute name ending with character '.' was found.");
  for (const ch of name) {
    if (!NAME_CHARS.test(ch)) {
      const hex = ch.codePointAt(0)!.toString(16).toUpperCase();
      throw invalidParameterValue(`Invalid non-alphanumeric character '#x${hex}' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.`);
    }
  }
  if (name.includes('..')) throw invalidParameterValue("Message attribute name can not have successive '.' character.");
}

const TYPE = /^(String|Number|Binary)(\..+)?$/;

/** Checks message attributes; `where` is the member path ValidationError names ("messageAttributes"). */
export function checkMessageAttributes(input: MessageInput['MessageAttributes'], where: string): { attributes: Publication['messageAttributes']; size: number } {
  const attributes: Publication['messageAttributes'] = {};
  let size = 0;
  for (const [name, attr] of Object.entries(input ?? {})) {
    checkAttributeName(name);
    const type = attr?.DataType;
    if (type === undefined || type === '') throw validationError(`1 validation error detected: Value null at '${where}.${name}.member.dataType' failed to satisfy constraint: Member must not be null`);
    if (Buffer.byteLength(type) > 256 || !TYPE.test(type)) {
      throw invalidParameterValue(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    const binary = type.startsWith('Binary');
    const hasString = attr!.StringValue !== undefined;
    const hasBinary = attr!.BinaryValue !== undefined;
    if (!hasString && !hasBinary) throw invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    if (binary ? !hasBinary : !hasString) throw invalidParameterValue(`The message attribute '${name}' with type '${type}' must use field '${binary ? 'Binary' : 'String'}'.`);
    let value: string;
    if (binary) {
      const bytes = Buffer.from(attr!.BinaryValue!);
      if (bytes.length === 0) throw invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
      value = bytes.toString('base64');
      size += bytes.length;
    } else {
      value = attr!.StringValue!;
      if (value === '') throw invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
      if (type.startsWith('Number') && !isNumber(value)) throw invalidParameterValue(`Could not cast message attribute '${name}' value to number.`);
      if (type === 'String.Array' && !isStringArray(value)) throw invalidParameterValue(`The message attribute '${name}' with type 'String.Array' must contain a JSON array of strings, numbers, true, false or null.`);
      size += Buffer.byteLength(value);
    }
    size += Buffer.byteLength(name) + Buffer.byteLength(type);
    attributes[name] = { Type: type, Value: value };
  }
  return { attributes, size };
}

function isNumber(text: string): boolean {
  return /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(text) && Number.isFinite(Number(text));
}

function isStringArray(text: string): boolean {
  try {
    const v = JSON.parse(text);
    return Array.isArray(v) && v.every((x) => x === null || ['string', 'number', 'boolean'].includes(typeof x));
  } catch {
    return false;
  }
}

/** "Subjects must be ASCII text that begins with a letter, number, or punctuation mark; must not include line breaks or control characters; and must be less than 100 characters long." */
export function checkSubject(subject: string | undefined): void {
  if (subject === undefined) return;
  if (subject === '' || subject.length >= 100 || !/^[\x21-\x7E][\x20-\x7E]*$/.test(subject)) throw invalidParameter('Invalid parameter: Subject');
}

function structured(message: string): Record<string, string> {
  let doc: unknown;
  try {
    doc = JSON.parse(message);
  } catch {
    throw invalidParameter('Invalid parameter: Message Structure - JSON message body failed to parse');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw invalidParameter('Invalid parameter: Message Structure - JSON message body failed to parse');
  // Keys whose values are not strings are ignored, as on AWS.
  const out = Object.fromEntries(Object.entries(doc).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
  if (out.default === undefined) throw invalidParameter('Invalid parameter: Message Structure - No default entry in JSON message body');
  return out;
}

/** Everything about one message but its target; `where` names its attributes for ValidationError. */
export function checkMessage(input: MessageInput, where = 'messageAttributes'): CheckedMessage {
  checkSubject(input.Subject);
  const message = input.Message;
  if (message === undefined || message === '') throw invalidParameter('Invalid parameter: Empty message');
  const { attributes, size } = checkMessageAttributes(input.MessageAttributes, where);
  const total = Buffer.byteLength(message) + size;
  if (total > MAX_MESSAGE_BYTES) throw invalidParameter('Invalid parameter: Message too long');
  let parts: Record<string, string> | undefined;
  if (input.MessageStructure !== undefined) {
    if (input.MessageStructure !== 'json') throw invalidParameter('Invalid parameter: MessageStructure');
    parts = structured(message);
  }
  return { subject: input.Subject, message, structured: parts, attributes, size: total };
}

/** The text one protocol's subscribers receive: its own key of a JSON structure, else "default". */
export function textFor(msg: Pick<CheckedMessage, 'message' | 'structured'>, protocol: string): string {
  if (!msg.structured) return msg.message;
  return msg.structured[protocol] ?? msg.structured.default!;
}
