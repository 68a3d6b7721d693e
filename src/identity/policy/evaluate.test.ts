/**
 * Evaluation-logic cases from the IAM User Guide: "Policy evaluation logic"
 * (same-account, explicit vs implicit deny, resource-based policies and
 * implicit denies), "Cross-account policy evaluation logic", "Permissions
 * boundaries", "Session policies", "Principal" and "NotPrincipal".
 */
import {
  ACCOUNT,
  OTHER_ACCOUNT,
  anonymous,
  doc,
  federatedUser,
  roleSession,
  root,
  runCases,
  service,
  user,
  type Case,
} from './testkit.test.js';

const carlos = user('carlossalazar');
const carlosPolicy = doc([
  {
    Sid: 'AllowS3ListRead',
    Effect: 'Allow',
    Action: ['s3:GetBucketLocation', 's3:GetAccountPublicAccessBlock', 's3:ListAccessPoints', 's3:ListAllMyBuckets'],
    Resource: 'arn:aws:s3:::*',
  },
  { Sid: 'AllowS3Self', Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::carlossalazar/*', 'arn:aws:s3:::carlossalazar'] },
  { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: 'arn:aws:s3:::*log*' },
]);
const carlosBucketPolicy = doc([
  {
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/carlossalazar` },
    Action: 's3:*',
    Resource: ['arn:aws:s3:::carlossalazar/*', 'arn:aws:s3:::carlossalazar'],
  },
]);
const getListDeny = doc([
  { Sid: 'AllowGetList', Effect: 'Allow', Action: ['iam:Get*', 'iam:List*'], Resource: '*' },
  { Sid: 'DenyReports', Effect: 'Deny', Action: 'iam:*Report', Resource: '*' },
]);
const allowAll = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
const bucketFor = (principal: unknown, effect = 'Allow') =>
  doc({ Effect: effect, Principal: principal, Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/*' });
const obj = 'arn:aws:s3:::shared/report.csv';

// "Permissions boundaries for IAM entities": ShirleyRodriguez's boundary and her CreateUser policy.
const shirleyBoundary = doc({ Effect: 'Allow', Action: ['s3:*', 'cloudwatch:*', 'ec2:*'], Resource: '*' });
const shirleyPolicy = doc({ Effect: 'Allow', Action: 'iam:CreateUser', Resource: '*' });
const shirley = user('ShirleyRodriguez');
const s3Read = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
const s3All = doc({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
const session = roleSession('examplerole', 'examplerolesessionname');

// Cross-account example: Carlos in 111111111111 writes to the Production bucket of 222222222222.
const carlosA = user('carlossalazar', OTHER_ACCOUNT);
const carlosCrossPolicy = doc([
  { Sid: 'AllowS3ListRead', Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' },
  { Sid: 'AllowS3ProductionObjectActions', Effect: 'Allow', Action: 's3:*Object*', Resource: 'arn:aws:s3:::Production/*' },
  { Sid: 'DenyS3Logs', Effect: 'Deny', Action: 's3:*', Resource: ['arn:aws:s3:::*log*', 'arn:aws:s3:::*log*/*'] },
]);
const productionPolicy = doc({
  Effect: 'Allow',
  Action: ['s3:GetObject*', 's3:PutObject*', 's3:ReplicateObject', 's3:RestoreObject'],
  Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:user/carlossalazar` },
  Resource: 'arn:aws:s3:::Production/*',
});
const B = '222222222222';

const notPrincipalBob = doc({
  Effect: 'Deny',
  NotPrincipal: { AWS: ['arn:aws:iam::444455556666:user/Bob', 'arn:aws:iam::444455556666:root'] },
  Action: 's3:*',
  Resource: ['arn:aws:s3:::BUCKETNAME', 'arn:aws:s3:::BUCKETNAME/*'],
});
const notPrincipalAudit = (withRole: boolean) =>
  doc({
    Effect: 'Deny',
    NotPrincipal: {
      AWS: [
        'arn:aws:sts::444455556666:assumed-role/cross-account-read-only-role/cross-account-audit-app',
        ...(withRole ? ['arn:aws:iam::444455556666:role/cross-account-read-only-role'] : []),
        'arn:aws:iam::444455556666:root',
      ],
    },
    Action: 's3:*',
    Resource: ['arn:aws:s3:::Bucket_AccountAudit', 'arn:aws:s3:::Bucket_AccountAudit/*'],
  });
const audit = roleSession('cross-account-read-only-role', 'cross-account-audit-app', '444455556666');
const trust = (principal: unknown) => doc({ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' });
const roleArn = `arn:aws:iam::${ACCOUNT}:role/deploy`;

const cases: Case[] = [
  // reference_policies_evaluation-logic: "Example identity-based and resource-based policy evaluation"
  { name: 'evaluation-logic example: DenyS3Logs explicitly denies the -logs bucket', principal: carlos, action: 's3:PutObject', resource: 'arn:aws:s3:::carlossalazar-logs/x', identity: [carlosPolicy], resourcePolicy: carlosBucketPolicy, expect: 'ExplicitDeny', reason: 'identity-based policy', sid: 'DenyS3Logs' },
  { name: 'evaluation-logic example: both policies allow the carlossalazar bucket', principal: carlos, action: 's3:PutObject', resource: 'arn:aws:s3:::carlossalazar/file.txt', identity: [carlosPolicy], resourcePolicy: carlosBucketPolicy, expect: 'Allow' },
  { name: 'evaluation-logic example: the bucket policy alone allows within the account', principal: carlos, action: 's3:PutObject', resource: 'arn:aws:s3:::carlossalazar/file.txt', resourcePolicy: carlosBucketPolicy, expect: 'Allow', reason: 'resource-based policy' },
  { name: 'evaluation-logic example: the identity policy alone allows within the account', principal: carlos, action: 's3:GetBucketLocation', resource: 'arn:aws:s3:::anybucket', identity: [carlosPolicy], resourcePolicy: carlosBucketPolicy, expect: 'Allow', reason: 'identity-based policy', sid: 'AllowS3ListRead' },
  { name: 'evaluation-logic: actions are matched case-insensitively', principal: carlos, action: 'S3:putobject', resource: 'arn:aws:s3:::carlossalazar/file.txt', identity: [carlosPolicy], expect: 'Allow' },
  { name: 'evaluation-logic: resource ARNs are matched case-sensitively', principal: carlos, action: 's3:PutObject', resource: 'arn:aws:s3:::CarlosSalazar/file.txt', identity: [carlosPolicy], expect: 'ImplicitDeny', reason: 'identity-based policy' },
  { name: 'evaluation-logic: a resource-policy Deny overrides an identity-policy Allow', principal: carlos, action: 's3:GetObject', resource: obj, identity: [allowAll], resourcePolicy: bucketFor('*', 'Deny'), expect: 'ExplicitDeny', reason: 'resource-based policy' },
  // "The difference between explicit and implicit denies"
  { name: 'explicit vs implicit denies: AllowGetList allows iam:GetUser', principal: carlos, action: 'iam:GetUser', resource: `arn:aws:iam::${ACCOUNT}:user/x`, identity: [getListDeny], expect: 'Allow', sid: 'AllowGetList' },
  { name: 'explicit vs implicit denies: iam:CreatePolicy is implicitly denied', principal: carlos, action: 'iam:CreatePolicy', resource: '*', identity: [getListDeny], expect: 'ImplicitDeny', reason: 'identity-based policy' },
  { name: 'explicit vs implicit denies: DenyReports wins over another policy allowing reports', principal: carlos, action: 'iam:GenerateCredentialReport', resource: '*', identity: [allowAll, getListDeny], expect: 'ExplicitDeny', sid: 'DenyReports' },
  // Root user: "By default, all requests are implicitly denied with the exception of the AWS account root user"
  { name: 'evaluation-logic: the root user needs no policy in its own account', principal: root(), action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/y`, expect: 'Allow' },
  { name: 'evaluation-logic: a resource policy can explicitly deny the root user', principal: root(), action: 's3:GetObject', resource: obj, resourcePolicy: bucketFor({ AWS: ACCOUNT }, 'Deny'), expect: 'ExplicitDeny', reason: 'resource-based policy' },
  { name: 'evaluation-logic: identity policies do not apply to the root user', principal: root(), action: 's3:GetObject', resource: obj, identity: [doc({ Effect: 'Deny', Action: '*', Resource: '*' })], expect: 'Allow' },
  { name: 'cross-account: another account root user needs the resource policy', principal: root(OTHER_ACCOUNT), action: 's3:GetObject', resource: obj, resourceAccountId: ACCOUNT, expect: 'ImplicitDeny', reason: 'resource-based policy' },
  { name: 'cross-account: another account root user named by account id is allowed', principal: root(OTHER_ACCOUNT), action: 's3:GetObject', resource: obj, resourceAccountId: ACCOUNT, resourcePolicy: bucketFor({ AWS: OTHER_ACCOUNT }), expect: 'Allow' },
  // "Permissions boundaries for IAM entities"
  { name: 'boundaries: CreateUser fails because the boundary does not allow it', principal: shirley, action: 'iam:CreateUser', resource: `arn:aws:iam::${ACCOUNT}:user/new`, identity: [shirleyPolicy], boundary: shirleyBoundary, expect: 'ImplicitDeny', reason: 'permissions boundary' },
  { name: 'boundaries: the intersection of identity policy and boundary allows', principal: shirley, action: 's3:GetObject', resource: obj, identity: [s3Read], boundary: shirleyBoundary, expect: 'Allow', reason: 'identity-based policy' },
  { name: 'boundaries: a boundary alone grants nothing', principal: shirley, action: 'ec2:RunInstances', resource: '*', identity: [shirleyPolicy], boundary: shirleyBoundary, expect: 'ImplicitDeny', reason: 'identity-based policy' },
  { name: 'boundaries: an explicit deny in the boundary', principal: shirley, action: 's3:GetObject', resource: obj, identity: [s3Read], boundary: doc([{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 's3:*', Resource: '*' }]), expect: 'ExplicitDeny', reason: 'permissions boundary' },
  { name: 'boundaries: a resource policy naming the IAM user is not limited by the boundary', principal: shirley, action: 's3:GetObject', resource: obj, boundary: doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }), resourcePolicy: bucketFor({ AWS: shirley.arn }), expect: 'Allow', reason: 'resource-based policy' },
  { name: 'boundaries: a resource policy naming the IAM role is limited by the role boundary', principal: session, action: 's3:GetObject', resource: obj, boundary: doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }), resourcePolicy: bucketFor({ AWS: session.roleArn }), expect: 'ImplicitDeny', reason: 'permissions boundary' },
  { name: 'boundaries: a resource policy naming the IAM role allows when the boundary does', principal: session, action: 's3:GetObject', resource: obj, boundary: s3All, resourcePolicy: bucketFor({ AWS: session.roleArn }), expect: 'Allow', reason: 'resource-based policy' },
  { name: 'boundaries: a resource policy naming the role session is not limited by the boundary', principal: session, action: 's3:GetObject', resource: obj, boundary: doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }), resourcePolicy: bucketFor({ AWS: session.arn }), expect: 'Allow' },
  // "Session policies"
  { name: 'session policies: permissions are the intersection with the role policy', principal: session, action: 's3:PutObject', resource: obj, identity: [s3All], session: [s3Read], expect: 'ImplicitDeny', reason: 'session policy' },
  { name: 'session policies: an action both allow is allowed', principal: session, action: 's3:GetObject', resource: obj, identity: [s3All], session: [s3Read], expect: 'Allow' },
  { name: 'session policies: a session policy grants nothing the role does not', principal: session, action: 'ec2:RunInstances', resource: '*', identity: [s3All], session: [allowAll], expect: 'ImplicitDeny', reason: 'identity-based policy' },
  { name: 'session policies: several session policies are ORed', principal: session, action: 's3:PutObject', resource: obj, identity: [s3All], session: [s3Read, doc({ Effect: 'Allow', Action: 's3:PutObject', Resource: '*' })], expect: 'Allow' },
  { name: 'session policies: an explicit deny in a session policy', principal: session, action: 's3:GetObject', resource: obj, identity: [s3All], session: [doc([{ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }])], expect: 'ExplicitDeny', reason: 'session policy' },
  { name: 'session policies: a resource policy naming the role ARN is limited by the session policy', principal: session, action: 's3:GetObject', resource: obj, session: [doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' })], resourcePolicy: bucketFor({ AWS: session.roleArn }), expect: 'ImplicitDeny', reason: 'session policy' },
  { name: 'session policies: a resource policy naming the session ARN is not limited by it', principal: session, action: 's3:GetObject', resource: obj, session: [doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' })], resourcePolicy: bucketFor({ AWS: session.arn }), expect: 'Allow', reason: 'resource-based policy' },
  { name: 'evaluation-logic: a federated user session without a session policy is denied', principal: federatedUser('exampleuser'), action: 's3:GetObject', resource: obj, identity: [s3All], expect: 'ImplicitDeny', reason: 'session policy' },
  { name: 'evaluation-logic: a resource policy naming the federated user session grants directly', principal: federatedUser('exampleuser'), action: 's3:GetObject', resource: obj, resourcePolicy: bucketFor({ AWS: `arn:aws:sts::${ACCOUNT}:federated-user/exampleuser` }), expect: 'Allow' },
  // "Principal": account principals delegate; "*" needs nothing more within the account.
  { name: 'principal: naming the own account only delegates to identity policies', principal: carlos, action: 's3:GetObject', resource: obj, resourcePolicy: bucketFor({ AWS: `arn:aws:iam::${ACCOUNT}:root` }), expect: 'ImplicitDeny', reason: 'identity-based policy' },
  { name: 'principal: "*" needs no other permission for users in the account', principal: carlos, action: 's3:GetObject', resource: obj, resourcePolicy: bucketFor('*'), expect: 'Allow', reason: 'resource-based policy' },
  { name: 'principal: {"AWS": "*"} is the same as "*"', principal: session, action: 's3:GetObject', resource: obj, session: [doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' })], resourcePolicy: bucketFor({ AWS: '*' }), expect: 'Allow' },
  { name: 'principal: a user ARN in Principal is case sensitive', principal: user('CarlosSalazar'), action: 's3:PutObject', resource: 'arn:aws:s3:::carlossalazar/x', resourcePolicy: carlosBucketPolicy, expect: 'ImplicitDeny' },
  // reference_policies_evaluation-logic-cross-account
  { name: 'cross-account example: Production bucket is allowed by both accounts', principal: carlosA, action: 's3:PutObject', resource: 'arn:aws:s3:::Production/file.txt', resourceAccountId: B, identity: [carlosCrossPolicy], resourcePolicy: productionPolicy, expect: 'Allow', reason: 'resource-based policy' },
  { name: 'cross-account example: Production-logs is explicitly denied in the trusted account', principal: carlosA, action: 's3:PutObject', resource: 'arn:aws:s3:::Production-logs/file.txt', resourceAccountId: B, identity: [carlosCrossPolicy], expect: 'ExplicitDeny', reason: 'identity-based policy', sid: 'DenyS3Logs' },
  { name: 'cross-account example: the bucket policy does not allow deleting objects', principal: carlosA, action: 's3:DeleteObject', resource: 'arn:aws:s3:::Production/file.txt', resourceAccountId: B, identity: [carlosCrossPolicy], resourcePolicy: productionPolicy, expect: 'ImplicitDeny', reason: 'resource-based policy' },
  { name: 'cross-account: a resource policy allow is not enough without the identity policy', principal: carlosA, action: 's3:PutObject', resource: 'arn:aws:s3:::Production/file.txt', resourceAccountId: B, resourcePolicy: productionPolicy, expect: 'ImplicitDeny', reason: 'identity-based policy' },
  { name: 'cross-account: an account principal plus an identity policy allows', principal: carlosA, action: 's3:GetObject', resource: obj, resourceAccountId: ACCOUNT, identity: [s3Read], resourcePolicy: bucketFor({ AWS: OTHER_ACCOUNT }), expect: 'Allow' },
  { name: 'cross-account: even a session named directly needs its identity policy', principal: roleSession('r', 's', OTHER_ACCOUNT), action: 's3:GetObject', resource: obj, resourceAccountId: ACCOUNT, resourcePolicy: bucketFor({ AWS: `arn:aws:sts::${OTHER_ACCOUNT}:assumed-role/r/s` }), expect: 'ImplicitDeny', reason: 'identity-based policy' },
  { name: 'cross-account: the boundary still limits the trusted side', principal: roleSession('r', 's', OTHER_ACCOUNT), action: 's3:GetObject', resource: obj, resourceAccountId: ACCOUNT, identity: [s3Read], boundary: doc({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }), resourcePolicy: bucketFor({ AWS: OTHER_ACCOUNT }), expect: 'ImplicitDeny', reason: 'permissions boundary' },
  // Anonymous and service principals (Principal "All principals", "AWS service principals")
  { name: 'principal: "*" grants anonymous access (public read)', principal: anonymous, action: 's3:GetObject', resource: obj, resourcePolicy: bucketFor('*'), expect: 'Allow' },
  { name: 'principal: anonymous callers are denied without a resource policy', principal: anonymous, action: 's3:GetObject', resource: obj, identity: [allowAll], expect: 'ImplicitDeny', reason: 'resource-based policy' },
  { name: 'principal: an account principal does not include anonymous callers', principal: anonymous, action: 's3:GetObject', resource: obj, resourcePolicy: bucketFor({ AWS: ACCOUNT }), expect: 'ImplicitDeny' },
  { name: 'principal: a service principal is matched by its Service entry', principal: service('logging.s3.amazonaws.com'), action: 's3:GetObject', resource: obj, resourcePolicy: bucketFor({ Service: 'logging.s3.amazonaws.com' }), expect: 'Allow' },
  { name: 'principal: another service is not matched', principal: service('cloudtrail.amazonaws.com'), action: 's3:GetObject', resource: obj, resourcePolicy: bucketFor({ Service: 'logging.s3.amazonaws.com' }), expect: 'ImplicitDeny' },
  // Role trust policies "must explicitly allow access for principals"
  { name: 'trust policy: a user named in the trust policy needs no identity policy (same account)', principal: carlos, action: 'sts:AssumeRole', resource: roleArn, kind: 'trust', resourcePolicy: trust({ AWS: carlos.arn }), expect: 'Allow', reason: 'role trust policy' },
  { name: 'trust policy: trusting the account requires an identity policy', principal: carlos, action: 'sts:AssumeRole', resource: roleArn, kind: 'trust', resourcePolicy: trust({ AWS: ACCOUNT }), expect: 'ImplicitDeny', reason: 'identity-based policy' },
  { name: 'trust policy: trusting the account plus an identity policy allows', principal: carlos, action: 'sts:AssumeRole', resource: roleArn, kind: 'trust', identity: [doc({ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: roleArn })], resourcePolicy: trust({ AWS: ACCOUNT }), expect: 'Allow' },
  { name: 'trust policy: an identity policy alone cannot assume a role', principal: carlos, action: 'sts:AssumeRole', resource: roleArn, kind: 'trust', identity: [allowAll], resourcePolicy: trust({ Service: 'lambda.amazonaws.com' }), expect: 'ImplicitDeny', reason: 'role trust policy' },
  { name: 'trust policy: the root user must be trusted too', principal: root(), action: 'sts:AssumeRole', resource: roleArn, kind: 'trust', resourcePolicy: trust({ Service: 'lambda.amazonaws.com' }), expect: 'ImplicitDeny', reason: 'role trust policy' },
  { name: 'trust policy: a service principal assumes its service role', principal: service('lambda.amazonaws.com'), action: 'sts:AssumeRole', resource: roleArn, kind: 'trust', resourcePolicy: trust({ Service: 'lambda.amazonaws.com' }), expect: 'Allow' },
  { name: 'trust policy: a web identity provider is matched by Federated', principal: { ...anonymous, federatedProvider: 'cognito-identity.amazonaws.com' }, action: 'sts:AssumeRoleWithWebIdentity', resource: roleArn, kind: 'trust', resourcePolicy: doc({ Effect: 'Allow', Principal: { Federated: 'cognito-identity.amazonaws.com' }, Action: 'sts:AssumeRoleWithWebIdentity' }), expect: 'Allow' },
  // reference_policies_elements_notprincipal
  { name: 'NotPrincipal: Bob, listed with his account, is not denied', principal: user('Bob', '444455556666'), action: 's3:GetObject', resource: 'arn:aws:s3:::BUCKETNAME/x', resourceAccountId: ACCOUNT, identity: [allowAll], resourcePolicy: notPrincipalBob, expect: 'ImplicitDeny', reason: 'resource-based policy' },
  { name: 'NotPrincipal: everyone else is explicitly denied', principal: user('Alice', '444455556666'), action: 's3:GetObject', resource: 'arn:aws:s3:::BUCKETNAME/x', resourceAccountId: ACCOUNT, identity: [allowAll], resourcePolicy: notPrincipalBob, expect: 'ExplicitDeny', reason: 'resource-based policy' },
  { name: 'NotPrincipal: listing only the user without the account denies the user', principal: user('Bob', '444455556666'), action: 's3:GetObject', resource: 'arn:aws:s3:::BUCKETNAME/x', resourceAccountId: ACCOUNT, identity: [allowAll], resourcePolicy: doc({ Effect: 'Deny', NotPrincipal: { AWS: 'arn:aws:iam::444455556666:user/Bob' }, Action: 's3:*', Resource: 'arn:aws:s3:::BUCKETNAME/*' }), expect: 'ExplicitDeny' },
  { name: 'NotPrincipal: the audit session, its role and account listed, is not denied', principal: audit, action: 's3:GetObject', resource: 'arn:aws:s3:::Bucket_AccountAudit/x', resourceAccountId: ACCOUNT, identity: [allowAll], resourcePolicy: notPrincipalAudit(true), expect: 'ImplicitDeny' },
  { name: 'NotPrincipal: without the role ARN the session is denied', principal: audit, action: 's3:GetObject', resource: 'arn:aws:s3:::Bucket_AccountAudit/x', resourceAccountId: ACCOUNT, identity: [allowAll], resourcePolicy: notPrincipalAudit(false), expect: 'ExplicitDeny' },
  { name: 'boundaries: NotPrincipal with Deny always denies a principal that has a boundary', principal: user('Bob', '444455556666'), action: 's3:GetObject', resource: 'arn:aws:s3:::BUCKETNAME/x', resourceAccountId: ACCOUNT, identity: [allowAll], boundary: allowAll, resourcePolicy: notPrincipalBob, expect: 'ExplicitDeny' },
  { name: 'principal: Principal "*" with ArnNotEquals aws:PrincipalArn denies other principals', principal: carlos, action: 's3:GetObject', resource: 'arn:aws:s3:::BUCKETNAME/x', identity: [allowAll], resourcePolicy: doc({ Sid: 'UsePrincipalArnInsteadOfNotPrincipalWithDeny', Effect: 'Deny', Action: 's3:*', Principal: '*', Resource: ['arn:aws:s3:::BUCKETNAME/*', 'arn:aws:s3:::BUCKETNAME'], Condition: { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::444455556666:user/user-name' } } }), expect: 'ExplicitDeny', sid: 'UsePrincipalArnInsteadOfNotPrincipalWithDeny' },
  { name: 'principal: aws:PrincipalArn of a role session is the role ARN', principal: session, action: 's3:GetObject', resource: obj, identity: [allowAll], resourcePolicy: doc({ Effect: 'Deny', Action: 's3:*', Principal: '*', Resource: 'arn:aws:s3:::shared/*', Condition: { ArnNotEquals: { 'aws:PrincipalArn': session.roleArn } } }), expect: 'Allow' },
];

runCases('evaluate', cases);
