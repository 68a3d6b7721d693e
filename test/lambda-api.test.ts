/**
 * Lambda's control plane end to end with the real SDK v3 client: creation
 * and its validation errors, the state machine through the SDK's waiters,
 * GetFunction's download link, pagination, updates with RevisionId,
 * versions, aliases and qualifiers, concurrency and account settings,
 * asynchronous-invocation settings and tags. Invoke and permissions are in
 * lambda-invoke.test.ts.
 */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import {
  CreateAliasCommand, CreateFunctionCommand, DeleteAliasCommand, DeleteFunctionCommand, DeleteFunctionConcurrencyCommand, DeleteFunctionEventInvokeConfigCommand,
  GetAccountSettingsCommand, GetAliasCommand, GetFunctionCommand, GetFunctionConcurrencyCommand, GetFunctionConfigurationCommand, GetFunctionEventInvokeConfigCommand,
  LambdaClient, ListAliasesCommand, ListFunctionEventInvokeConfigsCommand, ListFunctionsCommand, ListTagsCommand, ListVersionsByFunctionCommand, PublishVersionCommand,
  PutFunctionConcurrencyCommand, PutFunctionEventInvokeConfigCommand, TagResourceCommand, UntagResourceCommand, UpdateAliasCommand, UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand, UpdateFunctionEventInvokeConfigCommand, waitUntilFunctionActiveV2, waitUntilFunctionUpdatedV2, type CreateFunctionCommandInput,
} from '@aws-sdk/client-lambda';
import { createCodeLinks } from '../src/services/lambda/code-links.js';
import { ACCOUNT, clientConfig, type TestServer } from './harness.js';
import { EchoEngine, nodeZip, sha256b64, startLambdaServer, trustPolicy } from './clients/lambda.js';
import { makeZip } from './clients/zip.js';

const ROLE = `arn:aws:iam::${ACCOUNT}:role/fn-role`;
const ARN = (name: string, q?: string) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}${q ? `:${q}` : ''}`;

type AwsError = Error & { $metadata: { httpStatusCode: number } };
function expectError(code: string, status: number, message?: string | RegExp) {
  return (e: AwsError) => {
    assert.equal(e.name, code, e.message);
    assert.equal(e.$metadata.httpStatusCode, status);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  };
}

describe('lambda api', () => {
  let server: TestServer;
  let lambda: LambdaClient;
  const engine = new EchoEngine();
  const waiter = () => ({ client: lambda, maxWaitTime: 20, minDelay: 1, maxDelay: 1 });
  const base = (name: string, extra: Partial<CreateFunctionCommandInput> = {}): CreateFunctionCommandInput => ({
    FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: nodeZip() }, ...extra,
  });
  const create = async (name: string, extra: Partial<CreateFunctionCommandInput> = {}) => {
    const out = await lambda.send(new CreateFunctionCommand(base(name, extra)));
    // The waiter's first poll is immediate and its next a second later; the function settles in ~50 ms.
    await new Promise((r) => setTimeout(r, 80));
    await waitUntilFunctionActiveV2(waiter(), { FunctionName: name });
    return out;
  };

  before(async () => {
    server = await startLambdaServer(engine);
    lambda = new LambdaClient(clientConfig(server));
    const iam = new IAMClient(clientConfig(server));
    await iam.send(new CreateRoleCommand({ RoleName: 'fn-role', AssumeRolePolicyDocument: trustPolicy('lambda.amazonaws.com') }));
    await iam.send(new CreateRoleCommand({ RoleName: 'ec2-role', AssumeRolePolicyDocument: trustPolicy('ec2.amazonaws.com') }));
  });
  after(async () => server.close());

  it('CreateFunction: refuses bad input with the codes and messages AWS uses', async () => {
    const cases: [Partial<CreateFunctionCommandInput>, string, number, string | RegExp][] = [
      [{ Role: `arn:aws:iam::${ACCOUNT}:role/ec2-role` }, 'InvalidParameterValueException', 400, 'The role defined for the function cannot be assumed by Lambda.'],
      [{ Role: `arn:aws:iam::${ACCOUNT}:role/nobody` }, 'InvalidParameterValueException', 400, 'The role defined for the function cannot be assumed by Lambda.'],
      [{ Role: 'r1' }, 'ValidationException', 400, "1 validation error detected: Value 'r1' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+"],
      [{ Runtime: 'PYTHON3.9' as never }, 'InvalidParameterValueException', 400, /^Value PYTHON3.9 at 'runtime' failed to satisfy constraint: Member must satisfy enum value set: \[nodejs20.x, python3.14, .*\] or be a valid ARN$/],
      [{ Runtime: 'nodejs12.x' }, 'InvalidParameterValueException', 400, /^The runtime parameter of nodejs12.x is no longer supported/],
      [{ MemorySize: 64 }, 'ValidationException', 400, "1 validation error detected: Value '64' at 'memorySize' failed to satisfy constraint: Member must have value greater than or equal to 128"],
      [{ MemorySize: 20000 }, 'InvalidParameterValueException', 400, "'MemorySize' value failed to satisfy constraint: Member must have value less than or equal to 10240"],
      [{ Timeout: 901 }, 'ValidationException', 400, "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"],
      [{ EphemeralStorage: { Size: 100 } }, 'ValidationException', 400, /at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value greater than or equal to 512$/],
      [{ Handler: 'index handler' }, 'ValidationException', 400, /at 'handler' failed to satisfy constraint: Member must satisfy regular expression pattern/],
      [{ Code: { ZipFile: Buffer.from('not a zip') } }, 'InvalidParameterValueException', 400, 'Could not unzip uploaded file. Please check your file, then try to upload again.'],
      [{ Code: { S3Bucket: 'b', S3Key: 'k.zip' } }, 'InvalidParameterValueException', 400, 'Error occurred while GetObject. S3 Error Code: NoSuchBucket. S3 Error Message: The specified bucket does not exist'],
      [{ Architectures: ['x86_64', 'arm64'] }, 'ValidationException', 400, "1 validation error detected: Value '[x86_64, arm64]' at 'architectures' failed to satisfy constraint: Member must have length less than or equal to 1"],
      [{ Environment: { Variables: { AWS_REGION: 'x' } } }, 'InvalidParameterValueException', 400, /contains reserved keys .* Reserved keys used in this request: AWS_REGION$/],
    ];
    for (const [extra, code, status, message] of cases) {
      await assert.rejects(lambda.send(new CreateFunctionCommand(base('invalid', extra))), expectError(code, status, message), JSON.stringify(extra).slice(0, 80));
    }
    await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'invalid' })), expectError('ResourceNotFoundException', 404, `Function not found: ${ARN('invalid')}`));
  });

  it('CreateFunction: Pending, then Active through the SDK waiter; a second create conflicts', async () => {
    const zip = nodeZip();
    const out = await lambda.send(new CreateFunctionCommand(base('lifecycle', { Code: { ZipFile: zip }, Environment: { Variables: { AB: '1' } } })));
    assert.equal(out.State, 'Pending');
    assert.equal(out.StateReasonCode, 'Creating');
    assert.equal(out.LastUpdateStatus, undefined);
    assert.equal(out.FunctionArn, ARN('lifecycle'));
    assert.equal(out.CodeSha256, sha256b64(zip));
    assert.equal(out.CodeSize, zip.length);
    assert.equal(out.Version, '$LATEST');
    assert.equal(out.PackageType, 'Zip');
    assert.deepEqual(out.LoggingConfig, { LogFormat: 'Text', LogGroup: '/aws/lambda/lifecycle' });
    assert.deepEqual(out.Environment, { Variables: { AB: '1' } });
    assert.equal(out.MemorySize, 128);
    assert.equal(out.Timeout, 3);
    assert.deepEqual(out.EphemeralStorage, { Size: 512 });
    assert.deepEqual(out.Architectures, ['x86_64']);
    assert.match(out.LastModified!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    await assert.rejects(lambda.send(new CreateFunctionCommand(base('lifecycle'))), expectError('ResourceConflictException', 409, 'Function already exist: lifecycle'));
    assert.equal((await waitUntilFunctionActiveV2(waiter(), { FunctionName: 'lifecycle' })).state, 'SUCCESS');
    const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'lifecycle' }));
    assert.equal(cfg.State, 'Active');
    assert.equal(cfg.LastUpdateStatus, 'Successful');
    assert.equal(cfg.StateReason, undefined);
    assert.notEqual(cfg.RevisionId, out.RevisionId, 'settling is a change of its own');
  });

  it('GetFunction: Code.Location is a signed, expiring link to the package', async () => {
    const zip = makeZip({ 'index.mjs': 'export const handler = async () => 42;', 'data.txt': 'x'.repeat(1000) });
    await create('download', { Code: { ZipFile: zip }, Tags: { team: 'a' } });
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: 'download' }));
    assert.equal(got.Code!.RepositoryType, 'S3');
    assert.equal(got.Configuration!.CodeSha256, sha256b64(zip));
    assert.deepEqual(got.Tags, { team: 'a' });
    const location = new URL(got.Code!.Location!);
    assert.equal(location.origin, server.url);
    assert.match(location.pathname, /^\/_stratus\/lambda-code\/[\w-]+\.[\w-]+$/);
    const token = location.pathname.split('/').pop()!;
    // The same key the server derives from the root secret resolves the token to the stored package.
    const links = createCodeLinks(createHmac('sha256', server.root.secretAccessKey).update('stratus/lambda-code-links').digest());
    const ref = links.resolveCodeDownload(token)!;
    const blob = await server.stratus.storage.blobs.read(ref.blobKey);
    const chunks: Buffer[] = [];
    for await (const c of blob!) chunks.push(c as Buffer);
    assert.equal(sha256b64(Buffer.concat(chunks)), got.Configuration!.CodeSha256);
    assert.equal(links.resolveCodeDownload(token, Date.now() + 11 * 60 * 1000), undefined, 'expired after 10 minutes');
    assert.equal(links.resolveCodeDownload(token.slice(0, -2) + 'AA'), undefined, 'forged');
    const res = await fetch(location);
    if (res.status === 200) assert.equal(sha256b64(Buffer.from(await res.arrayBuffer())), sha256b64(zip));
    else await res.arrayBuffer(); // The gateway route is wired outside this service.
  });

  it('ListFunctions: pages with Marker/MaxItems; FunctionVersion=ALL adds versions', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) await create(n);
    await lambda.send(new PublishVersionCommand({ FunctionName: 'page-b' }));
    const seen: string[] = [];
    let marker: string | undefined;
    do {
      const page = await lambda.send(new ListFunctionsCommand({ MaxItems: 2, Marker: marker }));
      assert.ok(page.Functions!.length <= 2);
      seen.push(...page.Functions!.map((f) => f.FunctionName!));
      marker = page.NextMarker;
    } while (marker);
    for (const n of ['page-a', 'page-b', 'page-c']) assert.equal(seen.filter((s) => s === n).length, 1);
    const all = await lambda.send(new ListFunctionsCommand({ FunctionVersion: 'ALL', MaxItems: 1000 }));
    const b = all.Functions!.filter((f) => f.FunctionName === 'page-b').map((f) => f.Version);
    assert.deepEqual(b, ['$LATEST', '1']);
    assert.equal(all.Functions!.find((f) => f.FunctionName === 'page-a')!.State, undefined, 'lists carry no state');
    await assert.rejects(lambda.send(new ListFunctionsCommand({ FunctionVersion: 'SOME' as never })), expectError('ValidationException', 400));
  });

  it('UpdateFunctionCode/UpdateFunctionConfiguration: RevisionId preconditions, InProgress, waiter', async () => {
    const created = await create('updates');
    const before = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'updates' }));
    await assert.rejects(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'updates', MemorySize: 256, RevisionId: created.RevisionId })),
      expectError('PreconditionFailedException', 412, 'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id'),
    );
    const upd = await lambda.send(
      new UpdateFunctionConfigurationCommand({
        FunctionName: 'updates', RevisionId: before.RevisionId, MemorySize: 256, Timeout: 30, Handler: 'main.run', Runtime: 'python3.12',
        Environment: { Variables: { STAGE: 'dev' } }, EphemeralStorage: { Size: 1024 }, Description: 'changed',
      }),
    );
    assert.equal(upd.LastUpdateStatus, 'InProgress');
    assert.equal(upd.LastUpdateStatusReasonCode, 'Creating');
    await assert.rejects(
      lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'updates', Timeout: 5 })),
      expectError('ResourceConflictException', 409, `The operation cannot be performed at this time. An update is in progress for resource: ${ARN('updates')}`),
    );
    await waitUntilFunctionUpdatedV2(waiter(), { FunctionName: 'updates' });
    const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'updates' }));
    assert.deepEqual([cfg.MemorySize, cfg.Timeout, cfg.Handler, cfg.Runtime, cfg.Description, cfg.EphemeralStorage!.Size], [256, 30, 'main.run', 'python3.12', 'changed', 1024]);
    assert.deepEqual(cfg.Environment, { Variables: { STAGE: 'dev' } });
    assert.equal(cfg.LastUpdateStatus, 'Successful');

    const zip = nodeZip('export const handler = async () => "v2";');
    const dry = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'updates', ZipFile: zip, DryRun: true }));
    assert.equal(dry.CodeSha256, sha256b64(zip));
    assert.notEqual((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'updates' }))).CodeSha256, sha256b64(zip), 'DryRun changes nothing');
    const code = await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'updates', ZipFile: zip, RevisionId: cfg.RevisionId }));
    assert.equal(code.CodeSha256, sha256b64(zip));
    assert.equal(code.LastUpdateStatus, 'InProgress');
    await waitUntilFunctionUpdatedV2(waiter(), { FunctionName: 'updates' });
    assert.ok(engine.retired.some((r) => r.functionArn === ARN('updates') && r.version === '$LATEST'), 'old environments retired');
    await assert.rejects(lambda.send(new UpdateFunctionCodeCommand({ FunctionName: 'updates', ZipFile: Buffer.from('junk') })), expectError('InvalidParameterValueException', 400));
  });

  it('PublishVersion/ListVersionsByFunction: a version only when something changed; qualifiers resolve', async () => {
    await create('versions', { Description: 'first' });
    const v1 = await lambda.send(new PublishVersionCommand({ FunctionName: 'versions', Description: 'v1' }));
    assert.deepEqual([v1.Version, v1.FunctionArn, v1.Description, v1.State, v1.LastUpdateStatus], ['1', ARN('versions', '1'), 'v1', 'Active', 'Successful']);
    assert.equal((await lambda.send(new PublishVersionCommand({ FunctionName: 'versions' }))).Version, '1', 'unchanged: the same version');
    await assert.rejects(
      lambda.send(new PublishVersionCommand({ FunctionName: 'versions', CodeSha256: 'nope' })),
      expectError('InvalidParameterValueException', 400, /^CodeSHA256 \(nope\) is different from current CodeSHA256 in \$LATEST/),
    );
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'versions', Environment: { Variables: { VER: '2' } } }));
    await waitUntilFunctionUpdatedV2(waiter(), { FunctionName: 'versions' });
    assert.equal((await lambda.send(new PublishVersionCommand({ FunctionName: 'versions' }))).Version, '2');
    const list = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'versions' }));
    assert.deepEqual(list.Versions!.map((v) => [v.Version, v.FunctionArn]), [['$LATEST', ARN('versions', '$LATEST')], ['1', ARN('versions', '1')], ['2', ARN('versions', '2')]]);
    const paged = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'versions', MaxItems: 2 }));
    assert.equal(paged.Versions!.length, 2);
    const rest = await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'versions', Marker: paged.NextMarker }));
    assert.deepEqual(rest.Versions!.map((v) => v.Version), ['2']);

    const g1 = await lambda.send(new GetFunctionCommand({ FunctionName: 'versions', Qualifier: '1' }));
    assert.equal(g1.Configuration!.Environment, undefined);
    const g2 = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: `${ARN('versions')}:2` }));
    assert.deepEqual(g2.Environment, { Variables: { VER: '2' } });
    await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'versions', Qualifier: '9' })), expectError('ResourceNotFoundException', 404, `Function not found: ${ARN('versions', '9')}`));
    await assert.rejects(
      lambda.send(new GetFunctionCommand({ FunctionName: 'versions:1', Qualifier: '2' })),
      expectError('InvalidParameterValueException', 400, 'The derived qualifier from the function name does not match the specified qualifier.'),
    );
    await assert.rejects(lambda.send(new DeleteFunctionCommand({ FunctionName: 'versions', Qualifier: '$LATEST' })), expectError('InvalidParameterValueException', 400, '$LATEST version cannot be deleted without deleting the function.'));
    await lambda.send(new DeleteFunctionCommand({ FunctionName: 'versions', Qualifier: '1' }));
    await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'versions:1' })), expectError('ResourceNotFoundException', 404));
    assert.equal((await lambda.send(new GetFunctionCommand({ FunctionName: 'versions:2' }))).Configuration!.Version, '2');
  });

  it('CreateAlias/GetAlias/UpdateAlias/ListAliases/DeleteAlias: routing weights and alias qualifiers', async () => {
    await create('aliased');
    await lambda.send(new PublishVersionCommand({ FunctionName: 'aliased' }));
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'aliased', Timeout: 10 }));
    await waitUntilFunctionUpdatedV2(waiter(), { FunctionName: 'aliased' });
    await lambda.send(new PublishVersionCommand({ FunctionName: 'aliased' }));
    const alias = await lambda.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'live', FunctionVersion: '1', Description: 'prod', RoutingConfig: { AdditionalVersionWeights: { '2': 0.25 } } }));
    assert.deepEqual([alias.AliasArn, alias.FunctionVersion, alias.RoutingConfig?.AdditionalVersionWeights], [ARN('aliased', 'live'), '1', { '2': 0.25 }]);
    await assert.rejects(lambda.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'live', FunctionVersion: '1' })), expectError('ResourceConflictException', 409, `Alias already exists: ${ARN('aliased', 'live')}`));
    await assert.rejects(lambda.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: '2024', FunctionVersion: '1' })), expectError('ValidationException', 400, /at 'name' failed to satisfy constraint/));
    await assert.rejects(lambda.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'x', FunctionVersion: '7' })), expectError('ResourceNotFoundException', 404, `Function not found: ${ARN('aliased', '7')}`));
    await assert.rejects(
      lambda.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'x', FunctionVersion: '1', RoutingConfig: { AdditionalVersionWeights: { '2': 2 } } })),
      expectError('ValidationException', 400, /Value '\{2=2.0\}' at 'routingConfig.additionalVersionWeights'/),
    );
    const viaAlias = await lambda.send(new GetFunctionCommand({ FunctionName: 'aliased:live' }));
    assert.deepEqual([viaAlias.Configuration!.FunctionArn, viaAlias.Configuration!.Version], [ARN('aliased', 'live'), '1']);
    const got = await lambda.send(new GetAliasCommand({ FunctionName: 'aliased', Name: 'live' }));
    await assert.rejects(lambda.send(new UpdateAliasCommand({ FunctionName: 'aliased', Name: 'live', FunctionVersion: '2', RevisionId: 'stale' })), expectError('PreconditionFailedException', 412));
    const upd = await lambda.send(new UpdateAliasCommand({ FunctionName: 'aliased', Name: 'live', FunctionVersion: '2', RevisionId: got.RevisionId }));
    assert.deepEqual([upd.FunctionVersion, upd.RoutingConfig], ['2', undefined]);
    await assert.rejects(lambda.send(new UpdateAliasCommand({ FunctionName: 'aliased', Name: 'nope', FunctionVersion: '2' })), expectError('ResourceNotFoundException', 404, `Alias not found: ${ARN('aliased', 'nope')}`));
    await lambda.send(new CreateAliasCommand({ FunctionName: 'aliased', Name: 'old', FunctionVersion: '1' }));
    assert.deepEqual((await lambda.send(new ListAliasesCommand({ FunctionName: 'aliased' }))).Aliases!.map((a) => a.Name), ['live', 'old']);
    assert.deepEqual((await lambda.send(new ListAliasesCommand({ FunctionName: 'aliased', FunctionVersion: '1' }))).Aliases!.map((a) => a.Name), ['old']);
    await assert.rejects(lambda.send(new DeleteFunctionCommand({ FunctionName: 'aliased', Qualifier: '1' })), expectError('ResourceConflictException', 409, /aliases reference it: \[old\]/));
    await lambda.send(new DeleteAliasCommand({ FunctionName: 'aliased', Name: 'old' }));
    await lambda.send(new DeleteAliasCommand({ FunctionName: 'aliased', Name: 'old' })); // AWS: not an error
    await assert.rejects(lambda.send(new GetAliasCommand({ FunctionName: 'aliased', Name: 'old' })), expectError('ResourceNotFoundException', 404, `Cannot find alias arn: ${ARN('aliased', 'old')}`));
  });

  it('PutFunctionConcurrency/GetAccountSettings: reservations keep 100 unreserved', async () => {
    await create('reserved');
    const settings0 = await lambda.send(new GetAccountSettingsCommand({}));
    assert.deepEqual(settings0.AccountLimit, { TotalCodeSize: 80530636800, CodeSizeUnzipped: 262144000, CodeSizeZipped: 52428800, ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 1000 });
    assert.ok(settings0.AccountUsage!.FunctionCount! >= 1 && settings0.AccountUsage!.TotalCodeSize! > 0);
    assert.equal((await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'reserved', ReservedConcurrentExecutions: 100 }))).ReservedConcurrentExecutions, 100);
    await assert.rejects(
      lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'download', ReservedConcurrentExecutions: 801 })),
      expectError('InvalidParameterValueException', 400, "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100]."),
    );
    await assert.rejects(
      lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'reserved:1', ReservedConcurrentExecutions: 1 })),
      expectError('InvalidParameterValueException', 400, /^This operation is permitted on Lambda functions only/),
    );
    await assert.rejects(lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'ghost', ReservedConcurrentExecutions: 1 })), expectError('ResourceNotFoundException', 404, `Function not found: ${ARN('ghost', '$LATEST')}`));
    assert.equal((await lambda.send(new GetAccountSettingsCommand({}))).AccountLimit!.UnreservedConcurrentExecutions, 900);
    assert.deepEqual((await lambda.send(new GetFunctionCommand({ FunctionName: 'reserved' }))).Concurrency, { ReservedConcurrentExecutions: 100 });
    assert.equal((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'reserved' }))).ReservedConcurrentExecutions, 100);
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: 'reserved' }));
    assert.equal((await lambda.send(new GetFunctionConcurrencyCommand({ FunctionName: 'reserved' }))).ReservedConcurrentExecutions, undefined);
    assert.equal((await lambda.send(new GetAccountSettingsCommand({}))).AccountLimit!.UnreservedConcurrentExecutions, 1000);
  });

  it('PutFunctionEventInvokeConfig and friends: limits, destinations, merge on update', async () => {
    await create('async-cfg');
    await create('async-dest');
    await assert.rejects(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'async-cfg', MaximumRetryAttempts: 3 })), expectError('ValidationException', 400, /at 'maximumRetryAttempts'/));
    await assert.rejects(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'async-cfg', MaximumEventAgeInSeconds: 59 })), expectError('ValidationException', 400));
    await assert.rejects(lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'async-cfg' })), expectError('InvalidParameterValueException', 400, 'You must specify at least one of error handling or destination setting.'));
    await assert.rejects(
      lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'async-cfg', DestinationConfig: { OnFailure: { Destination: ARN('async-cfg') } } })),
      expectError('InvalidParameterValueException', 400, "You can't specify the function as a destination for itself."),
    );
    await assert.rejects(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'async-cfg' })), expectError('ResourceNotFoundException', 404, `The function ${ARN('async-cfg', '$LATEST')} doesn't have an EventInvokeConfig`));
    const put = await lambda.send(new PutFunctionEventInvokeConfigCommand({ FunctionName: 'async-cfg', MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: ARN('async-dest') } } }));
    assert.deepEqual([put.FunctionArn, put.MaximumRetryAttempts, put.DestinationConfig], [ARN('async-cfg', '$LATEST'), 0, { OnSuccess: {}, OnFailure: { Destination: ARN('async-dest') } }]);
    assert.ok(put.LastModified instanceof Date);
    const upd = await lambda.send(new UpdateFunctionEventInvokeConfigCommand({ FunctionName: 'async-cfg', MaximumEventAgeInSeconds: 3600 }));
    assert.deepEqual([upd.MaximumRetryAttempts, upd.MaximumEventAgeInSeconds, upd.DestinationConfig!.OnFailure!.Destination], [0, 3600, ARN('async-dest')]);
    assert.equal((await lambda.send(new ListFunctionEventInvokeConfigsCommand({ FunctionName: 'async-cfg' }))).FunctionEventInvokeConfigs!.length, 1);
    await lambda.send(new DeleteFunctionEventInvokeConfigCommand({ FunctionName: 'async-cfg' }));
    await assert.rejects(lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: 'async-cfg' })), expectError('ResourceNotFoundException', 404));
  });

  it('TagResource/UntagResource/ListTags: on the function ARN only', async () => {
    await create('tagged', { Tags: { a: '1' } });
    await lambda.send(new TagResourceCommand({ Resource: ARN('tagged'), Tags: { b: '2', c: '3' } }));
    await lambda.send(new UntagResourceCommand({ Resource: ARN('tagged'), TagKeys: ['c'] }));
    assert.deepEqual((await lambda.send(new ListTagsCommand({ Resource: ARN('tagged') }))).Tags, { a: '1', b: '2' });
    await assert.rejects(
      lambda.send(new TagResourceCommand({ Resource: ARN('tagged', '1'), Tags: { x: 'y' } })),
      expectError('InvalidParameterValueException', 400, 'Tags on function aliases and versions are not supported. Please specify a function ARN.'),
    );
    await assert.rejects(lambda.send(new ListTagsCommand({ Resource: ARN('untagged-ghost') })), expectError('ResourceNotFoundException', 404, `Function not found: ${ARN('untagged-ghost')}`));
  });

  it('DeleteFunction: removes the function with its versions, aliases and packages', async () => {
    await create('doomed', { Publish: true });
    await lambda.send(new CreateAliasCommand({ FunctionName: 'doomed', Name: 'live', FunctionVersion: '1' }));
    const before = (await lambda.send(new GetAccountSettingsCommand({}))).AccountUsage!.FunctionCount!;
    await lambda.send(new DeleteFunctionCommand({ FunctionName: ARN('doomed') }));
    await assert.rejects(lambda.send(new GetFunctionCommand({ FunctionName: 'doomed' })), expectError('ResourceNotFoundException', 404, `Function not found: ${ARN('doomed')}`));
    await assert.rejects(lambda.send(new DeleteFunctionCommand({ FunctionName: 'doomed' })), expectError('ResourceNotFoundException', 404));
    assert.equal((await lambda.send(new GetAccountSettingsCommand({}))).AccountUsage!.FunctionCount, before - 1);
    // A new function of the same name starts clean.
    await create('doomed');
    assert.deepEqual((await lambda.send(new ListVersionsByFunctionCommand({ FunctionName: 'doomed' }))).Versions!.map((v) => v.Version), ['$LATEST']);
    assert.deepEqual((await lambda.send(new ListAliasesCommand({ FunctionName: 'doomed' }))).Aliases, []);
  });
});
