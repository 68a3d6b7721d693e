/**
 * Condition cases from the IAM User Guide pages "Condition operators",
 * "Condition" (key-name case), "Creating a condition with multiple keys or
 * values" (AND/OR, ForAllValues/ForAnyValue) and "Policy variables with no
 * value".
 */
import { ACCOUNT, doc, roleSession, runCases, user, type Case } from './testkit.test.js';

const u = user('johndoe');
const allowAll = doc({ Effect: 'Allow', Action: '*', Resource: '*' });
/** An Allow-everything statement guarded by one condition block. */
const allowIf = (condition: object) => doc({ Effect: 'Allow', Action: '*', Resource: '*', Condition: condition });
const denyIf = (condition: object) => doc({ Effect: 'Deny', Action: '*', Resource: '*', Condition: condition });
const r = '*';

const tokenIssued = doc({ Effect: 'Allow', Action: 'iam:*AccessKey*', Resource: `arn:aws:iam::${ACCOUNT}:user/*`, Condition: { DateGreaterThan: { 'aws:TokenIssueTime': '2020-01-01T00:00:01Z' } } });
const instanceTypes = (op: string) => doc({ Sid: 'RunInstance', Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*', Condition: { [op]: { 'ec2:InstanceType': ['t1.*', 't2.*', 'm3.*'] } } });
const multi = allowIf({ StringEqualsIgnoreCase: { 'aws:PrincipalTag/department': ['finance', 'hr', 'legal'], 'aws:PrincipalTag/role': ['audit', 'security'] }, StringEquals: { 'aws:PrincipalAccount': '123456789012' } });
const attrsAll = doc({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: 'arn:aws:dynamodb:*:*:table/Thread', Condition: { 'ForAllValues:StringEquals': { 'dynamodb:Attributes': ['PostDateTime', 'Message', 'Tags'] } } });
const attrsAny = doc({ Effect: 'Deny', Action: 'dynamodb:PutItem', Resource: 'arn:aws:dynamodb:*:*:table/Thread', Condition: { 'ForAnyValue:StringEquals': { 'dynamodb:Attributes': ['ID', 'PostDateTime'] } } });
const thread = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/Thread`;
const notAccounts = denyIf({ StringNotEquals: { 'aws:PrincipalAccount': ['111122223333', ACCOUNT] } });
const teamMustMatch = doc({ Effect: 'Deny', Action: 's3:GetObject', Resource: 'arn:aws:s3:::example-bucket/*', Condition: { StringNotEquals: { 's3:ExistingObjectTag/Team': '${aws:PrincipalTag/Team}' } } });

const cases: Case[] = [
  { name: 'String: StringEquals on a principal tag', principal: u, action: 'iam:CreateAccessKey', resource: r, context: { 'aws:PrincipalTag/job-category': 'iamuser-admin' }, identity: [allowIf({ StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } })], expect: 'Allow' },
  { name: 'String: a missing key does not match', principal: u, action: 'iam:CreateAccessKey', resource: r, identity: [allowIf({ StringEquals: { 'aws:PrincipalTag/job-category': 'iamuser-admin' } })], expect: 'ImplicitDeny' },
  { name: 'Condition element: StringEquals is case-sensitive (JohnDoe is not johndoe)', principal: user('JohnDoe'), action: 's3:GetObject', resource: r, identity: [allowIf({ StringEquals: { 'aws:username': 'johndoe' } })], expect: 'ImplicitDeny' },
  { name: 'Condition element: StringEqualsIgnoreCase matches JohnDoe', principal: user('JohnDoe'), action: 's3:GetObject', resource: r, identity: [allowIf({ StringEqualsIgnoreCase: { 'aws:username': 'johndoe' } })], expect: 'Allow' },
  { name: 'Condition element: key names are case-insensitive (aws:SourceIP vs AWS:SourceIp)', principal: u, action: 's3:GetObject', resource: r, context: { 'AWS:SourceIp': '203.0.113.9' }, identity: [allowIf({ IpAddress: { 'aws:SourceIP': '203.0.113.0/24' } })], expect: 'Allow' },
  { name: 'String: StringNotEqualsIgnoreCase', principal: u, action: 's3:GetObject', resource: r, context: { 'aws:RequestedRegion': 'US-EAST-1' }, identity: [allowAll, denyIf({ StringNotEqualsIgnoreCase: { 'aws:RequestedRegion': 'us-east-1' } })], expect: 'Allow' },
  { name: 'String: StringLike with ? matches exactly one character', principal: u, action: 's3:GetObject', resource: r, context: { 's3:prefix': 'log-7/' }, identity: [allowIf({ StringLike: { 's3:prefix': 'log-?/' } })], expect: 'Allow' },
  { name: 'String: StringNotLike', principal: u, action: 's3:GetObject', resource: r, context: { 's3:prefix': 'private/x' }, identity: [allowIf({ StringNotLike: { 's3:prefix': ['private/*', 'secret/*'] } })], expect: 'ImplicitDeny' },
  { name: 'IfExists: THISPOLICYDOESNOTWORK fails for resources without ec2:InstanceType', principal: u, action: 'ec2:RunInstances', resource: r, identity: [instanceTypes('StringLike')], expect: 'ImplicitDeny' },
  { name: 'IfExists: StringLikeIfExists passes resources without the key', principal: u, action: 'ec2:RunInstances', resource: r, identity: [instanceTypes('StringLikeIfExists')], expect: 'Allow' },
  { name: 'IfExists: StringLikeIfExists still checks the key when present', principal: u, action: 'ec2:RunInstances', resource: r, context: { 'ec2:InstanceType': 'm5.large' }, identity: [instanceTypes('StringLikeIfExists')], expect: 'ImplicitDeny' },
  { name: 'IfExists: a t2 instance type matches t2.*', principal: u, action: 'ec2:RunInstances', resource: r, context: { 'ec2:InstanceType': 't2.micro' }, identity: [instanceTypes('StringLikeIfExists')], expect: 'Allow' },
  { name: 'IfExists: a Deny with StringNotEqualsIfExists still denies when the tag is missing', principal: u, action: 's3:GetObject', resource: r, identity: [allowAll, denyIf({ StringNotEqualsIfExists: { 'aws:ResourceTag/env': 'dev' } })], expect: 'ExplicitDeny' },
  { name: 'Numeric: NumericLessThanEquals s3:max-keys 10 allows 10', principal: u, action: 's3:ListBucket', resource: r, context: { 's3:max-keys': '10' }, identity: [allowIf({ NumericLessThanEquals: { 's3:max-keys': '10' } })], expect: 'Allow' },
  { name: 'Numeric: NumericLessThanEquals s3:max-keys 10 refuses 11', principal: u, action: 's3:ListBucket', resource: r, context: { 's3:max-keys': '11' }, identity: [allowIf({ NumericLessThanEquals: { 's3:max-keys': '10' } })], expect: 'ImplicitDeny' },
  { name: 'Numeric: NumericNotEquals with several values is a NOR', principal: u, action: 's3:ListBucket', resource: r, context: { 's3:max-keys': '20' }, identity: [allowIf({ NumericNotEquals: { 's3:max-keys': ['10', '20'] } })], expect: 'ImplicitDeny' },
  { name: 'Numeric: decimals compare numerically', principal: u, action: 's3:ListBucket', resource: r, context: { 'x:n': '2.50' }, identity: [allowIf({ NumericGreaterThan: { 'x:n': 2.4 } })], expect: 'Allow' },
  { name: 'Date: DateGreaterThan aws:TokenIssueTime for temporary credentials', principal: roleSession('r', 's'), action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/x`, context: { 'aws:TokenIssueTime': '2020-06-01T10:00:00Z' }, identity: [tokenIssued], expect: 'Allow' },
  { name: 'Date: aws:TokenIssueTime is absent for access keys, so the request is denied', principal: u, action: 'iam:CreateAccessKey', resource: `arn:aws:iam::${ACCOUNT}:user/x`, identity: [tokenIssued], expect: 'ImplicitDeny' },
  { name: 'Date: epoch-second policy values compare with ISO request values', principal: u, action: 's3:GetObject', resource: r, context: { 'aws:CurrentTime': '2020-09-13T12:26:39Z' }, identity: [allowIf({ DateLessThan: { 'aws:CurrentTime': '1600000000' } })], expect: 'Allow' },
  { name: 'Date: aws:EpochTime compares with ISO policy values', principal: u, action: 's3:GetObject', resource: r, context: { 'aws:EpochTime': '1600000000' }, identity: [allowIf({ DateEquals: { 'aws:EpochTime': '2020-09-13T12:26:40Z' } })], expect: 'Allow' },
  { name: 'Date: DateNotEquals', principal: u, action: 's3:GetObject', resource: r, context: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' }, identity: [allowIf({ DateNotEquals: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } })], expect: 'ImplicitDeny' },
  { name: 'Boolean: Bool matches "true" regardless of case', principal: u, action: 's3:GetObject', resource: r, context: { 'aws:SecureTransport': 'True' }, identity: [allowIf({ Bool: { 'aws:SecureTransport': 'true' } })], expect: 'Allow' },
  { name: 'Binary: BinaryEquals compares base-64 values byte for byte', principal: u, action: 's3:GetObject', resource: r, context: { 'x:blob': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' }, identity: [allowIf({ BinaryEquals: { 'x:blob': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } })], expect: 'Allow' },
  { name: 'Binary: a different value does not match', principal: u, action: 's3:GetObject', resource: r, context: { 'x:blob': 'b3RoZXI=' }, identity: [allowIf({ BinaryEquals: { 'x:blob': 'QmluYXJ5VmFsdWVJbkJhc2U2NA==' } })], expect: 'ImplicitDeny' },
  { name: 'IP address: IpAddress 203.0.113.0/24', principal: u, action: 'iam:CreateAccessKey', resource: r, context: { 'aws:SourceIp': '203.0.113.255' }, identity: [allowIf({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } })], expect: 'Allow' },
  { name: 'IP address: an address outside the range', principal: u, action: 'iam:CreateAccessKey', resource: r, context: { 'aws:SourceIp': '203.0.114.1' }, identity: [allowIf({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } })], expect: 'ImplicitDeny' },
  { name: 'IP address: mixed IPv4 and IPv6 ranges match an IPv6 caller', principal: u, action: 'someservice:Do', resource: r, context: { 'aws:SourceIp': '2001:db8:1234:5678:ffff::1' }, identity: [allowIf({ IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '2001:DB8:1234:5678::/64'] } })], expect: 'Allow' },
  { name: 'IP address: an address without a prefix is a /32', principal: u, action: 'someservice:Do', resource: r, context: { 'aws:SourceIp': '203.0.113.8' }, identity: [allowIf({ IpAddress: { 'aws:SourceIp': '203.0.113.7' } })], expect: 'ImplicitDeny' },
  { name: 'IP address: no aws:SourceIp (VPC endpoint) makes IpAddress false', principal: u, action: 'someservice:Do', resource: r, identity: [allowIf({ IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } })], expect: 'ImplicitDeny' },
  { name: 'IP address: NotIpAddress is true when the key is missing', principal: u, action: 'someservice:Do', resource: r, identity: [allowIf({ NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } })], expect: 'Allow' },
  { name: 'ARN: StringLike lets * cross colons', principal: u, action: 'someservice:Do', resource: r, context: { 'aws:SourceArn': 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt' }, identity: [allowIf({ StringLike: { 'aws:SourceArn': 'arn:aws:someservice:*:111122223333:finance/*' } })], expect: 'Allow' },
  { name: 'ARN: ArnLike matches segment by segment, so the same value fails', principal: u, action: 'someservice:Do', resource: r, context: { 'aws:SourceArn': 'arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt' }, identity: [allowIf({ ArnLike: { 'aws:SourceArn': 'arn:aws:someservice:*:111122223333:finance/*' } })], expect: 'ImplicitDeny' },
  { name: 'ARN: ArnEquals and ArnLike behave identically (wildcards included)', principal: u, action: 'someservice:Do', resource: r, context: { 'aws:SourceArn': 'arn:aws:sns:us-east-2:123456789012:topic-a' }, identity: [allowIf({ ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:*:123456789012:topic-?' } })], expect: 'Allow' },
  { name: 'ARN: ArnNotLike with a missing key is true', principal: u, action: 'someservice:Do', resource: r, identity: [allowIf({ ArnNotLike: { 'aws:SourceArn': 'arn:aws:sns:*:*:*' } })], expect: 'Allow' },
  { name: 'Null: "true" holds when aws:TokenIssueTime is absent (IAM user keys)', principal: u, action: 'ec2:DescribeInstances', resource: r, identity: [allowIf({ Null: { 'aws:TokenIssueTime': 'true' } })], expect: 'Allow' },
  { name: 'Null: "true" fails for temporary credentials', principal: roleSession('r', 's'), action: 'ec2:DescribeInstances', resource: r, context: { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' }, identity: [allowIf({ Null: { 'aws:TokenIssueTime': 'true' } })], expect: 'ImplicitDeny' },
  { name: 'Null: "false" requires the key', principal: roleSession('r', 's'), action: 'ec2:DescribeInstances', resource: r, context: { 'aws:TokenIssueTime': '2024-01-01T00:00:00Z' }, identity: [allowIf({ Null: { 'aws:TokenIssueTime': 'false' } })], expect: 'Allow' },
  { name: 'multi-value: all keys and operators must hold (AND)', principal: u, action: 's3:GetObject', resource: r, context: { 'aws:PrincipalTag/department': 'HR', 'aws:PrincipalTag/role': 'audit' }, identity: [multi], expect: 'Allow' },
  { name: 'multi-value: a missing second key fails the block', principal: u, action: 's3:GetObject', resource: r, context: { 'aws:PrincipalTag/department': 'hr' }, identity: [multi], expect: 'ImplicitDeny' },
  { name: 'multi-value: another account fails the StringEquals operator', principal: user('johndoe', '444455556666'), action: 's3:GetObject', resource: r, context: { 'aws:PrincipalTag/department': 'hr', 'aws:PrincipalTag/role': 'audit' }, identity: [multi], expect: 'ImplicitDeny' },
  { name: 'multi-value: StringNotEquals with several accounts denies none of them', principal: u, action: 's3:GetObject', resource: r, identity: [allowAll, notAccounts], expect: 'Allow' },
  { name: 'multi-value: StringNotEquals with several accounts denies the others', principal: user('x', '444455556666'), action: 's3:GetObject', resource: r, identity: [allowAll, notAccounts], expect: 'ExplicitDeny' },
  { name: 'multi-value: ForAllValues allows a subset of the listed attributes', principal: u, action: 'dynamodb:GetItem', resource: thread, context: { 'dynamodb:Attributes': ['Message', 'Tags'] }, identity: [attrsAll], expect: 'Allow' },
  { name: 'multi-value: ForAllValues refuses PostDateTime plus UserName', principal: u, action: 'dynamodb:GetItem', resource: thread, context: { 'dynamodb:Attributes': ['PostDateTime', 'UserName'] }, identity: [attrsAll], expect: 'ImplicitDeny' },
  { name: 'multi-value: ForAllValues is true for an empty request set', principal: u, action: 'dynamodb:GetItem', resource: thread, context: { 'dynamodb:Attributes': [] }, identity: [attrsAll], expect: 'Allow' },
  { name: 'multi-value: ForAllValues treats an empty string as a null data set', principal: u, action: 'iam:TagUser', resource: r, context: { 'aws:TagKeys': '' }, identity: [allowIf({ 'ForAllValues:StringEquals': { 'aws:TagKeys': 'team' } })], expect: 'Allow' },
  { name: 'multi-value: ForAnyValue denies when one attribute is listed', principal: u, action: 'dynamodb:PutItem', resource: thread, context: { 'dynamodb:Attributes': ['UserName', 'Message', 'PostDateTime'] }, identity: [allowAll, attrsAny], expect: 'ExplicitDeny' },
  { name: 'multi-value: ForAnyValue does not deny UserName alone', principal: u, action: 'dynamodb:PutItem', resource: thread, context: { 'dynamodb:Attributes': ['UserName'] }, identity: [allowAll, attrsAny], expect: 'Allow' },
  { name: 'multi-value: ForAnyValue is false without the key', principal: u, action: 'dynamodb:PutItem', resource: thread, identity: [allowAll, attrsAny], expect: 'Allow' },
  { name: 'multi-value: ForAllValues:StringLike with wildcards', principal: u, action: 'iam:TagUser', resource: r, context: { 'aws:TagKeys': ['team-a', 'team-b'] }, identity: [allowIf({ 'ForAllValues:StringLike': { 'aws:TagKeys': 'team-*' } })], expect: 'Allow' },
  { name: 'multi-value: ForAllValues:StringNotEquals needs every value outside the list', principal: u, action: 'iam:TagUser', resource: r, context: { 'aws:TagKeys': ['owner', 'admin'] }, identity: [allowIf({ 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['admin', 'root'] } })], expect: 'ImplicitDeny' },
  { name: 'multi-value: ForAnyValue:StringNotEquals needs one value outside the list', principal: u, action: 'iam:TagUser', resource: r, context: { 'aws:TagKeys': ['owner', 'admin'] }, identity: [allowIf({ 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': ['admin', 'root'] } })], expect: 'Allow' },
  { name: 'policy variables with no value: StringNotEquals matches the null value and denies', principal: u, action: 's3:GetObject', resource: 'arn:aws:s3:::example-bucket/doc.txt', context: { 's3:ExistingObjectTag/Team': 'blue' }, identity: [allowAll, teamMustMatch], expect: 'ExplicitDeny' },
  { name: 'policy variables with no value: matching tags are not denied', principal: u, action: 's3:GetObject', resource: 'arn:aws:s3:::example-bucket/doc.txt', context: { 's3:ExistingObjectTag/Team': 'blue', 'aws:PrincipalTag/Team': 'blue' }, identity: [allowAll, teamMustMatch], expect: 'Allow' },
  { name: 'policy variables: a default value in a condition', principal: u, action: 's3:ListBucket', resource: r, context: { 's3:prefix': 'shared/x' }, identity: [allowIf({ StringLike: { 's3:prefix': "${aws:PrincipalTag/home, 'shared'}/*" } })], expect: 'Allow' },
  { name: 'policy variables: ${?} and ${$} are literal characters', principal: u, action: 's3:ListBucket', resource: r, context: { 's3:prefix': 'a?b$' }, identity: [allowIf({ StringLike: { 's3:prefix': 'a${?}b${$}' } })], expect: 'Allow' },
];

runCases('evaluate (conditions)', cases);
