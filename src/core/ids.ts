/**
 * Identifiers shaped like AWS's: request ids are UUIDs, IAM unique ids are
 * 4-letter prefixes plus 17 base32-ish characters, access keys are AKIA/ASIA + 16.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-unique-ids
 */
import { randomBytes, randomUUID } from 'node:crypto';

const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function pick(alphabet: string, length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i]! % alphabet.length];
  return out;
}

export function requestId(): string {
  return randomUUID();
}

export type UniqueIdPrefix = 'AIDA' | 'AROA' | 'AGPA' | 'ANPA' | 'ANVA' | 'AIPA';

/** IAM unique ids (AIDA... for users, AROA... for roles, ANPA... for policies). */
export function uniqueId(prefix: UniqueIdPrefix): string {
  return prefix + pick(UPPER_ALNUM, 17);
}

export function accessKeyId(temporary: boolean): string {
  return (temporary ? 'ASIA' : 'AKIA') + pick(UPPER_ALNUM, 16);
}

export function secretAccessKey(): string {
  return pick(SECRET_ALPHABET, 40);
}

export function sessionToken(): string {
  return 'FwoGZXIvYXdzE' + randomBytes(96).toString('base64');
}

export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
