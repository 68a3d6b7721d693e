/**
 * SNS's API end to end with real clients: @aws-sdk/client-sns for every
 * operation and error case, the AWS CLI v1 and v2, boto3
 * (test/clients/sns_boto3.py), IAM enforcement through the gateway
 * (AuthorizationError, topic policies) and the unsigned SubscribeURL /
 * UnsubscribeURL calls. What reaches subscribers is the delivery half's test.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import {
  AddPermissionCommand,
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListSubscriptionsCommand,
  ListTagsForResourceCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  RemovePermissionCommand,
  SetSubscriptionAttributesCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  TagResourceCommand,
  UnsubscribeCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-sns';
import type { SubscriptionDoc } from '../src/services/sns/contract.js';
import { ACCOUNT, clientConfig, REPO, startTestServer, tempDir, type TestServer } from './harness.js';

const run = promisify(execFile);
const LAMBDA = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:handler`;

/** The SDK's error: its exception name, message and HTTP status. */
async function fails(p: Promise<unknown>, name: string, message: string | RegExp, status = 400): Promise<void> {
  await assert.rejects(p, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(e.name, name, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    assert.equal(e.$metadata?.httpStatusCode, status);
    return true;
  });
}

describe('SNS API', () => {
  let server: TestServer;
  let sns: SNSClient;
  const arnOf = (name: string) => `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`;
  const create = async (Name: string, Attributes?: Record<string, string>) => (await sns.send(new CreateTopicCommand({ Name, Attributes }))).TopicArn!;
  /** The confirmation token the delivery half would have sent, read from the store. */
  const tokenOf = async (arn: string) => (await server.stratus.storage.documents.get<SubscriptionDoc>('sns.subscriptions', arn))!.value.token!;

  before(async () => {
    server = await startTestServer();
    sns = new SNSClient(clientConfig(server));
  });
  after(async () => server.close());

  describe('topics', () => {
    it('CreateTopic: idempotent for the same name and attributes, InvalidParameter when they differ', async () => {
      const arn = await create('orders', { DisplayName: 'Orders' });
      assert.equal(arn, arnOf('orders'));
      assert.equal(await create('orders', { DisplayName: 'Orders' }), arn);
      assert.equal(await create('orders'), arn);
      await fails(create('orders', { DisplayName: 'Other' }), 'InvalidParameterException', 'Invalid parameter: Attributes Reason: Topic already exists with different attributes');
      await fails(sns.send(new CreateTopicCommand({ Name: 'orders', Tags: [{ Key: 'k', Value: 'v' }] })), 'InvalidParameterException', 'Invalid parameter: Tags Reason: Topic already exists with different tags');
    });

    it('CreateTopic: topic names, FIFO names and FIFO-only attributes', async () => {
      await fails(create('bad name!'), 'InvalidParameterException', 'Invalid parameter: Topic Name');
      await fails(create('x'.repeat(257)), 'InvalidParameterException', 'Invalid parameter: Topic Name');
      await fails(create('std.fifo'), 'InvalidParameterException', 'Invalid parameter: Topic Name');
      await fails(create('nosuffix', { FifoTopic: 'true' }), 'InvalidParameterException', /^Invalid parameter: Fifo Topic names must end with \.fifo/);
      await fails(create('std2', { ContentBasedDeduplication: 'true' }), 'InvalidParameterException', 'If content-based deduplication is enabled, it must also be a FIFO topic.');
      const fifo = await create('jobs.fifo', { FifoTopic: 'true' });
      const attrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn: fifo }))).Attributes!;
      assert.equal(attrs.FifoTopic, 'true');
      assert.equal(attrs.ContentBasedDeduplication, 'false');
    });

    it('GetTopicAttributes: the read-only attributes and AWS\'s default policy document', async () => {
      const arn = await create('attrs');
      const a = (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!;
      assert.equal(a.TopicArn, arn);
      assert.equal(a.Owner, ACCOUNT);
      assert.equal(a.DisplayName, '');
      assert.equal(a.SubscriptionsConfirmed, '0');
      assert.equal(a.SubscriptionsPending, '0');
      assert.equal(a.SubscriptionsDeleted, '0');
      assert.deepEqual(JSON.parse(a.Policy!), {
        Version: '2008-10-17',
        Id: '__default_policy_ID',
        Statement: [
          {
            Sid: '__default_statement_ID',
            Effect: 'Allow',
            Principal: { AWS: '*' },
            Action: ['SNS:GetTopicAttributes', 'SNS:SetTopicAttributes', 'SNS:AddPermission', 'SNS:RemovePermission', 'SNS:DeleteTopic', 'SNS:Subscribe', 'SNS:ListSubscriptionsByTopic', 'SNS:Publish'],
            Resource: arn,
            Condition: { StringEquals: { 'AWS:SourceOwner': ACCOUNT } },
          },
        ],
      });
      assert.deepEqual(JSON.parse(a.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy, { minDelayTarget: 20, maxDelayTarget: 20, numRetries: 3, numMaxDelayRetries: 0, numNoDelayRetries: 0, numMinDelayRetries: 0, backoffFunction: 'linear' });
    });

    it('topic ARN errors: malformed, other region, missing topic', async () => {
      await fails(sns.send(new GetTopicAttributesCommand({ TopicArn: 'a:b:c' })), 'InvalidParameterException', 'Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 3');
      await fails(sns.send(new GetTopicAttributesCommand({ TopicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:attrs` })), 'InvalidParameterException', 'Invalid parameter: TopicArn');
      await fails(sns.send(new GetTopicAttributesCommand({ TopicArn: arnOf('nope') })), 'NotFoundException', 'Topic does not exist', 404);
      // DeleteTopic is idempotent.
      await sns.send(new DeleteTopicCommand({ TopicArn: arnOf('nope') }));
    });

    it('SetTopicAttributes: settable attributes, checked values, read-only ones refused', async () => {
      const arn = await create('settable');
      await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'DisplayName', AttributeValue: 'Shown' }));
      const policy = { http: { defaultHealthyRetryPolicy: { minDelayTarget: 5, maxDelayTarget: 30, numRetries: 10, backoffFunction: 'exponential' } } };
      await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'DeliveryPolicy', AttributeValue: JSON.stringify(policy) }));
      await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'SignatureVersion', AttributeValue: '2' }));
      await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'TracingConfig', AttributeValue: 'Active' }));
      const a = (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!;
      assert.equal(a.DisplayName, 'Shown');
      assert.equal(a.SignatureVersion, '2');
      assert.equal(a.TracingConfig, 'Active');
      assert.deepEqual(JSON.parse(a.DeliveryPolicy!), policy);
      assert.equal(JSON.parse(a.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numRetries, 10);
      assert.equal(JSON.parse(a.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numNoDelayRetries, 0);
      const tooMany = { http: { defaultHealthyRetryPolicy: { numRetries: 300 } } };
      await fails(sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'DeliveryPolicy', AttributeValue: JSON.stringify(tooMany) })), 'InvalidParameterException', 'Invalid parameter: DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100');
      await fails(create('settable2', { DeliveryPolicy: JSON.stringify(tooMany) }), 'InvalidParameterException', 'Invalid parameter: Attributes Reason: DeliveryPolicy: http.defaultHealthyRetryPolicy.numRetries must be less than or equal to 100');
      const badPolicy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'SNS:Publishx', Resource: arn }] };
      await fails(sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'Policy', AttributeValue: JSON.stringify(badPolicy) })), 'InvalidParameterException', 'Invalid parameter: Policy statement action out of service scope!');
      await fails(sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'FifoTopic', AttributeValue: 'true' })), 'InvalidParameterException', 'Invalid parameter: AttributeName');
      await fails(sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'Bogus', AttributeValue: 'x' })), 'InvalidParameterException', 'Invalid parameter: AttributeName');
      await fails(sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: 'HTTPSuccessFeedbackSampleRate', AttributeValue: '500' })), 'InvalidParameterException', 'Invalid parameter: HTTPSuccessFeedbackSampleRate: 500 value provided is not an integer between 0-100');
    });

    it('ListTopics: pages of 100 with NextToken', async () => {
      const names = Array.from({ length: 104 }, (_, i) => `page-${String(i).padStart(3, '0')}`);
      for (let i = 0; i < names.length; i += 8) await Promise.all(names.slice(i, i + 8).map((n) => create(n)));
      const first = await sns.send(new ListTopicsCommand({}));
      assert.equal(first.Topics!.length, 100);
      assert.ok(first.NextToken);
      const second = await sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
      assert.equal(second.NextToken, undefined);
      const all = [...first.Topics!, ...second.Topics!].map((t) => t.TopicArn!);
      assert.equal(new Set(all).size, all.length);
      for (const n of names) assert.ok(all.includes(arnOf(n)), n);
      await fails(sns.send(new ListTopicsCommand({ NextToken: '!!' })), 'InvalidParameterException', 'Invalid parameter: NextToken');
    });

    it('tags: TagResource, ListTagsForResource, UntagResource and their limits', async () => {
      const arn = (await sns.send(new CreateTopicCommand({ Name: 'tagged', Tags: [{ Key: 'team', Value: 'a' }] }))).TopicArn!;
      await sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'env', Value: 'dev' }, { Key: 'team', Value: 'b' }] }));
      const tags = (await sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags!;
      assert.deepEqual(Object.fromEntries(tags.map((t) => [t.Key, t.Value])), { team: 'b', env: 'dev' });
      await sns.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ['team'] }));
      assert.deepEqual((await sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags, [{ Key: 'env', Value: 'dev' }]);
      await fails(sns.send(new ListTagsForResourceCommand({ ResourceArn: arnOf('untagged-missing') })), 'ResourceNotFoundException', 'Resource does not exist', 404);
      await fails(sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] })), 'InvalidParameterException', 'Invalid parameter: Duplicated keys are not allowed.');
      const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
      await fails(sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: fifty })), 'TagLimitExceededException', 'Could not complete request: tag quota of per resource exceeded');
      const long = 'k'.repeat(129);
      await fails(sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: long, Value: 'v' }] })), 'ValidationError', `1 validation error detected: Value '${long}' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128`);
    });

    it('AddPermission/RemovePermission edit the Policy document', async () => {
      const arn = await create('shared');
      await sns.send(new AddPermissionCommand({ TopicArn: arn, Label: 'grant-publish', AWSAccountId: ['111122223333'], ActionName: ['Publish'] }));
      let doc = JSON.parse((await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!.Policy!);
      assert.equal(doc.Statement.length, 2);
      assert.deepEqual(doc.Statement[1], { Sid: 'grant-publish', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'SNS:Publish', Resource: arn });
      await fails(sns.send(new AddPermissionCommand({ TopicArn: arn, Label: 'grant-publish', AWSAccountId: ['111122223333'], ActionName: ['Publish'] })), 'InvalidParameterException', 'Invalid parameter: Statement already exists');
      await fails(sns.send(new AddPermissionCommand({ TopicArn: arn, Label: 'other', AWSAccountId: ['111122223333'], ActionName: ['CreateTopic'] })), 'InvalidParameterException', 'Invalid parameter: Policy statement action out of service scope!');
      await sns.send(new RemovePermissionCommand({ TopicArn: arn, Label: 'grant-publish' }));
      doc = JSON.parse((await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!.Policy!);
      assert.deepEqual(doc.Statement.map((s: { Sid: string }) => s.Sid), ['__default_statement_ID']);
    });
  });

  describe('subscriptions', () => {
    let topic: string;
    before(async () => {
      topic = await create('subs');
    });

    it('Subscribe: lambda is confirmed at once; http/email wait ("pending confirmation"); the same endpoint gives the same ARN', async () => {
      const lambda = (await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: LAMBDA }))).SubscriptionArn!;
      assert.match(lambda, new RegExp(`^${topic}:[0-9a-f-]{36}$`));
      assert.equal((await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: LAMBDA }))).SubscriptionArn, lambda);
      assert.equal((await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'http', Endpoint: 'http://hooks.test/a' }))).SubscriptionArn, 'pending confirmation');
      const email = (await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'email', Endpoint: 'ops@example.com', ReturnSubscriptionArn: true }))).SubscriptionArn!;
      assert.match(email, new RegExp(`^${topic}:`));
      const sqs = (await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'sqs', Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:queue` }))).SubscriptionArn!;
      assert.notEqual(sqs, 'pending confirmation');
      const listed = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topic }))).Subscriptions!;
      const byEndpoint = Object.fromEntries(listed.map((s) => [s.Endpoint, s]));
      assert.equal(byEndpoint[LAMBDA]!.SubscriptionArn, lambda);
      assert.equal(byEndpoint['http://hooks.test/a']!.SubscriptionArn, 'PendingConfirmation');
      assert.deepEqual(byEndpoint['ops@example.com'], { SubscriptionArn: 'PendingConfirmation', Owner: ACCOUNT, Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: topic });
      const counts = (await sns.send(new GetTopicAttributesCommand({ TopicArn: topic }))).Attributes!;
      assert.equal(counts.SubscriptionsConfirmed, '2');
      assert.equal(counts.SubscriptionsPending, '2');
      assert.ok((await sns.send(new ListSubscriptionsCommand({}))).Subscriptions!.some((s) => s.SubscriptionArn === lambda));
    });

    it('Subscribe: endpoints are checked as AWS does', async () => {
      const sub = (Protocol: string, Endpoint?: string) => sns.send(new SubscribeCommand({ TopicArn: topic, Protocol, Endpoint }));
      await fails(sub('http', 'https://hooks.test/a'), 'InvalidParameterException', 'Invalid parameter: Endpoint must match the specified protocol');
      await fails(sub('https', 'ftp://hooks.test/a'), 'InvalidParameterException', 'Invalid parameter: Endpoint must match the specified protocol');
      await fails(sub('email', 'not-an-address'), 'InvalidParameterException', 'Invalid parameter: Email address');
      await fails(sub('lambda', 'my-function'), 'InvalidParameterException', 'Invalid parameter: Lambda endpoint ARN');
      await fails(sub('sqs', 'queue-name'), 'InvalidParameterException', 'Invalid parameter: SQS endpoint ARN');
      await fails(sub('carrier-pigeon', 'coop'), 'InvalidParameterException', 'Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon');
      await fails(sub('sqs', `arn:aws:sqs:us-east-1:${ACCOUNT}:q.fifo`), 'InvalidParameterException', 'Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics');
      await fails(sns.send(new SubscribeCommand({ TopicArn: arnOf('no-topic'), Protocol: 'lambda', Endpoint: LAMBDA })), 'NotFoundException', 'Topic does not exist', 404);
      const fifo = (await sns.send(new CreateTopicCommand({ Name: 'endpoints.fifo', Attributes: { FifoTopic: 'true' } }))).TopicArn!;
      for (const [Protocol, Endpoint] of [['lambda', LAMBDA], ['https', 'https://hooks.test/a'], ['email', 'a@example.com']] as const) {
        await fails(sns.send(new SubscribeCommand({ TopicArn: fifo, Protocol, Endpoint })), 'InvalidParameterException', `Invalid parameter: Invalid protocol type: ${Protocol}`);
      }
      await sns.send(new DeleteTopicCommand({ TopicArn: fifo }));
      await fails(
        sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: LAMBDA, Attributes: { RawMessageDelivery: 'true' } })),
        'InvalidParameterException',
        'Invalid parameter: Attributes Reason: Delivery protocol [lambda] does not support raw message delivery.',
      );
    });

    it('ConfirmSubscription: the token confirms; a wrong one is refused; AuthenticateOnUnsubscribe marks it authenticated', async () => {
      const arn = (await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'https', Endpoint: 'https://hooks.test/confirm', ReturnSubscriptionArn: true }))).SubscriptionArn!;
      const before = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes!;
      assert.equal(before.PendingConfirmation, 'true');
      await fails(sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: 'ab'.repeat(128) })), 'InvalidParameterException', 'Invalid parameter: Token');
      await fails(sns.send(new ConfirmSubscriptionCommand({ TopicArn: arnOf('other'), Token: await tokenOf(arn) })), 'InvalidParameterException', 'Invalid parameter: Token');
      const confirmed = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: await tokenOf(arn), AuthenticateOnUnsubscribe: 'true' }));
      assert.equal(confirmed.SubscriptionArn, arn);
      const a = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes!;
      assert.equal(a.PendingConfirmation, 'false');
      assert.equal(a.ConfirmationWasAuthenticated, 'true');
    });

    it('Get/SetSubscriptionAttributes: filter policies, raw delivery, redrive, read-only attributes', async () => {
      const arn = (await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: `${LAMBDA}:live` }))).SubscriptionArn!;
      const set = (AttributeName: string, AttributeValue: string) => sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: arn, AttributeName, AttributeValue }));
      await set('FilterPolicy', JSON.stringify({ store: ['example_corp'], price_usd: [{ numeric: ['>=', 100] }] }));
      await set('RedrivePolicy', JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:${ACCOUNT}:dlq` }));
      const a = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes!;
      assert.equal(a.SubscriptionArn, arn);
      assert.equal(a.TopicArn, topic);
      assert.equal(a.Owner, ACCOUNT);
      assert.equal(a.Protocol, 'lambda');
      assert.equal(a.Endpoint, `${LAMBDA}:live`);
      assert.equal(a.PendingConfirmation, 'false');
      assert.equal(a.ConfirmationWasAuthenticated, 'true');
      assert.equal(a.RawMessageDelivery, 'false');
      assert.equal(a.FilterPolicyScope, 'MessageAttributes');
      assert.deepEqual(JSON.parse(a.FilterPolicy!), { store: ['example_corp'], price_usd: [{ numeric: ['>=', 100] }] });
      assert.ok(JSON.parse(a.EffectiveDeliveryPolicy!).healthyRetryPolicy);
      await fails(set('FilterPolicy', JSON.stringify({ a: { b: ['c'] } })), 'InvalidParameterException', 'Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy');
      await set('FilterPolicyScope', 'MessageBody');
      await set('FilterPolicy', JSON.stringify({ a: { b: ['c'] } }));
      await fails(set('FilterPolicyScope', 'MessageAttributes'), 'InvalidParameterException', 'Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy');
      await fails(set('FilterPolicyScope', 'Everything'), 'InvalidParameterException', 'Invalid parameter: FilterPolicyScope: Invalid value [Everything]. Please use either MessageBody or MessageAttributes');
      await fails(set('FilterPolicy', '{"a": ['), 'InvalidParameterException', 'Invalid parameter: FilterPolicy: failed to parse JSON.');
      await fails(set('FilterPolicy', JSON.stringify({ a: Array.from({ length: 151 }, (_, i) => String(i)) })), 'InvalidParameterException', 'Invalid parameter: FilterPolicy: Filter policy is too complex');
      await fails(set('RawMessageDelivery', 'maybe'), 'InvalidParameterException', 'Invalid parameter: RawMessageDelivery: Invalid value [maybe]. Must be true or false.');
      await fails(set('RedrivePolicy', JSON.stringify({ deadLetterTargetArn: 'dlq' })), 'InvalidParameterException', 'Invalid parameter: RedrivePolicy: deadLetterTargetArn is an invalid arn');
      await fails(set('Endpoint', 'x'), 'InvalidParameterException', 'Invalid parameter: AttributeName');
      await set('FilterPolicy', '');
      assert.equal((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes!.FilterPolicy, undefined);

      const http = (await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'http', Endpoint: 'http://hooks.test/raw', ReturnSubscriptionArn: true }))).SubscriptionArn!;
      await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: http, AttributeName: 'RawMessageDelivery', AttributeValue: 'TRUE' }));
      assert.equal((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: http }))).Attributes!.RawMessageDelivery, 'true');
    });

    it('Subscribe with attributes: checked like SetSubscriptionAttributes; different attributes for the same endpoint are refused', async () => {
      const policy = JSON.stringify({ kind: ['a'] });
      const arn = (await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: `${LAMBDA}:filtered`, Attributes: { FilterPolicy: policy } }))).SubscriptionArn!;
      assert.equal((await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: `${LAMBDA}:filtered`, Attributes: { FilterPolicy: policy } }))).SubscriptionArn, arn);
      await fails(
        sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: `${LAMBDA}:filtered`, Attributes: { FilterPolicy: JSON.stringify({ kind: ['b'] }) } })),
        'InvalidParameterException',
        'Invalid parameter: Attributes Reason: Subscription already exists with different attributes',
      );
      await fails(
        sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: `${LAMBDA}:other`, Attributes: { FilterPolicy: JSON.stringify({ a: [], b: ['x'] }) } })),
        'InvalidParameterException',
        'Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed',
      );
      await fails(sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: `${LAMBDA}:other`, Attributes: { Colour: 'red' } })), 'InvalidParameterException', 'Invalid parameter: Attributes Reason: AttributeName');
    });

    it('Unsubscribe and subscription ARN errors', async () => {
      const arn = (await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: `${LAMBDA}:gone` }))).SubscriptionArn!;
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
      await fails(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn })), 'NotFoundException', 'Subscription does not exist', 404);
      await sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
      await fails(sns.send(new UnsubscribeCommand({ SubscriptionArn: 'pending confirmation' })), 'InvalidParameterException', 'Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1');
      await fails(sns.send(new UnsubscribeCommand({ SubscriptionArn: topic })), 'InvalidParameterException', 'Invalid parameter: SubscriptionId');
    });

    it('DeleteTopic deletes its subscriptions', async () => {
      const t = await create('doomed');
      const arn = (await sns.send(new SubscribeCommand({ TopicArn: t, Protocol: 'lambda', Endpoint: LAMBDA }))).SubscriptionArn!;
      await sns.send(new DeleteTopicCommand({ TopicArn: t }));
      await fails(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn })), 'NotFoundException', 'Subscription does not exist', 404);
      await fails(sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: t })), 'NotFoundException', 'Topic does not exist', 404);
    });
  });

  describe('publish', () => {
    let topic: string;
    before(async () => {
      topic = await create('news');
    });

    it('Publish: TopicArn or TargetArn, a message id', async () => {
      const a = await sns.send(new PublishCommand({ TopicArn: topic, Message: 'hello', Subject: 'Greetings' }));
      assert.match(a.MessageId!, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.equal(a.SequenceNumber, undefined);
      const b = await sns.send(new PublishCommand({ TargetArn: topic, Message: 'hello again', MessageAttributes: { n: { DataType: 'Number', StringValue: '1.5' }, b: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) }, tags: { DataType: 'String.Array', StringValue: '["a", 1, true]' } } }));
      assert.notEqual(b.MessageId, a.MessageId);
      await fails(sns.send(new PublishCommand({ TopicArn: arnOf('missing'), Message: 'x' })), 'NotFoundException', 'Topic does not exist', 404);
      await fails(sns.send(new PublishCommand({ Message: 'x' })), 'InvalidParameterException', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
      await fails(sns.send(new PublishCommand({ TargetArn: `arn:aws:sns:us-east-1:${ACCOUNT}:endpoint/GCM/app/1234`, Message: 'x' })), 'InvalidParameterException', 'Invalid parameter: TargetArn Reason: No endpoint found for the target arn specified');
    });

    it('Publish: subject and message checks', async () => {
      const pub = (input: Record<string, unknown>) => sns.send(new PublishCommand({ TopicArn: topic, Message: 'x', ...input }));
      await pub({ Subject: 's'.repeat(99) });
      await fails(pub({ Subject: 's'.repeat(100) }), 'InvalidParameterException', 'Invalid parameter: Subject');
      await fails(pub({ Subject: 'line\nbreak' }), 'InvalidParameterException', 'Invalid parameter: Subject');
      await fails(pub({ Subject: 'café' }), 'InvalidParameterException', 'Invalid parameter: Subject');
      await fails(pub({ Subject: '' }), 'InvalidParameterException', 'Invalid parameter: Subject');
      await fails(pub({ Message: '' }), 'InvalidParameterException', 'Invalid parameter: Empty message');
      await pub({ Message: 'm'.repeat(256 * 1024) });
      await fails(pub({ Message: 'm'.repeat(256 * 1024 + 1) }), 'InvalidParameterException', 'Invalid parameter: Message too long');
      // Attributes count against the 256 KB too.
      await fails(pub({ Message: 'm'.repeat(256 * 1024 - 5), MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }), 'InvalidParameterException', 'Invalid parameter: Message too long');
    });

    it('Publish: message attribute checks (ParameterValueInvalid, ValidationError)', async () => {
      const pub = (MessageAttributes: Record<string, unknown>) => sns.send(new PublishCommand({ TopicArn: topic, Message: 'x', MessageAttributes: MessageAttributes as never }));
      await fails(pub({ n: { DataType: 'Number', StringValue: 'abc' } }), 'InvalidParameterValueException', "Could not cast message attribute 'n' value to number.");
      await fails(pub({ t: { DataType: 'Integer', StringValue: '1' } }), 'InvalidParameterValueException', "The message attribute 't' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.");
      await fails(pub({ s: { DataType: 'String', BinaryValue: Buffer.from('x') } }), 'InvalidParameterValueException', "The message attribute 's' with type 'String' must use field 'String'.");
      await fails(pub({ s: { DataType: 'String', StringValue: '' } }), 'InvalidParameterValueException', "The message attribute 's' must contain non-empty message attribute value for message attribute type 'String'.");
      await fails(pub({ '.dot': { DataType: 'String', StringValue: 'v' } }), 'InvalidParameterValueException', "Invalid message attribute name starting with character '.' was found.");
      await fails(pub({ 'a..b': { DataType: 'String', StringValue: 'v' } }), 'InvalidParameterValueException', "Message attribute name can not have successive '.' character.");
      await fails(pub({ 'sp ace': { DataType: 'String', StringValue: 'v' } }), 'InvalidParameterValueException', "Invalid non-alphanumeric character '#x20' was found in the message attribute name. Can only include alphanumeric characters, hyphens, underscores, or dots.");
      await fails(pub({ k: { StringValue: 'v' } }), 'ValidationError', "1 validation error detected: Value null at 'messageAttributes.k.member.dataType' failed to satisfy constraint: Member must not be null");
      await pub({ custom: { DataType: 'Number.float', StringValue: '2.5' } });
    });

    it('Publish: MessageStructure=json needs a "default" key', async () => {
      await sns.send(new PublishCommand({ TopicArn: topic, MessageStructure: 'json', Message: JSON.stringify({ default: 'd', lambda: 'l', email: 'e' }) }));
      await fails(sns.send(new PublishCommand({ TopicArn: topic, MessageStructure: 'json', Message: JSON.stringify({ lambda: 'l' }) })), 'InvalidParameterException', 'Invalid parameter: Message Structure - No default entry in JSON message body');
      await fails(sns.send(new PublishCommand({ TopicArn: topic, MessageStructure: 'json', Message: JSON.stringify({ default: { not: 'a string' } }) })), 'InvalidParameterException', 'Invalid parameter: Message Structure - No default entry in JSON message body');
      await fails(sns.send(new PublishCommand({ TopicArn: topic, MessageStructure: 'json', Message: 'not json' })), 'InvalidParameterException', 'Invalid parameter: Message Structure - JSON message body failed to parse');
    });

    it('Publish to FIFO topics: MessageGroupId required, deduplication, sequence numbers', async () => {
      const fifo = await create('events.fifo', { FifoTopic: 'true' });
      await fails(sns.send(new PublishCommand({ TopicArn: fifo, Message: 'x' })), 'InvalidParameterException', 'Invalid parameter: The MessageGroupId parameter is required for FIFO topics');
      await fails(sns.send(new PublishCommand({ TopicArn: fifo, Message: 'x', MessageGroupId: 'g' })), 'InvalidParameterException', 'Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
      const a = await sns.send(new PublishCommand({ TopicArn: fifo, Message: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
      const b = await sns.send(new PublishCommand({ TopicArn: fifo, Message: 'y', MessageGroupId: 'g', MessageDeduplicationId: 'd2' }));
      assert.match(a.SequenceNumber!, /^\d{20}$/);
      assert.ok(BigInt(b.SequenceNumber!) > BigInt(a.SequenceNumber!));
      const dup = await sns.send(new PublishCommand({ TopicArn: fifo, Message: 'x', MessageGroupId: 'g', MessageDeduplicationId: 'd1' }));
      assert.equal(dup.MessageId, a.MessageId);
      assert.equal(dup.SequenceNumber, a.SequenceNumber);
      await fails(sns.send(new PublishCommand({ TopicArn: topic, Message: 'x', MessageDeduplicationId: 'd' })), 'InvalidParameterException', 'Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
    });

    it('PublishBatch: Successful entries, and the batch errors', async () => {
      const out = await sns.send(new PublishBatchCommand({ TopicArn: topic, PublishBatchRequestEntries: [{ Id: 'one', Message: 'a' }, { Id: 'two', Message: 'b', Subject: 'S', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } }] }));
      assert.deepEqual(out.Successful!.map((e) => e.Id), ['one', 'two']);
      assert.equal(new Set(out.Successful!.map((e) => e.MessageId)).size, 2);
      assert.deepEqual(out.Failed, []);
      const batch = (PublishBatchRequestEntries: Array<{ Id: string; Message: string; MessageAttributes?: never }>) => sns.send(new PublishBatchCommand({ TopicArn: topic, PublishBatchRequestEntries }));
      await fails(batch([]), 'EmptyBatchRequestException', "The batch request doesn't contain any entries.");
      await fails(batch(Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, Message: 'm' }))), 'TooManyEntriesInBatchRequestException', 'The batch request contains more entries than permissible.');
      await fails(batch([{ Id: 'same', Message: 'a' }, { Id: 'same', Message: 'b' }]), 'BatchEntryIdsNotDistinctException', 'Two or more batch entries in the request have the same Id.');
      await fails(batch([{ Id: 'bad id!', Message: 'a' }]), 'InvalidBatchEntryIdException', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.');
      await fails(batch([{ Id: 'a', Message: 'm'.repeat(200 * 1024) }, { Id: 'b', Message: 'm'.repeat(100 * 1024) }]), 'BatchRequestTooLongException', 'The length of all the messages put together is more than the limit.');
      await fails(
        batch([{ Id: 'a', Message: 'x' }, { Id: 'b', Message: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'NaN-ish' } } as never }]),
        'InvalidParameterValueException',
        "Could not cast message attribute 'n' value to number.",
      );
      await fails(sns.send(new PublishBatchCommand({ TopicArn: arnOf('missing'), PublishBatchRequestEntries: [{ Id: 'a', Message: 'x' }] })), 'NotFoundException', 'Topic does not exist', 404);
    });

    it('the platform application, SMS and data protection operations answer 501', async () => {
      const { ListPlatformApplicationsCommand, GetSMSAttributesCommand, GetDataProtectionPolicyCommand } = await import('@aws-sdk/client-sns');
      for (const cmd of [new ListPlatformApplicationsCommand({}), new GetSMSAttributesCommand({}), new GetDataProtectionPolicyCommand({ ResourceArn: topic })]) {
        await assert.rejects(sns.send(cmd as never), (e: Error & { $metadata: { httpStatusCode: number } }) => e.name === 'NotImplemented' && e.$metadata.httpStatusCode === 501);
      }
    });
  });

  describe('IAM', () => {
    let topic: string;
    let user: (name: string, policy?: object) => Promise<SNSClient>;
    before(async () => {
      topic = await create('guarded');
      const iam = new IAMClient(clientConfig(server));
      user = async (name, policy) => {
        await iam.send(new CreateUserCommand({ UserName: name }));
        if (policy) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify(policy) }));
        const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
        return new SNSClient(clientConfig(server, { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! }));
      };
    });

    it('a user without sns:Publish gets AuthorizationError (403), in SNS\'s words', async () => {
      const nobody = await user('nobody');
      await fails(
        nobody.send(new PublishCommand({ TopicArn: topic, Message: 'x' })),
        'AuthorizationErrorException',
        `User: arn:aws:iam::${ACCOUNT}:user/nobody is not authorized to perform: SNS:Publish on resource: ${topic} because no identity-based policy allows the SNS:Publish action`,
        403,
      );
      await fails(nobody.send(new ListTopicsCommand({})), 'AuthorizationErrorException', /is not authorized to perform: SNS:ListTopics/, 403);
    });

    it('identity policies grant per topic; Subscribe honours sns:Protocol', async () => {
      const other = await create('unguarded');
      const client = await user('publisher', {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: 'sns:Publish', Resource: topic },
          { Effect: 'Allow', Action: 'sns:Subscribe', Resource: topic, Condition: { StringEquals: { 'sns:Protocol': 'https' } } },
        ],
      });
      await client.send(new PublishCommand({ TopicArn: topic, Message: 'allowed' }));
      await client.send(new PublishBatchCommand({ TopicArn: topic, PublishBatchRequestEntries: [{ Id: 'a', Message: 'allowed' }] }));
      await fails(client.send(new PublishCommand({ TopicArn: other, Message: 'x' })), 'AuthorizationErrorException', /SNS:Publish on resource: .*:unguarded/, 403);
      assert.equal((await client.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'https', Endpoint: 'https://hooks.test/iam' }))).SubscriptionArn, 'pending confirmation');
      await fails(client.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: LAMBDA })), 'AuthorizationErrorException', /SNS:Subscribe/, 403);
    });

    it('a topic policy can allow another principal, and deny even the account root', async () => {
      const guest = await user('guest');
      await fails(guest.send(new PublishCommand({ TopicArn: topic, Message: 'x' })), 'AuthorizationErrorException', /SNS:Publish/, 403);
      const policy = {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'guest', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/guest` }, Action: ['SNS:Publish', 'SNS:GetTopicAttributes'], Resource: topic },
          { Sid: 'nosubs', Effect: 'Deny', Principal: '*', Action: 'SNS:Subscribe', Resource: topic },
        ],
      };
      await sns.send(new SetTopicAttributesCommand({ TopicArn: topic, AttributeName: 'Policy', AttributeValue: JSON.stringify(policy) }));
      await guest.send(new PublishCommand({ TopicArn: topic, Message: 'now allowed' }));
      assert.equal((await guest.send(new GetTopicAttributesCommand({ TopicArn: topic }))).Attributes!.TopicArn, topic);
      await fails(guest.send(new SetTopicAttributesCommand({ TopicArn: topic, AttributeName: 'DisplayName', AttributeValue: 'x' })), 'AuthorizationErrorException', /SNS:SetTopicAttributes/, 403);
      await fails(sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'lambda', Endpoint: LAMBDA })), 'AuthorizationErrorException', /with an explicit deny in a resource-based policy$/, 403);
    });
  });

  describe('unsigned SubscribeURL and UnsubscribeURL', () => {
    it('GET ?Action=ConfirmSubscription confirms; GET ?Action=Unsubscribe removes; AuthenticateOnUnsubscribe keeps it', async (t) => {
      const topic = await create('links');
      const arn = (await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'https', Endpoint: 'https://hooks.test/links', ReturnSubscriptionArn: true }))).SubscriptionArn!;
      const confirmUrl = `${server.url}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topic)}&Token=${await tokenOf(arn)}`;
      const res = await fetch(confirmUrl);
      const body = await res.text();
      if (res.status === 403 && /MissingAuthenticationToken|IncompleteSignature|InvalidClientTokenId|SignatureDoesNotMatch|AccessDenied/.test(body)) {
        t.skip('the gateway does not admit unsigned SNS calls yet (the delivery half changes it)');
        return;
      }
      assert.equal(res.status, 200, body);
      assert.match(body, new RegExp(`<ConfirmSubscriptionResult><SubscriptionArn>${arn}</SubscriptionArn></ConfirmSubscriptionResult>`));
      const a = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes!;
      assert.equal(a.PendingConfirmation, 'false');
      assert.equal(a.ConfirmationWasAuthenticated, 'false');
      const unsub = await fetch(`${server.url}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(arn)}`);
      assert.equal(unsub.status, 200, await unsub.text());
      await fails(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn })), 'NotFoundException', 'Subscription does not exist', 404);

      const kept = (await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: 'https', Endpoint: 'https://hooks.test/kept', ReturnSubscriptionArn: true }))).SubscriptionArn!;
      await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topic, Token: await tokenOf(kept), AuthenticateOnUnsubscribe: 'true' }));
      const refused = await fetch(`${server.url}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(kept)}`);
      assert.equal(refused.status, 403);
      assert.match(await refused.text(), /<Code>AuthorizationError<\/Code>/);
      assert.equal((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: kept }))).Attributes!.PendingConfirmation, 'false');
      // Other SNS calls still need a signature.
      const listed = await fetch(`${server.url}/?Action=ListTopics`);
      assert.equal(listed.status, 403);
    });
  });

  describe('other clients', () => {
    let env: NodeJS.ProcessEnv;
    before(() => {
      env = { PATH: process.env.PATH, HOME: tempDir(), AWS_ACCESS_KEY_ID: server.root.accessKeyId, AWS_SECRET_ACCESS_KEY: server.root.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1', AWS_ENDPOINT_URL: server.url, AWS_PAGER: '' };
    });

    async function cliRound(aws: (args: string[]) => Promise<{ stdout: string }>, name: string) {
      const { TopicArn } = JSON.parse((await aws(['sns', 'create-topic', '--name', name])).stdout);
      assert.equal(TopicArn, arnOf(name));
      const { SubscriptionArn } = JSON.parse((await aws(['sns', 'subscribe', '--topic-arn', TopicArn, '--protocol', 'lambda', '--notification-endpoint', LAMBDA, '--attributes', '{"FilterPolicy":"{\\"k\\":[\\"v\\"]}"}'])).stdout);
      assert.match(SubscriptionArn, new RegExp(`^${TopicArn}:`));
      const listed = JSON.parse((await aws(['sns', 'list-subscriptions-by-topic', '--topic-arn', TopicArn])).stdout);
      assert.deepEqual(listed.Subscriptions, [{ SubscriptionArn, Owner: ACCOUNT, Protocol: 'lambda', Endpoint: LAMBDA, TopicArn }]);
      const { MessageId } = JSON.parse((await aws(['sns', 'publish', '--topic-arn', TopicArn, '--subject', 'cli', '--message', 'from the cli', '--message-attributes', '{"k":{"DataType":"String","StringValue":"v"}}'])).stdout);
      assert.match(MessageId, /^[0-9a-f-]{36}$/);
      await assert.rejects(aws(['sns', 'publish', '--topic-arn', arnOf(`${name}-missing`), '--message', 'x']), (e: Error & { stderr: string }) => /NotFound.*Topic does not exist/.test(e.stderr));
    }

    it('AWS CLI v1: create-topic, subscribe, list-subscriptions-by-topic, publish', async () => {
      await cliRound((args) => run('aws', [...args, '--output', 'json'], { env }), 'cli-v1');
    });

    it('AWS CLI v2 (/usr/bin/aws) with --endpoint-url', { skip: existsSync('/usr/bin/aws') ? false : '/usr/bin/aws is not installed (.ci/run installs it)' }, async () => {
      const v2env: NodeJS.ProcessEnv = { ...env, PATH: '/usr/bin:/bin' };
      delete v2env.AWS_ENDPOINT_URL;
      await cliRound((args) => run('/usr/bin/aws', ['--endpoint-url', server.url, ...args, '--output', 'json'], { env: v2env }), 'cli-v2');
    });

    it('boto3: topics, filtered subscription, publish, publish_batch and modeled exceptions', async () => {
      const { stdout } = await run('python3', [join(REPO, 'test/clients/sns_boto3.py')], { env });
      const out = JSON.parse(stdout);
      assert.equal(out.topic, arnOf('boto3-topic'));
      assert.equal(out.again, out.topic);
      assert.equal(out.displayName, 'From boto3');
      assert.deepEqual(out.filterPolicy, { kind: ['order'] });
      assert.equal(out.pending, 'false');
      assert.match(out.messageId, /^[0-9a-f-]{36}$/);
      assert.deepEqual(out.batch, { successful: ['a', 'b'], failed: [] });
      assert.deepEqual(out.errors, {
        notFound: ['NotFound', 'Topic does not exist', 404],
        badNumber: ['ParameterValueInvalid', "Could not cast message attribute 'n' value to number."],
        badEmail: ['InvalidParameter', 'Invalid parameter: Email address'],
        nested: ['InvalidParameter', 'Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy'],
      });
      assert.equal(out.listed.length, 1);
      assert.deepEqual(out.afterDelete, []);
    });
  });
});
