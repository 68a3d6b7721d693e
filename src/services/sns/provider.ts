/**
 * SNS's operations as the gateway sees them: the handler, the IAM action
 * (SNS words its own actions "SNS:Publish" in denials, and matching is
 * case-insensitive), the ARNs each call acts on (the topic, so that its
 * policy takes part), Subscribe's sns:Endpoint/sns:Protocol condition keys,
 * and which calls may arrive unsigned. Platform applications, SMS and data
 * protection are absent, so the gateway answers them 501.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html
 */
import type { RequestContext } from '../../core/context.js';
import type { OperationSpec } from '../types.js';
import type { SnsContext } from './common.js';
import { publishHandlers } from './publish.js';
import { subscriptionHandlers } from './subscriptions.js';
import { topicHandlers } from './topics.js';
import { topicArn } from './names.js';

type Input = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const topicOf = (input: Input) => [str(input.TopicArn) ?? '*'];

function op(name: string, handler: (input: any, ctx: RequestContext) => unknown, resources?: (input: Input, ctx: RequestContext) => string[], extra: Partial<OperationSpec> = {}): OperationSpec {
  return {
    action: `SNS:${name}`,
    handler: handler as OperationSpec['handler'],
    ...(resources ? { resources } : {}),
    ...extra,
  };
}

export function snsOperations(c: SnsContext): Record<string, OperationSpec> {
  const t = topicHandlers(c);
  const s = subscriptionHandlers(c);
  const p = publishHandlers(c);
  return {
    CreateTopic: op('CreateTopic', t.CreateTopic, (input, ctx) => [topicArn(ctx.region, ctx.accountId, str(input.Name) ?? '*')]),
    DeleteTopic: op('DeleteTopic', t.DeleteTopic, topicOf),
    ListTopics: op('ListTopics', t.ListTopics),
    GetTopicAttributes: op('GetTopicAttributes', t.GetTopicAttributes, topicOf),
    SetTopicAttributes: op('SetTopicAttributes', t.SetTopicAttributes, topicOf),
    AddPermission: op('AddPermission', t.AddPermission, topicOf),
    RemovePermission: op('RemovePermission', t.RemovePermission, topicOf),
    TagResource: op('TagResource', t.TagResource, (input) => [str(input.ResourceArn) ?? '*']),
    UntagResource: op('UntagResource', t.UntagResource, (input) => [str(input.ResourceArn) ?? '*']),
    ListTagsForResource: op('ListTagsForResource', t.ListTagsForResource, (input) => [str(input.ResourceArn) ?? '*']),
    Subscribe: op('Subscribe', s.Subscribe, topicOf, {
      conditions: (input: Input) => ({ ...(str(input.Endpoint) ? { 'sns:Endpoint': input.Endpoint as string } : {}), ...(str(input.Protocol) ? { 'sns:Protocol': input.Protocol as string } : {}) }),
    }),
    ConfirmSubscription: op('ConfirmSubscription', s.ConfirmSubscription, topicOf, { anonymous: true }),
    Unsubscribe: op('Unsubscribe', s.Unsubscribe, undefined, { anonymous: true }),
    ListSubscriptions: op('ListSubscriptions', s.ListSubscriptions),
    ListSubscriptionsByTopic: op('ListSubscriptionsByTopic', s.ListSubscriptionsByTopic, topicOf),
    GetSubscriptionAttributes: op('GetSubscriptionAttributes', s.GetSubscriptionAttributes),
    SetSubscriptionAttributes: op('SetSubscriptionAttributes', s.SetSubscriptionAttributes),
    Publish: op('Publish', p.Publish, (input) => [str(input.TopicArn) ?? str(input.TargetArn) ?? '*']),
    // PublishBatch is authorized as sns:Publish.
    PublishBatch: op('Publish', p.PublishBatch, topicOf),
  };
}
