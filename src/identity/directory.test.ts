import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Principal } from '../core/context.js';
import { MemoryDocumentStore } from '../storage/memory.js';
import { SqliteDocumentStore } from '../storage/sqlite/documents.js';
import type { DocumentStore } from '../storage/types.js';
import { createDirectory, DirectoryError, type GroupDoc, type IamDirectory, type RoleDoc, type UserDoc } from './directory.js';
import { getManagedPolicy } from './managed/index.js';

const ACCOUNT = '123456789012';
const allow = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const SES = 'arn:aws:iam::aws:policy/AmazonSESFullAccess';
const CLOUDWATCH = 'arn:aws:iam::aws:policy/CloudWatchFullAccess';

function user(name: string, id = `AIDA${name.toUpperCase().padEnd(17, 'X').slice(0, 17)}`): UserDoc {
  return { userName: name, userId: id, arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, path: '/', createDate: new Date().toISOString(), tags: [], inline: {}, attached: [], groups: [], accessKeys: [] };
}

function group(name: string): GroupDoc {
  return { groupName: name, groupId: `AGPA${name}`, arn: `arn:aws:iam::${ACCOUNT}:group/${name}`, path: '/', createDate: new Date().toISOString(), members: [], inline: {}, attached: [] };
}

function role(name: string, id = 'AROAEXAMPLEEXAMPLE1'): RoleDoc {
  return { roleName: name, roleId: id, arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, path: '/', assumeRolePolicyDocument: TRUST, maxSessionDuration: 3600, createDate: new Date().toISOString(), tags: [], inline: {}, attached: [] };
}

function session(r: RoleDoc, extra: Partial<Principal> = {}): Principal {
  return { type: 'assumed-role', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${r.roleName}/s`, accountId: ACCOUNT, userId: `${r.roleId}:s`, roleArn: r.arn, sessionName: 's', ...extra };
}

async function failureOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DirectoryError) return err.failure.code;
    throw err;
  }
  return 'ok';
}

describe('IAM directory', () => {
  it('policiesFor: a user gets its inline and attached policies, its groups\' too, and its boundary', async () => {
    const dir = createDirectory(new MemoryDocumentStore());
    await dir.entities.create('user', ACCOUNT, user('lambda_upload'));
    await dir.entities.putInline('user', ACCOUNT, 'lambda_upload', 'lambda-upload-policy', allow('lambda:GetFunction'));
    await dir.entities.attach('user', ACCOUNT, 'lambda_upload', SES);
    await dir.entities.create('group', ACCOUNT, group('deployers'));
    await dir.entities.putInline('group', ACCOUNT, 'deployers', 'g-inline', allow('s3:PutObject'));
    const custom = await dir.policies.create(ACCOUNT, { policyName: 'Logs', path: '/', document: allow('logs:GetLogEvents'), tags: [] });
    await dir.policies.createVersion(ACCOUNT, custom.arn, allow('logs:*'), true);
    await dir.entities.attach('group', ACCOUNT, 'deployers', custom.arn);
    await dir.entities.attach('group', ACCOUNT, 'deployers', SES);
    await dir.users.addToGroup(ACCOUNT, 'deployers', 'lambda_upload');
    await dir.entities.setBoundary('user', ACCOUNT, 'lambda_upload', CLOUDWATCH);

    const key = await dir.users.createAccessKey(ACCOUNT, 'lambda_upload');
    const creds = await dir.findAccessKey(key.accessKeyId);
    assert.equal(creds?.secretAccessKey, key.secretAccessKey);
    assert.equal(creds?.active, true);
    const policies = await dir.policiesFor(creds!.principal);
    assert.deepEqual(policies.identity, [allow('lambda:GetFunction'), allow('s3:PutObject'), JSON.stringify(getManagedPolicy(SES)!.Document), allow('logs:*')]);
    assert.equal(policies.boundary, JSON.stringify(getManagedPolicy(CLOUDWATCH)!.Document));
  });

  it('policiesFor: an assumed role gets the role\'s inline and attached policies and its session policies', async () => {
    const dir = createDirectory(new MemoryDocumentStore());
    const r = role('ContactFormRole');
    await dir.entities.create('role', ACCOUNT, r);
    await dir.entities.attach('role', ACCOUNT, 'ContactFormRole', SES);
    await dir.entities.attach('role', ACCOUNT, 'ContactFormRole', CLOUDWATCH);
    await dir.entities.putInline('role', ACCOUNT, 'ContactFormRole', 'extra', allow('sns:Publish'));
    const policies = await dir.policiesFor(session(r, { sessionPolicies: [allow('ses:SendEmail')] }));
    assert.deepEqual(policies.identity, [allow('sns:Publish'), JSON.stringify(getManagedPolicy(SES)!.Document), JSON.stringify(getManagedPolicy(CLOUDWATCH)!.Document)]);
    assert.deepEqual(policies.session, [allow('ses:SendEmail')]);
    assert.equal(policies.boundary, undefined);
  });

  it('policiesFor: sessions and keys of a deleted identity stay powerless when the name is reused', async () => {
    const dir = createDirectory(new MemoryDocumentStore());
    const r = role('R', 'AROAOLDOLDOLDOLDOLD');
    await dir.entities.create('role', ACCOUNT, r);
    await dir.entities.delete('role', ACCOUNT, 'R');
    await dir.entities.create('role', ACCOUNT, role('R', 'AROANEWNEWNEWNEWNEW'));
    await dir.entities.putInline('role', ACCOUNT, 'R', 'p', allow('s3:*'));
    assert.deepEqual((await dir.policiesFor(session(r))).identity, []);

    await dir.entities.create('user', ACCOUNT, user('u', 'AIDAOLDOLDOLDOLDOLD'));
    const old: Principal = { type: 'user', arn: `arn:aws:iam::${ACCOUNT}:user/u`, accountId: ACCOUNT, userId: 'AIDAOLDOLDOLDOLDOLD', name: 'u' };
    await dir.entities.delete('user', ACCOUNT, 'u');
    await dir.entities.create('user', ACCOUNT, user('u', 'AIDANEWNEWNEWNEWNEW'));
    await dir.entities.putInline('user', ACCOUNT, 'u', 'p', allow('s3:*'));
    assert.deepEqual((await dir.policiesFor(old)).identity, []);
  });

  it('policiesFor: root, anonymous and service principals have no identity policies', async () => {
    const dir = createDirectory(new MemoryDocumentStore());
    for (const type of ['root', 'anonymous', 'service'] as const) {
      assert.deepEqual(await dir.policiesFor({ type, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, userId: ACCOUNT }), { identity: [] });
    }
  });

  it('findAccessKey: unknown keys resolve to nothing; deactivated ones resolve inactive', async () => {
    const dir = createDirectory(new MemoryDocumentStore());
    assert.equal(await dir.findAccessKey('AKIAAAAAAAAAAAAAAAAA'), undefined);
    await dir.entities.create('user', ACCOUNT, user('u'));
    const key = await dir.users.createAccessKey(ACCOUNT, 'u');
    await dir.users.setAccessKeyStatus(ACCOUNT, 'u', key.accessKeyId, 'Inactive');
    const creds = await dir.findAccessKey(key.accessKeyId);
    assert.equal(creds?.active, false);
    assert.deepEqual(creds?.principal, { type: 'user', arn: `arn:aws:iam::${ACCOUNT}:user/u`, accountId: ACCOUNT, userId: user('u').userId, accessKeyId: key.accessKeyId, name: 'u' });
  });

  it('getUser/getRole/managedPolicyDocument: lookups ignore name case and expose records only', async () => {
    const dir = createDirectory(new MemoryDocumentStore());
    await dir.entities.create('user', ACCOUNT, user('Alice'));
    const record = await dir.getUser(ACCOUNT, 'ALICE');
    assert.equal(record?.userName, 'Alice');
    assert.equal((record as unknown as Record<string, unknown>).accessKeys, undefined);
    assert.equal(await dir.getRole(ACCOUNT, 'nope'), undefined);
    const p = await dir.policies.create(ACCOUNT, { policyName: 'P', path: '/x/', document: allow('s3:*'), tags: [] });
    assert.equal(await dir.managedPolicyDocument(ACCOUNT, p.arn), allow('s3:*'));
    assert.equal(await dir.managedPolicyDocument(ACCOUNT, `arn:aws:iam::${ACCOUNT}:policy/P`), undefined, 'the path is part of the ARN');
    assert.equal(await dir.managedPolicyDocument('999999999999', p.arn), undefined, 'another account cannot use it');
  });

  it('list: pages through many entities with a path filter, across store reads', async () => {
    const dir = createDirectory(new MemoryDocumentStore());
    for (let i = 0; i < 250; i++) await dir.entities.create('user', ACCOUNT, { ...user(`u${String(i).padStart(3, '0')}`), path: i % 2 ? '/odd/' : '/' });
    const names: string[] = [];
    let marker: string | undefined;
    do {
      const page = await dir.entities.list('user', ACCOUNT, '/odd/', { marker, maxItems: 40 });
      names.push(...page.items.map((u) => u.userName));
      marker = page.isTruncated ? page.marker : undefined;
    } while (marker);
    assert.equal(names.length, 125);
    assert.equal(names[0], 'u001');
    assert.equal(names.at(-1), 'u249');
  });
});

/** The same races against each store: the invariants must hold whoever wins. */
function races(name: string, open: () => Promise<{ a: IamDirectory; b: IamDirectory; close(): Promise<void> }>) {
  describe(`IAM directory races (${name})`, () => {
    it('create: 50 concurrent creations of one name give exactly one success', async () => {
      const { a, b, close } = await open();
      const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => failureOf((i % 2 ? a : b).entities.create('user', ACCOUNT, user(i % 3 ? 'Racer' : 'racer')))));
      assert.equal(outcomes.filter((o) => o === 'ok').length, 1);
      assert.equal(outcomes.filter((o) => o === 'AlreadyExists').length, 49);
      await close();
    });

    it('createAccessKey: concurrent creations stop at two keys per user', async () => {
      const { a, b, close } = await open();
      await a.entities.create('user', ACCOUNT, user('u'));
      const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => failureOf((i % 2 ? a : b).users.createAccessKey(ACCOUNT, 'u'))));
      assert.equal(outcomes.filter((o) => o === 'ok').length, 2);
      assert.equal((await a.users.listAccessKeys(ACCOUNT, 'u', {})).items.length, 2);
      await close();
    });

    it('createVersion: concurrent versions never exceed five nor reuse an id', async () => {
      const { a, b, close } = await open();
      const p = await a.policies.create(ACCOUNT, { policyName: 'P', path: '/', document: allow('s3:*'), tags: [] });
      const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => failureOf((i % 2 ? a : b).policies.createVersion(ACCOUNT, p.arn, allow(`s3:Get${i}`), false))));
      assert.equal(outcomes.filter((o) => o === 'ok').length, 4);
      const versions = (await b.policies.listVersions(ACCOUNT, p.arn, {})).items.map((v) => v.versionId);
      assert.deepEqual(versions, ['v5', 'v4', 'v3', 'v2', 'v1']);
      await close();
    });

    it('addToGroup: 30 users joining one group at once all get in, recorded on both sides', async () => {
      const { a, b, close } = await open();
      await a.entities.create('group', ACCOUNT, group('crowd'));
      for (let i = 0; i < 30; i++) await a.entities.create('user', ACCOUNT, user(`m${i}`));
      const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => failureOf((i % 2 ? a : b).users.addToGroup(ACCOUNT, 'crowd', `m${i}`))));
      assert.deepEqual(new Set(outcomes), new Set(['ok']));
      const { users } = await b.users.members(ACCOUNT, 'crowd', { maxItems: 1000 });
      assert.equal(users.items.length, 30);
      for (let i = 0; i < 30; i++) assert.deepEqual((await a.entities.get('user', ACCOUNT, `m${i}`))?.groups, ['crowd']);
      await close();
    });

    it('delete: a user that gains a key while being deleted is either kept with the key or gone without it', async () => {
      const { a, b, close } = await open();
      for (let round = 0; round < 10; round++) {
        const name = `u${round}`;
        await a.entities.create('user', ACCOUNT, user(name));
        const [deleted, keyed] = await Promise.all([failureOf(a.entities.delete('user', ACCOUNT, name)), failureOf(b.users.createAccessKey(ACCOUNT, name))]);
        // Exactly one of them wins: DeleteConflict or NoSuchEntity for the loser.
        assert.notEqual(deleted === 'ok', keyed === 'ok');
        const left = await a.entities.get('user', ACCOUNT, name);
        assert.equal(left?.accessKeys.length, keyed === 'ok' ? 1 : undefined);
      }
      await close();
    });
  });
}

races('memory', async () => {
  const store = new MemoryDocumentStore();
  return { a: createDirectory(store), b: createDirectory(store), close: async () => {} };
});

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

races('two SQLite connections on one file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-iam-'));
  dirs.push(dir);
  const file = join(dir, 'db.sqlite');
  const one = await SqliteDocumentStore.open(file, { synchronous: 'normal' });
  const two = await SqliteDocumentStore.open(file, { synchronous: 'normal' });
  const stores: DocumentStore[] = [one, two];
  return {
    a: createDirectory(stores[0]!),
    b: createDirectory(stores[1]!),
    close: async () => {
      await one.close();
      await two.close();
    },
  };
});
