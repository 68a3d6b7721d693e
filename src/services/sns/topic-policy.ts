/**
 * Topic access policies: the default document every topic starts with (the
 * account owner's statement, conditioned on AWS:SourceOwner), the checks SNS
 * applies to a Policy attribute, the statements AddPermission adds and
 * RemovePermission removes, and the evaluation that lets a service
 * (s3.amazonaws.com for bucket notifications) publish. Callers' own requests
 * are evaluated by the gateway's authorizer against the document
 * `resourcePolicy` returns.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html
 * https://docs.aws.amazon.com/sns/latest/api/API_AddPermission.html
 * https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-language-api-permissions-reference.html
 */
import { compilePolicy, evaluate, isPolicyError, parsePolicy } from '../../identity/policy/index.js';
import type { TopicDoc } from './contract.js';
import { invalidParameter } from './errors.js';

/** The actions a topic policy may name (besides sns:* and *). */
export const TOPIC_ACTIONS = [
  'GetTopicAttributes',
  'SetTopicAttributes',
  'AddPermission',
  'RemovePermission',
  'DeleteTopic',
  'Subscribe',
  'ListSubscriptionsByTopic',
  'Publish',
  'Receive',
  'GetDataProtectionPolicy',
  'PutDataProtectionPolicy',
];
const ACTION_SET = new Set(TOPIC_ACTIONS.map((a) => a.toLowerCase()));

/** The document GetTopicAttributes shows for a topic whose Policy was never set. */
export function defaultPolicy(topicArn: string, ownerAccount: string): string {
  return JSON.stringify({
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'],
        Resource: topicArn,
        Condition: { StringEquals: { 'AWS:SourceOwner': ownerAccount } },
      },
    ],
  });
}

export function topicPolicy(topic: TopicDoc): string {
  return topic.attributes.Policy ?? defaultPolicy(topic.arn, topic.accountId);
}

/** A Policy attribute value: a policy document whose actions all belong to SNS. `prefix` words the error for Create or Set. */
export function checkPolicy(text: string, prefix: string): void {
  let doc;
  try {
    doc = parsePolicy(text);
  } catch (err) {
    if (isPolicyError(err)) throw invalidParameter(`${prefix}Policy: ${err.message}`);
    throw err;
  }
  for (const st of doc.Statement) {
    for (const action of st.Action ?? st.NotAction ?? []) {
      const a = action.toLowerCase();
      if (a === '*' || a === 'sns:*') continue;
      if (!a.startsWith('sns:') || (!ACTION_SET.has(a.slice(4)) && !a.slice(4).includes('*'))) {
        throw invalidParameter(`${prefix}Policy statement action out of service scope!`);
      }
    }
  }
}

interface PolicyDoc {
  Version?: string;
  Id?: string;
  Statement: Array<Record<string, unknown>>;
}

function statements(text: string): PolicyDoc {
  const doc = JSON.parse(text) as PolicyDoc;
  if (!Array.isArray(doc.Statement)) doc.Statement = doc.Statement ? [doc.Statement as unknown as Record<string, unknown>] : [];
  return doc;
}

/** AddPermission: one Allow statement, Sid = Label, for the accounts' roots and SNS:<action>s. */
export function addPermission(topic: TopicDoc, label: string, accounts: string[], actions: string[]): string {
  const doc = statements(topicPolicy(topic));
  if (doc.Statement.some((st) => st.Sid === label)) throw invalidParameter('Invalid parameter: Statement already exists');
  for (const action of actions) {
    if (action !== '*' && !ACTION_SET.has(action.toLowerCase())) throw invalidParameter('Invalid parameter: Policy statement action out of service scope!');
  }
  const principals = accounts.map((a) => (/^\d{12}$/.test(a) ? `arn:aws:iam::${a}:root` : a));
  const names = actions.map((a) => (a === '*' ? 'SNS:*' : `SNS:${TOPIC_ACTIONS.find((t) => t.toLowerCase() === a.toLowerCase())}`));
  doc.Statement.push({
    Sid: label,
    Effect: 'Allow',
    Principal: { AWS: principals.length === 1 ? principals[0] : principals },
    Action: names.length === 1 ? names[0] : names,
    Resource: topic.arn,
  });
  return JSON.stringify(doc);
}

/** RemovePermission: drops the statement whose Sid is the label. */
export function removePermission(topic: TopicDoc, label: string): string | undefined {
  const doc = statements(topicPolicy(topic));
  const kept = doc.Statement.filter((st) => st.Sid !== label);
  if (kept.length === doc.Statement.length) return undefined;
  doc.Statement = kept;
  return JSON.stringify(doc);
}

export interface ServiceSource {
  /** e.g. s3.amazonaws.com */
  servicePrincipal: string;
  /** The resource on whose behalf the service publishes (a bucket ARN). */
  sourceArn: string;
  sourceAccount: string;
}

/** Whether the topic's policy lets `source` call SNS:Publish (a service has no identity policies: the topic policy alone decides). */
export function servicePolicyAllows(topic: TopicDoc, source: ServiceSource): boolean {
  let compiled;
  try {
    compiled = compilePolicy(topicPolicy(topic));
  } catch {
    return false;
  }
  const decision = evaluate(
    {
      principal: { type: 'service', arn: source.servicePrincipal, accountId: '', servicePrincipal: source.servicePrincipal },
      action: 'sns:Publish',
      resource: topic.arn,
      resourceAccountId: topic.accountId,
      context: { 'aws:SourceArn': source.sourceArn, 'aws:SourceAccount': source.sourceAccount },
    },
    { resource: compiled },
  );
  return decision.decision === 'Allow';
}
