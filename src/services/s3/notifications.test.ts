import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createSequencer,
  encodeEventKey,
  eventMessage,
  eventRecord,
  matchingConfigurations,
  matchingTopics,
  sequencer,
  testEvent,
  validateNotificationConfiguration,
  type NotificationConfiguration,
  type ValidateOptions,
} from './notifications.js';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:handler';
const FN2 = 'arn:aws:lambda:us-east-1:123456789012:function:other';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:my-topic';
const QUEUE = 'arn:aws:sqs:us-east-1:123456789012:my-queue';

const opts = (over: Partial<ValidateOptions> = {}): ValidateOptions => ({
  region: 'us-east-1',
  accountId: '123456789012',
  canInvoke: async () => true,
  ...over,
});

/** The error S3 would send, as [code, message, extra members], or undefined when valid. */
async function failure(cfg: NotificationConfiguration, o: ValidateOptions = opts()) {
  try {
    await validateNotificationConfiguration(cfg, o);
  } catch (err) {
    const e = err as { code: string; message: string; status: number; fields: Record<string, unknown> };
    assert.equal(e.status, 400);
    return [e.code, e.message, e.fields];
  }
  return undefined;
}

const lambda = (events: string[], rules?: { Name: string; Value: string }[], arn = FN, Id?: string) => ({
  ...(Id === undefined ? {} : { Id }),
  LambdaFunctionArn: arn,
  Events: events,
  ...(rules ? { Filter: { Key: { FilterRules: rules } } } : {}),
});

const AMBIGUOUS = 'Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.';

describe('validateNotificationConfiguration', () => {
  it('accepts a valid configuration, generates missing Ids (base64 UUID) and spells rule names as S3 echoes them', async () => {
    const cfg: NotificationConfiguration = {
      LambdaFunctionConfigurations: [
        lambda(['s3:ObjectCreated:*'], [{ Name: 'prefix', Value: 'images/' }, { Name: 'SUFFIX', Value: '.jpg' }]),
        lambda(['s3:ObjectCreated:*'], [{ Name: 'Prefix', Value: 'images/' }, { Name: 'suffix', Value: '.png' }], FN2, 'mine'),
      ],
    };
    const seen: string[] = [];
    await validateNotificationConfiguration(cfg, opts({ canInvoke: async (arn) => (seen.push(arn), true) }));
    assert.deepEqual(seen, [FN, FN2]);
    const [first, second] = cfg.LambdaFunctionConfigurations!;
    assert.match(first!.Id!, /^[A-Za-z0-9+/]+=*$/);
    assert.match(Buffer.from(first!.Id!, 'base64').toString(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(second!.Id, 'mine');
    assert.deepEqual(first!.Filter!.Key!.FilterRules, [{ Name: 'Prefix', Value: 'images/' }, { Name: 'Suffix', Value: '.jpg' }]);
    assert.deepEqual(second!.Filter!.Key!.FilterRules!.map((r) => r.Name), ['Prefix', 'Suffix']);
  });

  it('accepts an empty configuration (disables notifications) and EventBridge alone', async () => {
    assert.equal(await failure({}), undefined);
    assert.equal(await failure({ EventBridgeConfiguration: {} }), undefined);
  });

  it('refuses unknown event names', async () => {
    assert.deepEqual(await failure({ LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:Nope'])] }), [
      'InvalidArgument',
      'The event is not supported for notifications',
      { ArgumentName: 'Event', ArgumentValue: 's3:ObjectCreated:Nope' },
    ]);
    assert.equal((await failure({ LambdaFunctionConfigurations: [lambda(['ObjectCreated:Put'])] }))?.[1], 'The event is not supported for notifications');
  });

  it('refuses unparseable ARNs naming the XML element, even when destination validation is skipped', async () => {
    const expected = (name: string, value: string) => ['InvalidArgument', 'The ARN could not be parsed', { ArgumentName: name, ArgumentValue: value }];
    assert.deepEqual(await failure({ LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'], undefined, 'invalid-queue')] }), expected('CloudFunction', 'invalid-queue'));
    assert.deepEqual(
      await failure({ LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'], undefined, 'invalid-queue')] }, opts({ skipDestinationValidation: true })),
      expected('CloudFunction', 'invalid-queue'),
    );
    assert.deepEqual(await failure({ TopicConfigurations: [{ TopicArn: 'invalid-topic', Events: ['s3:ObjectCreated:*'] }] }), expected('Topic', 'invalid-topic'));
    // An unparseable ARN wins over a destination that does not exist.
    assert.deepEqual(
      await failure({
        QueueConfigurations: [
          { Id: 'id1', QueueArn: QUEUE, Events: ['s3:ObjectCreated:*'] },
          { Id: 'id2', QueueArn: 'invalid_arn_2', Events: ['s3:ObjectRemoved:*'] },
        ],
      }),
      expected('Queue', 'invalid_arn_2'),
    );
    assert.deepEqual(await failure({ LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'], undefined, QUEUE)] }), expected('CloudFunction', QUEUE));
  });

  it('refuses destinations in another region', async () => {
    const arn = 'arn:aws:lambda:eu-west-1:123456789012:function:handler';
    assert.deepEqual(await failure({ LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'], undefined, arn)] }), [
      'InvalidArgument',
      'The notification destination service region is not valid for the bucket location constraint',
      {},
    ]);
  });

  it('refuses a Lambda the bucket may not invoke, with S3 ArgumentName1/ArgumentValue1 members', async () => {
    assert.deepEqual(await failure({ LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'], undefined, FN, 'id123')] }, opts({ canInvoke: async () => false })), [
      'InvalidArgument',
      'Unable to validate the following destination configurations',
      { ArgumentName1: `${FN}, null`, ArgumentValue1: `Not authorized to invoke function [${FN}]` },
    ]);
    // Skipping destination validation stores it anyway.
    const cfg = { LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'])] };
    assert.equal(await failure(cfg, opts({ canInvoke: async () => false, skipDestinationValidation: true })), undefined);
  });

  it('lists every failed destination; topics and queues fail as missing without a hook', async () => {
    const cfg: NotificationConfiguration = {
      TopicConfigurations: [{ TopicArn: TOPIC, Events: ['s3:ObjectRemoved:*'] }],
      QueueConfigurations: [{ QueueArn: QUEUE, Events: ['s3:ObjectRestore:*'] }],
      LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'])],
    };
    assert.deepEqual(await failure(cfg, opts({ canInvoke: async () => false })), [
      'InvalidArgument',
      'Unable to validate the following destination configurations',
      {
        ArgumentName1: TOPIC,
        ArgumentValue1: 'The destination topic does not exist',
        ArgumentName2: QUEUE,
        ArgumentValue2: 'The destination queue does not exist',
        ArgumentName3: `${FN}, null`,
        ArgumentValue3: `Not authorized to invoke function [${FN}]`,
      },
    ]);
    const denied = await failure(cfg, opts({ canPublish: async () => false, canSendMessage: async () => 'missing' }));
    assert.deepEqual(denied?.[2], {
      ArgumentName1: TOPIC,
      ArgumentValue1: 'Permissions on the destination topic do not allow S3 to publish notifications from this bucket',
      ArgumentName2: QUEUE,
      ArgumentValue2: 'The destination queue does not exist',
    });
    assert.equal(await failure(cfg, opts({ canPublish: async () => true, canSendMessage: async () => true })), undefined);
    assert.ok(cfg.TopicConfigurations![0]!.Id && cfg.QueueConfigurations![0]!.Id);
  });

  it('refuses two rules of one name in a filter and unknown rule names', async () => {
    const two = (name: string) => [{ Name: name, Value: 'a' }, { Name: name.toUpperCase(), Value: 'b' }];
    assert.deepEqual(await failure({ LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'], two('prefix'))] }), [
      'InvalidArgument',
      'Cannot specify more than one prefix rule in a filter.',
      { ArgumentName: 'FilterRule.Name', ArgumentValue: 'PREFIX' },
    ]);
    assert.equal((await failure({ LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'], two('suffix'))] }))?.[1], 'Cannot specify more than one suffix rule in a filter.');
    assert.deepEqual(await failure({ LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'], [{ Name: 'INVALID', Value: 'does not matter' }])] }), [
      'InvalidArgument',
      'filter rule name must be either prefix or suffix',
      { ArgumentName: 'FilterRule.Name', ArgumentValue: 'INVALID' },
    ]);
    assert.equal(
      (await failure({ LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'], [{ Name: 'prefix', Value: 'x'.repeat(1025) }])] }))?.[1],
      'Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation',
    );
    // An empty value is allowed (AWS accepts Suffix "").
    assert.equal(await failure({ LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'], [{ Name: 'suffix', Value: '' }])] }), undefined);
  });

  it('answers MalformedXML for what the schema requires', async () => {
    const malformed = ['MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema', {}];
    const bad: NotificationConfiguration[] = [
      { LambdaFunctionConfigurations: [{ Events: ['s3:ObjectCreated:*'] }] },
      { LambdaFunctionConfigurations: [{ LambdaFunctionArn: FN, Events: [] }] },
      { LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'], [{ Name: 'prefix' } as { Name: string; Value: string }])] },
      { QueueConfigurations: [lambda(['s3:ObjectCreated:*'], [{ Value: 'test' } as { Name: string; Value: string }]) as never] },
    ];
    for (const cfg of bad) assert.deepEqual(await failure(cfg), malformed);
  });

  it('refuses duplicate Ids', async () => {
    const cfg = { LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'], undefined, FN, 'same'), lambda(['s3:ObjectRemoved:*'], undefined, FN2, 'same')] };
    assert.equal((await failure(cfg))?.[1], 'Same ID used for multiple configurations. IDs must be unique.');
  });

  it('refuses overlapping prefixes/suffixes for a shared event type (AWS filtering guide examples)', async () => {
    // A rule without a prefix overlaps every prefix.
    const rootAndImages = {
      TopicConfigurations: [
        { TopicArn: TOPIC, Events: ['s3:ObjectCreated:*'] },
        { TopicArn: `${TOPIC}-two`, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'images' }] } } },
      ],
    };
    assert.deepEqual(await failure(rootAndImages, opts({ canPublish: async () => true })), ['InvalidArgument', AMBIGUOUS, {}]);
    // jpg and pg overlap; the wildcard shares ObjectCreated:Put.
    const suffixes = { LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'], [{ Name: 'suffix', Value: 'jpg' }]), lambda(['s3:ObjectCreated:Put'], [{ Name: 'suffix', Value: 'pg' }], FN2)] };
    assert.deepEqual(await failure(suffixes), ['InvalidArgument', AMBIGUOUS, {}]);
    const both = {
      LambdaFunctionConfigurations: [
        lambda(['s3:ObjectCreated:*'], [{ Name: 'prefix', Value: 'images' }, { Name: 'suffix', Value: 'jpg' }]),
        lambda(['s3:ObjectCreated:Put'], [{ Name: 'suffix', Value: 'jpg' }], FN2),
      ],
    };
    assert.deepEqual(await failure(both), ['InvalidArgument', AMBIGUOUS, {}]);
    // Overlap across destination kinds counts too.
    const mixed = { TopicConfigurations: [{ TopicArn: TOPIC, Events: ['s3:ObjectCreated:Put'] }], LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'], [{ Name: 'prefix', Value: 'a/' }])] };
    assert.deepEqual(await failure(mixed, opts({ canPublish: async () => true })), ['InvalidArgument', AMBIGUOUS, {}]);
  });

  it('refuses two unfiltered configurations sharing an event type with the overlap message', async () => {
    const cfg = { LambdaFunctionConfigurations: [lambda(['s3:ObjectRemoved:*']), lambda(['s3:ObjectRemoved:*'], undefined, FN2)] };
    assert.deepEqual(await failure(cfg), [
      'InvalidArgument',
      'Configurations overlap. Configurations on the same bucket cannot share a common event type.',
      { ArgumentName: 'Event', ArgumentValue: 's3:ObjectRemoved:*, s3:ObjectRemoved:*' },
    ]);
  });

  it('accepts what the filtering guide calls valid: disjoint prefixes, disjoint suffixes, different event types', async () => {
    const valid: NotificationConfiguration[] = [
      { LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:Put'], [{ Name: 'prefix', Value: 'images/' }]), lambda(['s3:ObjectCreated:Put'], [{ Name: 'prefix', Value: 'logs/' }], FN2)] },
      { LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:Put'], [{ Name: 'suffix', Value: '.jpg' }]), lambda(['s3:ObjectCreated:Put'], [{ Name: 'suffix', Value: '.png' }], FN2)] },
      { LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:Put'], [{ Name: 'prefix', Value: 'image/' }]), lambda(['s3:ObjectRemoved:*'], [{ Name: 'prefix', Value: 'image/' }], FN2)] },
      { LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:Put']), lambda(['s3:ObjectCreated:Copy'], undefined, FN2)] },
    ];
    for (const cfg of valid) assert.equal(await failure(cfg), undefined);
  });

  it('leaves the configuration untouched when it fails', async () => {
    const cfg = { LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'], [{ Name: 'prefix', Value: 'a' }])] };
    await failure(cfg, opts({ canInvoke: async () => false }));
    assert.deepEqual(cfg, { LambdaFunctionConfigurations: [lambda(['s3:ObjectCreated:*'], [{ Name: 'prefix', Value: 'a' }])] });
  });
});

describe('matchingConfigurations', () => {
  const cfg: NotificationConfiguration = {
    LambdaFunctionConfigurations: [
      { Id: 'created', LambdaFunctionArn: FN, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'Prefix', Value: 'uploads/' }, { Name: 'Suffix', Value: '.jpg' }] } } },
      { Id: 'put-only', LambdaFunctionArn: FN2, Events: ['s3:ObjectCreated:Put'], Filter: { Key: { FilterRules: [{ Name: 'Prefix', Value: 'raw/' }] } } },
      { Id: 'removed', LambdaFunctionArn: FN, Events: ['s3:ObjectRemoved:*'] },
    ],
    TopicConfigurations: [{ Id: 'topic', TopicArn: TOPIC, Events: ['s3:ObjectCreated:*'] }],
  };
  const ids = (event: string, key: string) => matchingConfigurations(cfg, event, key).map((m) => m.id);

  it('expands wildcards to every event of the family', () => {
    for (const event of ['ObjectCreated:Put', 'ObjectCreated:Post', 'ObjectCreated:Copy', 'ObjectCreated:CompleteMultipartUpload']) {
      assert.deepEqual(ids(event, 'uploads/a.jpg'), ['created'], event);
    }
    for (const event of ['ObjectRemoved:Delete', 'ObjectRemoved:DeleteMarkerCreated']) assert.deepEqual(ids(event, 'uploads/a.jpg'), ['removed'], event);
    assert.deepEqual(ids('ObjectRestore:Post', 'uploads/a.jpg'), []);
    assert.deepEqual(matchingConfigurations(cfg, 's3:ObjectCreated:Put', 'uploads/a.jpg'), [{ id: 'created', functionArn: FN }]);
  });

  it('matches exact events and applies prefix and suffix together', () => {
    assert.deepEqual(ids('ObjectCreated:Put', 'raw/x.bin'), ['put-only']);
    assert.deepEqual(ids('ObjectCreated:Copy', 'raw/x.bin'), []);
    assert.deepEqual(ids('ObjectCreated:Put', 'uploads/a.png'), []);
    assert.deepEqual(ids('ObjectCreated:Put', 'other/a.jpg'), []);
  });

  it('compares filters with the key as the event record encodes it', () => {
    const spaced: NotificationConfiguration = {
      LambdaFunctionConfigurations: [{ Id: 's', LambdaFunctionArn: FN, Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'my+dir/' }] } } }],
    };
    assert.equal(matchingConfigurations(spaced, 'ObjectCreated:Put', 'my dir/file.txt').length, 1);
    spaced.LambdaFunctionConfigurations![0]!.Filter!.Key!.FilterRules![0]!.Value = 'my dir/';
    assert.equal(matchingConfigurations(spaced, 'ObjectCreated:Put', 'my dir/file.txt').length, 0);
  });

  it('matchingTopics picks the topic configurations by the same rules, and only those', () => {
    assert.deepEqual(matchingTopics(cfg, 'ObjectCreated:Copy', 'anything'), [{ id: 'topic', topicArn: TOPIC }]);
    assert.deepEqual(matchingTopics(cfg, 'ObjectRemoved:Delete', 'anything'), []);
    const filtered: NotificationConfiguration = { TopicConfigurations: [{ Id: 'jpg', TopicArn: TOPIC, Events: ['s3:ObjectCreated:Put'], Filter: { Key: { FilterRules: [{ Name: 'Suffix', Value: '.jpg' }] } } }] };
    assert.equal(matchingTopics(filtered, 'ObjectCreated:Put', 'a b.jpg').length, 1);
    assert.equal(matchingTopics(filtered, 'ObjectCreated:Put', 'a.png').length, 0);
    assert.equal(matchingTopics(filtered, 'ObjectCreated:Post', 'a.jpg').length, 0);
    assert.deepEqual(matchingConfigurations(filtered, 'ObjectCreated:Put', 'a.jpg'), []);
  });
});

describe('event messages', () => {
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
  // "Example message when an object is created using a PUT request", verbatim.
  const AWS_PUT_EXAMPLE = `{
   "Records":[
      {
         "eventVersion":"2.1",
         "eventSource":"aws:s3",
         "awsRegion":"us-west-2",
         "eventTime":"1970-01-01T00:00:00.000Z",
         "eventName":"ObjectCreated:Put",
         "userIdentity":{
            "principalId":"AIDAJDPLRKLG7UEXAMPLE"
         },
         "requestParameters":{
            "sourceIPAddress":"127.0.0.1"
         },
         "responseElements":{
            "x-amz-request-id":"C3D13FE58DE4C810",
            "x-amz-id-2":"FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"
         },
         "s3":{
            "s3SchemaVersion":"1.0",
            "configurationId":"testConfigRule",
            "bucket":{
               "name":"mybucket",
               "ownerIdentity":{
                  "principalId":"A3NL1KOZZKExample"
               },
               "arn":"arn:aws:s3:::mybucket"
            },
            "object":{
               "key":"HappyFace.jpg",
               "size":1024,
               "eTag":"d41d8cd98f00b204e9800998ecf8427e",
               "versionId":"096fKKXTRTtl3on89fVO.nfljtsv6qko",
               "sequencer":"0055AED6DCD90281E5"
            }
         }
      }
   ]
}`;
  // "Amazon S3 test message", verbatim.
  const AWS_TEST_EXAMPLE = `{
   "Service":"Amazon S3",
   "Event":"s3:TestEvent",
   "Time":"2014-10-13T15:57:02.089Z",
   "Bucket":"bucketname",
   "RequestId":"5582815E1AEA5ADF",
   "HostId":"8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE"
}`;

  const putInput = {
    eventName: 'ObjectCreated:Put',
    region: 'us-west-2',
    eventTime: new Date(0),
    principalId: 'AIDAJDPLRKLG7UEXAMPLE',
    sourceIp: '127.0.0.1',
    requestId: 'C3D13FE58DE4C810',
    hostId: 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD',
    bucket: 'mybucket',
    bucketOwnerId: 'A3NL1KOZZKExample',
    key: 'HappyFace.jpg',
    size: 1024,
    eTag: '"d41d8cd98f00b204e9800998ecf8427e"',
    versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko',
    sequencer: '0055AED6DCD90281E5',
    configurationId: 'testConfigRule',
  };

  it("reproduces AWS's PUT example byte for byte, member order included", () => {
    const message = eventMessage([eventRecord(putInput)]);
    assert.deepEqual(message, JSON.parse(AWS_PUT_EXAMPLE));
    assert.equal(JSON.stringify(message), JSON.stringify(JSON.parse(AWS_PUT_EXAMPLE)));
  });

  it("reproduces AWS's test message", () => {
    const message = testEvent('bucketname', new Date('2014-10-13T15:57:02.089Z'), '5582815E1AEA5ADF', '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE');
    assert.equal(JSON.stringify(message), JSON.stringify(JSON.parse(AWS_TEST_EXAMPLE)));
  });

  it('drops versionId when not given, size and eTag on removals, and the s3: prefix of the name', () => {
    const { versionId: _v, ...unversioned } = putInput;
    assert.deepEqual(eventRecord(unversioned).s3.object, { key: 'HappyFace.jpg', size: 1024, eTag: 'd41d8cd98f00b204e9800998ecf8427e', sequencer: '0055AED6DCD90281E5' });
    const removed = eventRecord({ ...putInput, eventName: 's3:ObjectRemoved:Delete' });
    assert.equal(removed.eventName, 'ObjectRemoved:Delete');
    assert.equal(JSON.stringify(removed.s3.object), JSON.stringify({ key: 'HappyFace.jpg', versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko', sequencer: '0055AED6DCD90281E5' }));
    const marker = eventRecord({ ...putInput, eventName: 'ObjectRemoved:DeleteMarkerCreated', size: undefined, eTag: undefined });
    assert.deepEqual(Object.keys(marker.s3.object), ['key', 'versionId', 'sequencer']);
  });

  it('encodes keys the way S3 does: form-urlencoded, spaces as +, slashes kept', () => {
    assert.equal(encodeEventKey('red flower.jpg'), 'red+flower.jpg');
    assert.equal(encodeEventKey('a@b'), 'a%40b');
    assert.equal(encodeEventKey('testupload/dir1/testfile.txt'), 'testupload/dir1/testfile.txt');
    assert.equal(encodeEventKey('dt=2018-05-04/_SUCCESS'), 'dt%3D2018-05-04/_SUCCESS');
    assert.equal(encodeEventKey('a+b (1)~!\'*.txt'), 'a%2Bb+%281%29%7E%21%27*.txt');
    assert.equal(encodeEventKey('10:47:07 é€'), '10%3A47%3A07+%C3%A9%E2%82%AC');
    assert.equal(eventRecord({ ...putInput, key: 'my photos/a b.jpg' }).s3.object.key, 'my+photos/a+b.jpg');
  });
});

describe('sequencer', () => {
  it('is 18 uppercase hex digits like AWS examples', () => {
    assert.match(sequencer(), /^[0-9A-F]{18}$/);
  });

  it('increases strictly, within a millisecond, when the clock stalls or steps back', () => {
    const next = createSequencer();
    const values = [next(1000), next(1000), next(1000), next(999), next(1001), next(5000)];
    for (let i = 1; i < values.length; i++) assert.ok(values[i - 1]! < values[i]!, `${values[i - 1]} < ${values[i]}`);
    assert.equal(values[0], '0000000003E8000000');
    assert.equal(values[3], '0000000003E8000003');
  });

  it('carries into the next millisecond when the counter is exhausted', () => {
    const next = createSequencer('000000000001FFFFFE');
    assert.equal(next(1), '000000000001FFFFFF');
    assert.equal(next(1), '000000000002000000');
    assert.equal(next(2), '000000000002000001');
    assert.equal(next(3), '000000000003000000');
  });

  it('resumes after a persisted sequencer even when the clock went back', () => {
    const next = createSequencer('0000000003E8000005');
    assert.equal(next(10), '0000000003E8000006');
    assert.throws(() => createSequencer('xyz'));
  });
});
