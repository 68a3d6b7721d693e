/**
 * What the CloudWatch Logs operation files share: their dependencies, how a
 * request names its log group (logGroupName, or logGroupIdentifier as a name
 * or an ARN with or without the trailing `:*`), the IAM resource ARNs, and the
 * optimistic retry loop every read-modify-write goes through.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html
 */
import type { RequestContext } from '../../core/context.js';
import { ServiceError } from '../../core/errors.js';
import { ConditionFailedError, type DocumentStore } from '../../storage/types.js';
import type { OperationSpec } from '../types.js';
import { groupNotFound, invalidParameter } from './errors.js';
import { groupArn, LogsState, type GroupDoc } from './models.js';

export interface LogsDeps {
  store: DocumentStore;
  /** The clock (epoch ms); tests move it. */
  now?: () => number;
}

export interface LogsContext {
  state: LogsState;
  now: () => number;
}

export function logsContext(deps: LogsDeps): LogsContext {
  return { state: new LogsState(deps.store), now: deps.now ?? Date.now };
}

export type Operations = Record<string, OperationSpec>;

export const DAY_MS = 86_400_000;

export interface GroupRef {
  accountId: string;
  region: string;
  name: string;
}

/** The group a request names; an ARN of another account or region names a group this caller cannot see. */
export function groupRef(input: { logGroupName?: string; logGroupIdentifier?: string }, ctx: RequestContext): GroupRef {
  const { logGroupName, logGroupIdentifier } = input;
  if (logGroupName !== undefined && logGroupIdentifier !== undefined) throw invalidParameter('LogGroupName and LogGroupIdentifier are mutually exclusive. Specify only one of them.');
  if (logGroupName !== undefined) return { accountId: ctx.accountId, region: ctx.region, name: logGroupName };
  if (logGroupIdentifier === undefined) throw invalidParameter('Either LogGroupName or LogGroupIdentifier must be specified.');
  return fromIdentifier(logGroupIdentifier, ctx);
}

export function fromIdentifier(identifier: string, ctx: RequestContext): GroupRef {
  if (!identifier.startsWith('arn:')) return { accountId: ctx.accountId, region: ctx.region, name: identifier };
  const m = /^arn:aws[\w-]*:logs:([^:]*):(\d{12}):log-group:([^:]+)(:\*)?$/.exec(identifier);
  if (!m) throw invalidParameter(`Invalid log group identifier: ${identifier}`);
  return { accountId: m[2]!, region: m[1]!, name: m[3]! };
}

/** The group's ARN as IAM sees it for most actions (with `:*`, as the LogGroup.arn documentation says). */
export const groupResource = (ref: GroupRef) => `${groupArn(ref.region, ref.accountId, ref.name)}:*`;

/** Fails like AWS when the group is absent; a group of another account is as absent as a missing one. */
export async function requireGroup(lc: LogsContext, ref: GroupRef, ctx: RequestContext) {
  if (ref.accountId !== ctx.accountId) throw groupNotFound();
  const group = await lc.state.getGroup(ref.accountId, ref.region, ref.name);
  if (!group) throw groupNotFound();
  return group;
}

/** Events before this time (epoch ms) have expired under the group's retention. */
export function retentionCutoff(group: GroupDoc, now: number): number {
  return group.retentionInDays ? now - group.retentionInDays * DAY_MS : 0;
}

/** Runs `attempt` until its conditional writes hold (another writer got there first), a bounded number of times. */
export async function retrying<T>(attempt: () => Promise<T>, tries = 25): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof ConditionFailedError) || i >= tries) {
        if (err instanceof ConditionFailedError) throw new ServiceError('OperationAbortedException', 'Multiple concurrent requests to update the same resource were in conflict.', { status: 400 });
        throw err;
      }
      await new Promise((r) => setTimeout(r, Math.min(50, i * 2)));
    }
  }
}

/** The 56-digit sequence token AWS reports (and no longer checks). */
export const sequenceToken = (seq: number) => String(seq).padStart(56, '0');
