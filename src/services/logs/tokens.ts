/**
 * Pagination tokens. GetLogEvents' tokens are positions in a stream,
 * `f/<digits>` (events after it) and `b/<digits>` (events before it), where
 * the digits are the 15-digit timestamp and 12-digit sequence of an event key;
 * a reader that reached the end gets back the token it sent, which is how
 * `aws logs get-log-events` and the SDK paginator know to stop. The Describe*
 * and FilterLogEvents tokens are opaque (base64url JSON of a cursor).
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html
 */
import { invalidToken } from './errors.js';
import { pad } from './models.js';

export interface Position {
  timestamp: number;
  seq: number;
}

export type Direction = 'f' | 'b';

export function formatPositionToken(direction: Direction, p: Position): string {
  return `${direction}/${pad(p.timestamp, 15)}${pad(p.seq, 12)}`;
}

const POSITION_TOKEN = /^([fb])\/(\d{15})(\d{12})$/;

export function parsePositionToken(token: string): { direction: Direction; position: Position } {
  const m = POSITION_TOKEN.exec(token);
  if (!m) throw invalidToken();
  return { direction: m[1] as Direction, position: { timestamp: Number(m[2]), seq: Number(m[3]) } };
}

/** The position right after `p`: a backward read from it includes the event at `p`. */
export function nextPosition(p: Position): Position {
  return { timestamp: p.timestamp, seq: p.seq + 1 };
}

export function encodeCursor(cursor: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
}

/** Decodes an opaque token; `check` confirms its shape, else the token is refused as AWS refuses a forged one. */
export function decodeCursor<T>(token: string, check: (value: Record<string, unknown>) => boolean): T {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !check(value as Record<string, unknown>)) throw invalidToken();
  return value as T;
}
