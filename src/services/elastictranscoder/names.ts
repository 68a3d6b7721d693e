/**
 * Identifiers and the request constraints of the model (botocore's full
 * service-2.json carries them; the pinned minified model does not), checked
 * the way the AWS front end reports them: "1 validation error detected: Value
 * 'x' at 'role' failed to satisfy constraint: Member must satisfy regular
 * expression pattern: ^arn:aws:iam::\w{12}:role/.+$", errors joined by "; ".
 */
import { randomBytes } from 'node:crypto';
import { validation } from './errors.js';

/** Ids are `<13-digit milliseconds>-<6 characters>` (e.g. 1111111111111-abcde1), so they sort by creation time. */
export const ID_PATTERN = '^\\d{13}-\\w{6}$';
export const ROLE_PATTERN = '^arn:aws:iam::\\w{12}:role/.+$';
export const BUCKET_PATTERN = '^(\\w|\\.|-){1,255}$';
export const SNS_TOPIC_PATTERN = '(^$)|(^arn:aws:sns:.*:\\w{12}:.+$)';
export const THUMBNAIL_PATTERN = '(^$)|(^.*\\{count\\}.*$)';
export const ROTATE_PATTERN = '(^auto$)|(^0$)|(^90$)|(^180$)|(^270$)';
export const FLOAT_PATTERN = '^\\d{1,5}(\\.\\d{0,5})?$';
export const JOB_STATUS_PATTERN = '(^Submitted$)|(^Progressing$)|(^Complete$)|(^Canceled$)|(^Error$)';
export const PIPELINE_STATUS_PATTERN = '(^Active$)|(^Paused$)';
export const STORAGE_CLASS_PATTERN = '(^ReducedRedundancy$)|(^Standard$)';

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function newId(now = Date.now()): string {
  const bytes = randomBytes(6);
  let tail = '';
  for (const b of bytes) tail += ID_CHARS[b % ID_CHARS.length];
  return `${String(now).padStart(13, '0')}-${tail}`;
}

/** Collects constraint violations and throws them together, as the AWS front end does. */
export class Constraints {
  private readonly problems: string[] = [];

  private add(value: unknown, at: string, constraint: string): void {
    const shown = value === undefined || value === null ? 'null' : `'${String(value)}'`;
    this.problems.push(`Value ${shown} at '${at}' failed to satisfy constraint: ${constraint}`);
  }

  required(value: unknown, at: string): boolean {
    if (value === undefined || value === null) {
      this.add(value, at, 'Member must not be null');
      return false;
    }
    return true;
  }

  pattern(value: unknown, at: string, pattern: string): void {
    if (value === undefined || value === null) return;
    if (typeof value !== 'string' || !new RegExp(pattern).test(value)) this.add(value, at, `Member must satisfy regular expression pattern: ${pattern}`);
  }

  length(value: unknown, at: string, min: number, max: number): void {
    if (typeof value !== 'string') return;
    if (value.length < min) this.add(value, at, `Member must have length greater than or equal to ${min}`);
    else if (value.length > max) this.add(value, at, `Member must have length less than or equal to ${max}`);
  }

  count(list: unknown[] | undefined, at: string, max: number): void {
    if (list && list.length > max) this.add(`[${list.length} items]`, at, `Member must have length less than or equal to ${max}`);
  }

  check(): void {
    if (this.problems.length === 0) return;
    const n = this.problems.length;
    throw validation(`${n} validation error${n === 1 ? '' : 's'} detected: ${this.problems.join('; ')}`);
  }
}

/** The member name as the error messages spell it (lower camel case: inputBucket, contentConfig.bucket). */
export function at(...parts: Array<string | number>): string {
  return parts.map((p) => (typeof p === 'number' ? `${p + 1}.member` : p.charAt(0).toLowerCase() + p.slice(1))).join('.');
}
