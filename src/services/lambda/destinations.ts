/**
 * Where an asynchronous event goes when it ends: destinations get Lambda's
 * invocation record, a dead-letter topic gets the event itself with
 * RequestID/ErrorCode/ErrorMessage attributes. Lambda sends both with the
 * function's execution role, so its IAM policies (and, for SNS, the topic
 * policy) must allow the call; otherwise the record is dropped, as on AWS.
 * SNS is reached through `SnsPublisher`, handed in by the composition root:
 * its writes join the batch that removes the event.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
import type { Principal } from '../../core/context.js';
import type { Authorizer } from '../../identity/authorizer.js';
import type { Directory } from '../../identity/types.js';
import type { WriteOp } from '../../storage/types.js';
import type { AsyncEvent } from './async-queue.js';
import { invalidParameter } from './errors.js';
import type { VersionRecord } from './models.js';
import { roleFromArn } from './role.js';

type MessageAttributes = Record<string, { Type: string; Value: string }>;

/** SNS as Lambda's destinations and dead-letter queues see it. */
export interface SnsPublisher {
  /**
   * The writes that publish a message to the topic as `principal` (IAM and
   * the topic policy decide), for the caller's own batch; or SNS's refusal.
   */
  publishOps(
    topicArn: string,
    msg: { message: string; subject?: string; messageAttributes?: MessageAttributes },
    principal: Principal,
  ): Promise<{ ok: true; ops: WriteOp[] } | { ok: false; code: string; message: string }>;
  /** After those writes committed: deliver. */
  wake(): void;
}

/** The function's execution role session, as Lambda uses it to reach destinations. */
export async function executionPrincipal(directory: Directory, version: Pick<VersionRecord, 'role' | 'functionName'>): Promise<Principal | undefined> {
  const role = await roleFromArn(directory, version.role);
  if (!role) return undefined;
  const accountId = role.arn.split(':')[4]!;
  return {
    type: 'assumed-role',
    arn: `arn:aws:sts::${accountId}:assumed-role/${role.roleName}/${version.functionName}`,
    accountId,
    userId: `${role.roleId}:${version.functionName}`,
    name: role.roleName,
    sessionName: version.functionName,
    roleArn: role.arn,
  };
}

const DLQ_ACTIONS: Record<string, [action: string, call: string, service: string]> = {
  sns: ['sns:Publish', 'Publish', 'SNS'],
  sqs: ['sqs:SendMessage', 'SendMessage', 'SQS'],
};

/**
 * CreateFunction and UpdateFunctionConfiguration refuse a DeadLetterConfig
 * target the execution role may not send to, as AWS does ("The provided
 * execution role does not have permissions to call Publish on SNS."). Only
 * the role's own policies are asked; the topic policy is checked when a
 * message is sent.
 */
export async function checkDeadLetterTarget(directory: Directory, authorizer: Authorizer | undefined, fn: Pick<VersionRecord, 'role' | 'functionName'>, targetArn: string | undefined): Promise<void> {
  const known = targetArn ? DLQ_ACTIONS[targetArn.split(':')[2] ?? ''] : undefined;
  if (!targetArn || !known || !authorizer) return;
  const [action, call, service] = known;
  const principal = await executionPrincipal(directory, fn);
  const allowed = principal ? (await authorizer.authorize({ principal, action, resources: [targetArn], context: {} })).allowed : false;
  if (!allowed) throw invalidParameter(`The provided execution role does not have permissions to call ${call} on ${service}.`);
}

/** Why an event failed when no response says so (throttles and system errors until the event expired). */
export interface FailureCause {
  statusCode: number;
  message: string;
}

const MAX_ERROR_MESSAGE_BYTES = 1024;

function truncate(text: string, bytes: number): string {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= bytes) return text;
  // Cut on a character boundary.
  let end = bytes;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

/**
 * The attributes Lambda puts on a dead-letter message: RequestID (String),
 * ErrorCode (Number, the 3-digit HTTP status: 200 for a function error) and
 * ErrorMessage (String, the function's errorMessage, at most 1 KB), as AWS
 * sends them (recorded: ErrorCode "200", ErrorMessage "Test exception (this
 * is intentional)" for a Python function raising that exception).
 */
export function deadLetterAttributes(e: AsyncEvent, cause?: FailureCause): MessageAttributes {
  const r = e.lastResponse;
  let statusCode = cause?.statusCode ?? 429;
  let message = cause?.message ?? 'Rate Exceeded.';
  if (r) {
    statusCode = r.statusCode;
    message = r.functionError ?? 'Unhandled';
    try {
      const parsed = JSON.parse(r.payload ?? '') as { errorMessage?: unknown; errorType?: unknown };
      if (typeof parsed?.errorMessage === 'string' && parsed.errorMessage !== '') message = parsed.errorMessage;
      else if (typeof parsed?.errorType === 'string' && parsed.errorType !== '') message = parsed.errorType;
    } catch {
      if (r.payload) message = r.payload;
    }
  }
  return {
    RequestID: { Type: 'String', Value: e.id },
    ErrorCode: { Type: 'Number', Value: String(statusCode) },
    ErrorMessage: { Type: 'String', Value: truncate(message, MAX_ERROR_MESSAGE_BYTES) || 'Unhandled' },
  };
}
