import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isServiceError } from '../../core/errors.js';
import {
  ALL_USERS,
  AUTHENTICATED_USERS,
  CANNED_ACLS,
  EC2_BUNDLE_READER,
  LOG_DELIVERY,
  aclAllows,
  aclCheckFor,
  aclFromGrantHeaders,
  aclFromPolicy,
  aclFromRequest,
  aclPermissionFor,
  cannedAcl,
  canonicalUserId,
  hasGrantHeaders,
  isPublicAcl,
  type Acl,
  type AclCaller,
} from './acl.js';
import { canonicalId } from './common.js';

const OWNER = { ID: canonicalUserId('123456789012'), DisplayName: 'stratus' };
const OTHER = { ID: canonicalUserId('111111111111') };
const owner: AclCaller = { anonymous: false, authenticated: true, canonicalId: OWNER.ID };
const other: AclCaller = { anonymous: false, authenticated: true, canonicalId: OTHER.ID };
const anonymous: AclCaller = { anonymous: true, authenticated: false };

function rejects(fn: () => void, code: string, message: string, fields?: Record<string, unknown>): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isServiceError(err));
    assert.equal(err.code, code);
    assert.equal(err.message, message);
    assert.equal(err.status, 400);
    if (fields) assert.deepEqual(err.fields, fields);
    return true;
  });
}

const ownerFull = { Grantee: { Type: 'CanonicalUser', ID: OWNER.ID, DisplayName: 'stratus' }, Permission: 'FULL_CONTROL' };

describe('canonical user ids', () => {
  it('are 64 lowercase hex digits, stable per account and the same as common.ts', () => {
    assert.match(canonicalUserId('123456789012'), /^[0-9a-f]{64}$/);
    assert.equal(canonicalUserId('123456789012'), canonicalUserId('123456789012'));
    assert.notEqual(canonicalUserId('123456789012'), canonicalUserId('210987654321'));
    assert.equal(canonicalUserId('123456789012'), canonicalId('123456789012'));
  });
});

describe('canned ACLs', () => {
  it('private: the owner gets FULL_CONTROL, no one else anything; it is the default', () => {
    assert.deepEqual(cannedAcl('private', OWNER), { Owner: OWNER, Grants: [ownerFull] });
    assert.deepEqual(cannedAcl(undefined, OWNER), cannedAcl('private', OWNER));
  });

  it('public-read, public-read-write, authenticated-read', () => {
    assert.deepEqual(cannedAcl('public-read', OWNER).Grants, [ownerFull, { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' }]);
    assert.deepEqual(cannedAcl('public-read-write', OWNER).Grants, [
      ownerFull,
      { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' },
      { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'WRITE' },
    ]);
    assert.deepEqual(cannedAcl('authenticated-read', OWNER).Grants, [
      ownerFull,
      { Grantee: { Type: 'Group', URI: AUTHENTICATED_USERS }, Permission: 'READ' },
    ]);
  });

  it('aws-exec-read grants READ to the EC2 bundle reader (za-team)', () => {
    assert.deepEqual(cannedAcl('aws-exec-read', OWNER).Grants[1], {
      Grantee: { Type: 'CanonicalUser', ID: EC2_BUNDLE_READER.ID, DisplayName: 'za-team' },
      Permission: 'READ',
    });
  });

  it('bucket-owner-read / bucket-owner-full-control add the bucket owner on objects only', () => {
    assert.deepEqual(cannedAcl('bucket-owner-read', OTHER, OWNER, true), {
      Owner: OTHER,
      Grants: [
        { Grantee: { Type: 'CanonicalUser', ID: OTHER.ID }, Permission: 'FULL_CONTROL' },
        { Grantee: { Type: 'CanonicalUser', ID: OWNER.ID, DisplayName: 'stratus' }, Permission: 'READ' },
      ],
    });
    assert.deepEqual(cannedAcl('bucket-owner-full-control', OTHER, OWNER, true).Grants[1]?.Permission, 'FULL_CONTROL');
    // Ignored on buckets, and when the writer owns the bucket.
    assert.deepEqual(cannedAcl('bucket-owner-full-control', OWNER, OWNER, false).Grants, [ownerFull]);
    assert.deepEqual(cannedAcl('bucket-owner-read', OWNER, undefined, false).Grants, [ownerFull]);
    assert.deepEqual(cannedAcl('bucket-owner-full-control', OWNER, OWNER, true).Grants, [ownerFull]);
  });

  it('log-delivery-write grants WRITE and READ_ACP to LogDelivery', () => {
    assert.deepEqual(cannedAcl('log-delivery-write', OWNER).Grants, [
      ownerFull,
      { Grantee: { Type: 'Group', URI: LOG_DELIVERY }, Permission: 'WRITE' },
      { Grantee: { Type: 'Group', URI: LOG_DELIVERY }, Permission: 'READ_ACP' },
    ]);
  });

  it('an unknown name is InvalidArgument with an empty message naming x-amz-acl', () => {
    rejects(() => cannedAcl('privatee', OWNER), 'InvalidArgument', '', { ArgumentName: 'x-amz-acl', ArgumentValue: 'privatee' });
    rejects(() => cannedAcl('Private', OWNER), 'InvalidArgument', '');
    assert.equal(CANNED_ACLS.length, 8);
  });
});

describe('grant headers', () => {
  it('parse quoted and unquoted grantees, several per header, in S3 permission order', () => {
    const acl = aclFromGrantHeaders(
      {
        GrantRead: `uri="${ALL_USERS}", id="${OTHER.ID}"`,
        GrantFullControl: `id=${OWNER.ID}`,
        GrantWriteACP: `uri=${LOG_DELIVERY}`,
      },
      OWNER,
    );
    assert.deepEqual(acl, {
      Owner: OWNER,
      Grants: [
        { Grantee: { Type: 'CanonicalUser', ID: OWNER.ID }, Permission: 'FULL_CONTROL' },
        { Grantee: { Type: 'Group', URI: LOG_DELIVERY }, Permission: 'WRITE_ACP' },
        { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' },
        { Grantee: { Type: 'CanonicalUser', ID: OTHER.ID }, Permission: 'READ' },
      ],
    });
  });

  it('the owner gets no implicit grant; duplicates collapse; keys are case-insensitive', () => {
    const acl = aclFromGrantHeaders({ GrantRead: `ID="${OTHER.ID}", id="${OTHER.ID}"` }, OWNER);
    assert.deepEqual(acl.Grants, [{ Grantee: { Type: 'CanonicalUser', ID: OTHER.ID }, Permission: 'READ' }]);
  });

  it('a resolver supplies display names and refuses unknown ids', () => {
    const resolveId = (id: string) => (id === OTHER.ID ? { ID: OTHER.ID, DisplayName: 'other' } : undefined);
    assert.deepEqual(aclFromGrantHeaders({ GrantWrite: `id="${OTHER.ID}"` }, OWNER, { resolveId }).Grants, [
      { Grantee: { Type: 'CanonicalUser', ID: OTHER.ID, DisplayName: 'other' }, Permission: 'WRITE' },
    ]);
    const unknown = 'a'.repeat(64);
    rejects(() => aclFromGrantHeaders({ GrantWrite: `id="${unknown}"` }, OWNER, { resolveId }), 'InvalidArgument', 'Invalid id', {
      ArgumentName: 'id',
      ArgumentValue: unknown,
    });
  });

  it('e-mail grantees resolve to canonical users or are unresolvable', () => {
    const resolveEmail = (email: string) => (email === 'a@example.com' ? OTHER : undefined);
    assert.deepEqual(aclFromGrantHeaders({ GrantRead: 'emailAddress="a@example.com"' }, OWNER, { resolveEmail }).Grants, [
      { Grantee: { Type: 'CanonicalUser', ID: OTHER.ID }, Permission: 'READ' },
    ]);
    rejects(
      () => aclFromGrantHeaders({ GrantRead: 'emailaddress=b@example.com' }, OWNER, { resolveEmail }),
      'UnresolvableGrantByEmailAddress',
      'The e-mail address you provided does not match any account on record.',
    );
    rejects(() => aclFromGrantHeaders({ GrantRead: 'emailaddress=a@example.com' }, OWNER), 'UnresolvableGrantByEmailAddress', 'The e-mail address you provided does not match any account on record.');
  });

  it('malformed values, unknown ids and unknown groups are InvalidArgument', () => {
    rejects(() => aclFromGrantHeaders({ GrantFullControl: 'fdjklasaj' }, OWNER), 'InvalidArgument', 'Argument format not recognized', {
      ArgumentName: 'x-amz-grant-full-control',
      ArgumentValue: 'fdjklasaj',
    });
    rejects(() => aclFromGrantHeaders({ GrantReadACP: 'foo="bar"' }, OWNER), 'InvalidArgument', 'Argument format not recognized', {
      ArgumentName: 'x-amz-grant-read-acp',
      ArgumentValue: 'foo="bar"',
    });
    rejects(() => aclFromGrantHeaders({ GrantRead: 'id="abc' }, OWNER), 'InvalidArgument', 'Argument format not recognized');
    rejects(() => aclFromGrantHeaders({ GrantRead: '' }, OWNER), 'InvalidArgument', 'Argument format not recognized');
    rejects(() => aclFromGrantHeaders({ GrantRead: 'id="0123"' }, OWNER), 'InvalidArgument', 'Invalid id', { ArgumentName: 'id', ArgumentValue: '0123' });
    rejects(() => aclFromGrantHeaders({ GrantRead: 'id="123456789012"' }, OWNER), 'InvalidArgument', 'Invalid id');
    rejects(
      () => aclFromGrantHeaders({ GrantRead: 'uri="http://acs.amazonaws.com/groups/global/Authenticated"' }, OWNER),
      'InvalidArgument',
      'Invalid group uri',
      { ArgumentName: 'uri', ArgumentValue: 'http://acs.amazonaws.com/groups/global/Authenticated' },
    );
  });

  it('aclFromRequest: canned or grants, never both', () => {
    assert.equal(hasGrantHeaders({}), false);
    assert.equal(hasGrantHeaders({ GrantRead: `uri=${ALL_USERS}` }), true);
    assert.deepEqual(aclFromRequest({}, OWNER), cannedAcl('private', OWNER));
    assert.deepEqual(aclFromRequest({ ACL: 'public-read' }, OWNER), cannedAcl('public-read', OWNER));
    assert.deepEqual(aclFromRequest({ GrantRead: `uri=${ALL_USERS}` }, OWNER).Grants, [{ Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' }]);
    rejects(
      () => aclFromRequest({ ACL: 'private', GrantRead: `uri=${ALL_USERS}` }, OWNER),
      'InvalidRequest',
      'Specifying both Canned ACLs and Header Grants is not allowed',
    );
  });
});

describe('AccessControlPolicy bodies', () => {
  const malformedMessage = 'The XML you provided was not well-formed or did not validate against our published schema';

  it('normalizes grants: display names dropped unless resolved, e-mails resolved', () => {
    const acl = aclFromPolicy(
      {
        Owner: { ID: OWNER.ID, DisplayName: 'stratus' },
        Grants: [
          { Grantee: { Type: 'CanonicalUser', ID: OTHER.ID, DisplayName: 'made up' }, Permission: 'READ' },
          { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ_ACP' },
          { Grantee: { Type: 'AmazonCustomerByEmail', EmailAddress: 'a@example.com' }, Permission: 'WRITE' },
        ],
      },
      { resolveEmail: () => OTHER },
    );
    assert.deepEqual(acl, {
      Owner: { ID: OWNER.ID, DisplayName: 'stratus' },
      Grants: [
        { Grantee: { Type: 'CanonicalUser', ID: OTHER.ID }, Permission: 'READ' },
        { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ_ACP' },
        { Grantee: { Type: 'CanonicalUser', ID: OTHER.ID }, Permission: 'WRITE' },
      ],
    });
    assert.deepEqual(aclFromPolicy({ Owner: { ID: OWNER.ID } }), { Owner: { ID: OWNER.ID }, Grants: [] });
  });

  it('refuses missing owners, bad permissions, unknown grantee types, ids and groups', () => {
    rejects(() => aclFromPolicy({ Grants: [] }), 'MalformedACLError', malformedMessage);
    rejects(() => aclFromPolicy(null), 'MalformedACLError', malformedMessage);
    rejects(() => aclFromPolicy({ Owner: { ID: OWNER.ID }, Grants: [{ Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'ALL' }] }), 'MalformedACLError', malformedMessage);
    rejects(() => aclFromPolicy({ Owner: { ID: OWNER.ID }, Grants: [{ Grantee: { Type: 'Nobody' }, Permission: 'READ' }] }), 'MalformedACLError', malformedMessage);
    rejects(() => aclFromPolicy({ Owner: { ID: OWNER.ID }, Grants: [{ Grantee: { Type: 'CanonicalUser', ID: 'badid' }, Permission: 'READ' }] }), 'InvalidArgument', 'Invalid id', {
      ArgumentName: 'CanonicalUser/ID',
      ArgumentValue: 'badid',
    });
    rejects(() => aclFromPolicy({ Owner: { ID: OWNER.ID }, Grants: [{ Grantee: { Type: 'Group', URI: 'http://x' }, Permission: 'READ' }] }), 'InvalidArgument', 'Invalid group uri', {
      ArgumentName: 'Group/URI',
      ArgumentValue: 'http://x',
    });
  });
});

describe('aclAllows', () => {
  const privateAcl = cannedAcl('private', OWNER);

  it('FULL_CONTROL covers every permission; others get nothing from a private ACL', () => {
    for (const p of ['READ', 'WRITE', 'READ_ACP', 'WRITE_ACP'] as const) {
      assert.equal(aclAllows(privateAcl, owner, p), true, p);
      assert.equal(aclAllows(privateAcl, other, p), false, p);
      assert.equal(aclAllows(privateAcl, anonymous, p), false, p);
    }
  });

  it('AllUsers includes anonymous callers; AuthenticatedUsers only signed ones', () => {
    const publicRead = cannedAcl('public-read', OWNER);
    assert.equal(aclAllows(publicRead, anonymous, 'READ'), true);
    assert.equal(aclAllows(publicRead, other, 'READ'), true);
    assert.equal(aclAllows(publicRead, anonymous, 'WRITE'), false);
    assert.equal(aclAllows(publicRead, anonymous, 'READ_ACP'), false);
    const authRead = cannedAcl('authenticated-read', OWNER);
    assert.equal(aclAllows(authRead, other, 'READ'), true);
    assert.equal(aclAllows(authRead, anonymous, 'READ'), false);
    assert.equal(aclAllows(cannedAcl('public-read-write', OWNER), anonymous, 'WRITE'), true);
  });

  it('canonical user grants match the caller id only; LogDelivery matches no caller', () => {
    const acl: Acl = { Owner: OWNER, Grants: [{ Grantee: { Type: 'CanonicalUser', ID: OTHER.ID }, Permission: 'READ_ACP' }] };
    assert.equal(aclAllows(acl, other, 'READ_ACP'), true);
    assert.equal(aclAllows(acl, other, 'READ'), false);
    assert.equal(aclAllows(acl, { anonymous: true, authenticated: false, canonicalId: OTHER.ID }, 'READ_ACP'), false);
    assert.equal(aclAllows(cannedAcl('log-delivery-write', OWNER), other, 'WRITE'), false);
  });

  it('the owner keeps READ_ACP and WRITE_ACP even with no grants', () => {
    const empty: Acl = { Owner: OWNER, Grants: [] };
    assert.equal(aclAllows(empty, owner, 'READ_ACP'), true);
    assert.equal(aclAllows(empty, owner, 'WRITE_ACP'), true);
    assert.equal(aclAllows(empty, owner, 'READ'), false);
    assert.equal(aclAllows(empty, owner, 'WRITE'), false);
  });

  it('ignorePublicGrants drops AllUsers and AuthenticatedUsers grants', () => {
    const acl = cannedAcl('public-read-write', OWNER);
    assert.equal(aclAllows(acl, anonymous, 'READ', { ignorePublicGrants: true }), false);
    assert.equal(aclAllows(acl, owner, 'READ', { ignorePublicGrants: true }), true);
  });

  it('accepts loosely typed stored ACLs', () => {
    const stored = { Owner: { ID: OWNER.ID }, Grants: [{ Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' }] };
    assert.equal(aclAllows(stored, anonymous, 'READ'), true);
  });
});

describe('isPublicAcl', () => {
  it('public when AllUsers or AuthenticatedUsers get any permission', () => {
    assert.equal(isPublicAcl(cannedAcl('public-read', OWNER)), true);
    assert.equal(isPublicAcl(cannedAcl('public-read-write', OWNER)), true);
    assert.equal(isPublicAcl(cannedAcl('authenticated-read', OWNER)), true);
    assert.equal(isPublicAcl({ Owner: OWNER, Grants: [{ Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ_ACP' }] }), true);
  });

  it('not public for owners, other accounts, EC2 or LogDelivery', () => {
    for (const name of ['private', 'aws-exec-read', 'bucket-owner-read', 'bucket-owner-full-control', 'log-delivery-write']) {
      assert.equal(isPublicAcl(cannedAcl(name, OTHER, OWNER, true)), false, name);
    }
  });
});

describe('action → ACL permission', () => {
  it('maps the documented actions', () => {
    const cases: Array<[string, string, string]> = [
      ['s3:GetObject', 'READ', 'object'],
      ['s3:GetObjectVersion', 'READ', 'object'],
      ['s3:ListBucket', 'READ', 'bucket'],
      ['s3:ListBucketVersions', 'READ', 'bucket'],
      ['s3:ListBucketMultipartUploads', 'READ', 'bucket'],
      ['s3:PutObject', 'WRITE', 'bucket'],
      ['s3:DeleteObject', 'WRITE', 'bucket'],
      ['s3:GetBucketAcl', 'READ_ACP', 'bucket'],
      ['s3:GetObjectAcl', 'READ_ACP', 'object'],
      ['s3:GetObjectVersionAcl', 'READ_ACP', 'object'],
      ['s3:PutBucketAcl', 'WRITE_ACP', 'bucket'],
      ['s3:PutObjectAcl', 'WRITE_ACP', 'object'],
    ];
    for (const [action, permission, on] of cases) {
      assert.deepEqual(aclCheckFor(action), { permission, on }, action);
      assert.equal(aclPermissionFor(action), permission, action);
    }
    assert.equal(aclPermissionFor('S3:GETOBJECT'), 'READ');
  });

  it('actions ACLs cannot grant map to nothing', () => {
    for (const action of ['s3:PutBucketPolicy', 's3:GetBucketPolicy', 's3:DeleteBucket', 's3:PutObjectTagging', 's3:DeleteObjectVersion', 'iam:GetUser']) {
      assert.equal(aclPermissionFor(action), undefined, action);
    }
  });
});
