/**
 * Cases built from AWS's example policies: the IAM User Guide's "Example IAM
 * identity-based policies" pages, its "Variables and tags" page, and the
 * Amazon S3 User Guide's "Bucket policy examples", plus the Lambda and SNS
 * resource-policy examples for service principals.
 */
import { ACCOUNT, OTHER_ACCOUNT, anonymous, doc, roleSession, runCases, service, user, type Case } from './testkit.test.js';

const david = user('David');
const allowAll = doc({ Effect: 'Allow', Action: '*', Resource: '*' });

const rwBucket = doc([
  { Sid: 'ListObjectsInBucket', Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::bucket-name'] },
  { Sid: 'AllObjectActions', Effect: 'Allow', Action: 's3:*Object', Resource: ['arn:aws:s3:::bucket-name/*'] },
]);
const denyExceptBucket = doc([
  { Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::bucket-name', 'arn:aws:s3:::bucket-name/*'] },
  { Effect: 'Deny', NotAction: 's3:*', NotResource: ['arn:aws:s3:::bucket-name', 'arn:aws:s3:::bucket-name/*'] },
]);
const exceptProduction = doc([
  { Sid: 'AllowBucketObjectActions', Effect: 'Allow', Action: ['s3:PutObject', 's3:GetObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::*/*' },
  { Sid: 'RequireMFAForProductionBucket', Effect: 'Deny', Action: 's3:*', Resource: ['arn:aws:s3:::Production/*', 'arn:aws:s3:::Production'], Condition: { NumericGreaterThanIfExists: { 'aws:MultiFactorAuthAge': '1800' } } },
]);
const dates = doc({ Effect: 'Allow', Action: 'service-prefix:action-name', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-04-01T00:00:00Z' }, DateLessThan: { 'aws:CurrentTime': '2020-06-30T23:59:59Z' } } });
const mfaDates = doc({ Effect: 'Allow', Action: ['service-prefix-1:*'], Resource: '*', Condition: { Bool: { 'aws:MultiFactorAuthPresent': true }, DateGreaterThan: { 'aws:CurrentTime': '2017-07-01T00:00:00Z' }, DateLessThan: { 'aws:CurrentTime': '2017-12-31T23:59:59Z' } } });
const denyIp = doc({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '203.0.113.0/24'] }, Bool: { 'aws:ViaAWSService': 'false' } } });
const denyRegion = doc([{ Sid: 'DenyAllOutsideRequestedRegions', Effect: 'Deny', NotAction: ['cloudfront:*', 'iam:*', 'route53:*', 'support:*'], Resource: '*', Condition: { StringNotEquals: { 'aws:RequestedRegion': ['eu-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3'] } } }]);
const requireMfa = doc([
  { Sid: 'AllowAllActionsForEC2', Effect: 'Allow', Action: 'ec2:*', Resource: '*' },
  { Sid: 'DenyStopAndTerminateWhenMFAIsNotPresent', Effect: 'Deny', Action: ['ec2:StopInstances', 'ec2:TerminateInstances'], Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': false } } },
]);
const mfaSelfManage = doc([
  { Sid: 'AllowViewAccountInfo', Effect: 'Allow', Action: 'iam:ListVirtualMFADevices', Resource: '*' },
  { Sid: 'AllowManageOwnUserMFA', Effect: 'Allow', Action: ['iam:DeactivateMFADevice', 'iam:EnableMFADevice', 'iam:GetUser', 'iam:ListMFADevices', 'iam:ResyncMFADevice'], Resource: 'arn:aws:iam::*:user/${aws:username}' },
  { Sid: 'DenyAllExceptListedIfNoMFA', Effect: 'Deny', NotAction: ['iam:CreateVirtualMFADevice', 'iam:EnableMFADevice', 'iam:GetUser', 'iam:ListMFADevices', 'iam:ListVirtualMFADevices', 'iam:ResyncMFADevice', 'sts:GetSessionToken'], Resource: '*', Condition: { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'false' } } },
]);
const homeDirectory = doc([
  { Sid: 'ListObjectsInBucket', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::bucket-name', Condition: { StringLike: { 's3:prefix': ['', 'home/', 'home/${aws:username}/*'] } } },
  { Effect: 'Allow', Action: 's3:*', Resource: ['arn:aws:s3:::bucket-name/home/${aws:username}', 'arn:aws:s3:::bucket-name/home/${aws:username}/*'] },
]);
const userQueue = (version: string | null) => doc({ Sid: 'AllQueueActions', Effect: 'Allow', Action: 'sqs:*', Resource: 'arn:aws:sqs:us-east-2:*:${aws:username}-queue' }, version);
const teamBucket = doc({ Effect: 'Allow', Action: 's3:*', Resource: "arn:aws:s3:::DOC-EXAMPLE-BUCKET-${aws:PrincipalTag/team, 'company-wide'}" });
const passRole = doc({ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'cloudwatch.amazonaws.com' } } });
const matchTags = doc({ Effect: 'Allow', Action: ['ec2:startInstances', 'ec2:stopInstances'], Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/CostCenter': '${aws:PrincipalTag/CostCenter}' } } });
const newUserTags = doc([{ Sid: 'TagUsersWithOnlyTheseTags', Effect: 'Allow', Action: ['iam:CreateUser', 'iam:TagUser'], Resource: '*', Condition: { StringEqualsIfExists: { 'aws:RequestTag/Department': ['Development', 'QualityAssurance'], 'aws:RequestTag/JobFunction': 'Employee' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['Department', 'JobFunction'] } } }]);
const cognitoItems = doc({ Effect: 'Allow', Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: ['arn:aws:dynamodb:*:*:table/MyTable'], Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['${cognito-identity.amazonaws.com:sub}'] } } });
const cognitoSub = 'us-east-1:12345678-1234-1234-1234-123456789012';
const cognitoRole = roleSession('Cognito_AppAuth_Role', 'CognitoIdentityCredentials');

// Amazon S3 User Guide, "Bucket policy examples"
const publicRead = doc({ Sid: 'PublicReadGetObject', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::DOC-EXAMPLE-BUCKET/*'] });
const ipRestricted = doc({ Sid: 'IPAllow', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: ['arn:aws:s3:::DOC-EXAMPLE-BUCKET', 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/*'], Condition: { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } } });
const httpsOnly = doc({ Sid: 'RestrictToTLSRequestsOnly', Action: 's3:*', Effect: 'Deny', Resource: ['arn:aws:s3:::DOC-EXAMPLE-BUCKET', 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/*'], Condition: { Bool: { 'aws:SecureTransport': 'false' } }, Principal: '*' });
const ownerFullControl = doc({ Sid: 'AllowPutWithFullControl', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/*', Condition: { StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control' } } });
const distribution = `arn:aws:cloudfront::${ACCOUNT}:distribution/EDFDVBD6EXAMPLE`;
const cloudFrontOac = doc({ Sid: 'AllowCloudFrontServicePrincipalReadOnly', Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/*', Condition: { StringEquals: { 'AWS:SourceArn': distribution } } });
const referer = doc({ Sid: 'Allow only GET requests originating from www.example.com and example.com.', Effect: 'Allow', Principal: '*', Action: ['s3:GetObject', 's3:GetObjectVersion'], Resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/*', Condition: { StringLike: { 'aws:Referer': ['https://www.example.com/*', 'https://example.com/*'] } } });
// Lambda Developer Guide, "Using resource-based policies": S3 invoking a function.
const lambdaFromS3 = doc({ Sid: 'lambda-allow-s3-my-function', Effect: 'Allow', Principal: { Service: 's3.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: `arn:aws:lambda:us-east-2:${ACCOUNT}:function:my-function`, Condition: { StringEquals: { 'AWS:SourceAccount': ACCOUNT }, ArnLike: { 'AWS:SourceArn': 'arn:aws:s3:::my-bucket' } } });
const fn = `arn:aws:lambda:us-east-2:${ACCOUNT}:function:my-function`;
// IAM User Guide, condition operators: the SQS queue that accepts messages from one SNS topic.
const topic = `arn:aws:sns:us-east-2:${ACCOUNT}:TOPIC-ID`;
const queueFromTopic = doc({ Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'SQS:SendMessage', Resource: `arn:aws:sqs:us-east-2:${ACCOUNT}:QUEUE-ID`, Condition: { ArnEquals: { 'aws:SourceArn': topic } } });
const queue = `arn:aws:sqs:us-east-2:${ACCOUNT}:QUEUE-ID`;
const snsUserEndpoint = doc({ Principal: { AWS: '999999999999' }, Effect: 'Allow', Action: 'sns:*', Resource: `arn:aws:sns:us-east-2:${ACCOUNT}:topic`, Condition: { StringLike: { 'sns:endpoint': 'https://example.com/${aws:username}/' }, StringEquals: { 'sns:Protocol': 'https' } } });

const cases: Case[] = [
  { name: 's3_rw-bucket: ListBucket on the bucket', principal: david, action: 's3:ListBucket', resource: 'arn:aws:s3:::bucket-name', identity: [rwBucket], expect: 'Allow', sid: 'ListObjectsInBucket' },
  { name: 's3_rw-bucket: s3:*Object matches GetObject', principal: david, action: 's3:GetObject', resource: 'arn:aws:s3:::bucket-name/a/b.txt', identity: [rwBucket], expect: 'Allow', sid: 'AllObjectActions' },
  { name: 's3_rw-bucket: s3:*Object does not match GetObjectAcl', principal: david, action: 's3:GetObjectAcl', resource: 'arn:aws:s3:::bucket-name/a/b.txt', identity: [rwBucket], expect: 'ImplicitDeny' },
  { name: 's3_deny-except-bucket: NotAction+NotResource denies other services', principal: david, action: 'ec2:DescribeInstances', resource: '*', identity: [allowAll, denyExceptBucket], expect: 'ExplicitDeny' },
  { name: 's3_deny-except-bucket: other buckets are only implicitly denied', principal: david, action: 's3:GetObject', resource: 'arn:aws:s3:::other/x', identity: [denyExceptBucket], expect: 'ImplicitDeny' },
  { name: 'elements_resource: * spans slashes within the resource segment', principal: david, action: 's3:GetObject', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/1/2/test/3/object.jpg', identity: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*' })], expect: 'Allow' },
  { name: 'elements_resource: DOC-EXAMPLE-BUCKET/*/test/* does not match test/object.jpg', principal: david, action: 's3:GetObject', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/test/object.jpg', identity: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/*/test/*' })], expect: 'ImplicitDeny' },
  { name: 's3_full-access-except-production: recent MFA may use Production', principal: david, action: 's3:GetObject', resource: 'arn:aws:s3:::Production/x', context: { 'aws:MultiFactorAuthAge': '600' }, identity: [exceptProduction], expect: 'Allow' },
  { name: 's3_full-access-except-production: MFA older than 30 minutes is denied', principal: david, action: 's3:GetObject', resource: 'arn:aws:s3:::Production/x', context: { 'aws:MultiFactorAuthAge': '3600' }, identity: [exceptProduction], expect: 'ExplicitDeny', sid: 'RequireMFAForProductionBucket' },
  { name: 's3_full-access-except-production: no MFA (key absent) is denied by IfExists', principal: david, action: 's3:GetObject', resource: 'arn:aws:s3:::Production/x', identity: [exceptProduction], expect: 'ExplicitDeny' },
  { name: 'aws-dates: inside the date range', principal: david, action: 'service-prefix:action-name', resource: '*', context: { 'aws:CurrentTime': '2020-05-15T12:00:00Z' }, identity: [dates], expect: 'Allow' },
  { name: 'aws-dates: after the date range', principal: david, action: 'service-prefix:action-name', resource: '*', context: { 'aws:CurrentTime': '2020-07-01T00:00:00Z' }, identity: [dates], expect: 'ImplicitDeny' },
  { name: 'aws-dates: aws:CurrentTime defaults to now', principal: david, action: 'service-prefix:action-name', resource: '*', identity: [dates], expect: 'ImplicitDeny' },
  { name: 'aws_mfa-dates: unquoted boolean true with MFA inside the dates', principal: david, action: 'service-prefix-1:Anything', resource: '*', context: { 'aws:MultiFactorAuthPresent': 'true', 'aws:CurrentTime': '2017-08-01T00:00:00Z' }, identity: [mfaDates], expect: 'Allow' },
  { name: 'aws_mfa-dates: without MFA', principal: david, action: 'service-prefix-1:Anything', resource: '*', context: { 'aws:MultiFactorAuthPresent': 'false', 'aws:CurrentTime': '2017-08-01T00:00:00Z' }, identity: [mfaDates], expect: 'ImplicitDeny' },
  { name: 'aws_deny-ip: a request from outside the ranges is denied', principal: david, action: 's3:ListAllMyBuckets', resource: '*', context: { 'aws:SourceIp': '198.51.100.7', 'aws:ViaAWSService': 'false' }, identity: [allowAll, denyIp], expect: 'ExplicitDeny' },
  { name: 'aws_deny-ip: a request from inside a range is allowed', principal: david, action: 's3:ListAllMyBuckets', resource: '*', context: { 'aws:SourceIp': '203.0.113.77', 'aws:ViaAWSService': 'false' }, identity: [allowAll, denyIp], expect: 'Allow' },
  { name: 'aws_deny-ip: a service acting for the user is not denied', principal: david, action: 's3:ListAllMyBuckets', resource: '*', context: { 'aws:SourceIp': '198.51.100.7', 'aws:ViaAWSService': 'true' }, identity: [allowAll, denyIp], expect: 'Allow' },
  { name: 'aws_deny-requested-region: an allowed region', principal: david, action: 'ec2:RunInstances', resource: '*', context: { 'aws:RequestedRegion': 'eu-west-1' }, identity: [allowAll, denyRegion], expect: 'Allow' },
  { name: 'aws_deny-requested-region: any other region is denied (StringNotEquals is NOR)', principal: david, action: 'ec2:RunInstances', resource: '*', context: { 'aws:RequestedRegion': 'us-east-1' }, identity: [allowAll, denyRegion], expect: 'ExplicitDeny', sid: 'DenyAllOutsideRequestedRegions' },
  { name: 'aws_deny-requested-region: global services are excluded by NotAction', principal: david, action: 'iam:CreateUser', resource: '*', context: { 'aws:RequestedRegion': 'us-east-1' }, identity: [allowAll, denyRegion], expect: 'Allow' },
  { name: 'ec2_require-mfa: StopInstances without MFA context is denied (BoolIfExists)', principal: david, action: 'ec2:StopInstances', resource: '*', identity: [requireMfa], expect: 'ExplicitDeny' },
  { name: 'ec2_require-mfa: StopInstances with MFA', principal: david, action: 'ec2:StopInstances', resource: '*', context: { 'aws:MultiFactorAuthPresent': 'true' }, identity: [requireMfa], expect: 'Allow' },
  { name: 'my-sec-creds-self-manage-mfa-only: GetUser on yourself without MFA', principal: david, action: 'iam:GetUser', resource: `arn:aws:iam::${ACCOUNT}:user/David`, identity: [mfaSelfManage], expect: 'Allow', sid: 'AllowManageOwnUserMFA' },
  { name: 'my-sec-creds-self-manage-mfa-only: anything else without MFA is denied', principal: david, action: 'iam:DeactivateMFADevice', resource: `arn:aws:iam::${ACCOUNT}:user/David`, identity: [mfaSelfManage], expect: 'ExplicitDeny', sid: 'DenyAllExceptListedIfNoMFA' },
  { name: 'my-sec-creds-self-manage-mfa-only: ${aws:username} limits you to your own user', principal: david, action: 'iam:EnableMFADevice', resource: `arn:aws:iam::${ACCOUNT}:user/Bob`, context: { 'aws:MultiFactorAuthPresent': 'true' }, identity: [mfaSelfManage], expect: 'ImplicitDeny' },
  { name: 's3_home-directory-console: listing your own home prefix', principal: david, action: 's3:ListBucket', resource: 'arn:aws:s3:::bucket-name', context: { 's3:prefix': 'home/David/photos/' }, identity: [homeDirectory], expect: 'Allow' },
  { name: "s3_home-directory-console: listing someone else's home prefix", principal: david, action: 's3:ListBucket', resource: 'arn:aws:s3:::bucket-name', context: { 's3:prefix': 'home/Bob/' }, identity: [homeDirectory], expect: 'ImplicitDeny' },
  { name: 's3_home-directory-console: the empty prefix lists the bucket root', principal: david, action: 's3:ListBucket', resource: 'arn:aws:s3:::bucket-name', context: { 's3:prefix': '' }, identity: [homeDirectory], expect: 'Allow' },
  { name: 's3_home-directory-console: objects under your home directory', principal: david, action: 's3:PutObject', resource: 'arn:aws:s3:::bucket-name/home/David/notes.txt', identity: [homeDirectory], expect: 'Allow' },
  { name: 'policy variables: a role session has no aws:username, so the resource matches nothing', principal: roleSession('David', 'David'), action: 's3:PutObject', resource: 'arn:aws:s3:::bucket-name/home/David/notes.txt', identity: [homeDirectory], expect: 'ImplicitDeny' },
  { name: 'policy variables: ${aws:username} in an SQS queue ARN', principal: david, action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-2:${ACCOUNT}:David-queue`, identity: [userQueue('2012-10-17')], expect: 'Allow' },
  { name: 'policy variables: not substituted without a Version element', principal: david, action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-2:${ACCOUNT}:David-queue`, identity: [userQueue(null)], expect: 'ImplicitDeny' },
  { name: 'policy variables: not substituted under Version 2008-10-17 (treated as literal text)', principal: david, action: 'sqs:SendMessage', resource: `arn:aws:sqs:us-east-2:${ACCOUNT}:\${aws:username}-queue`, identity: [userQueue('2008-10-17')], expect: 'Allow' },
  { name: 'policy variables: a tag value substitutes into the bucket name', principal: david, action: 's3:ListBucket', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET-yellow', context: { 'aws:PrincipalTag/team': 'yellow' }, identity: [teamBucket], expect: 'Allow' },
  { name: 'policy variables: the default value applies without the tag', principal: david, action: 's3:ListBucket', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET-company-wide', identity: [teamBucket], expect: 'Allow' },
  { name: 'policy variables: without the tag other team buckets stay closed', principal: david, action: 's3:ListBucket', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET-yellow', identity: [teamBucket], expect: 'ImplicitDeny' },
  { name: 'policy variables: ${*} is a literal asterisk', principal: david, action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/*', identity: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/${*}' })], expect: 'Allow' },
  { name: 'policy variables: ${*} does not act as a wildcard', principal: david, action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/anything', identity: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/${*}' })], expect: 'ImplicitDeny' },
  { name: 'policy variables: a substituted value containing * is literal', principal: user('a*'), action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/abc', identity: [doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/${aws:username}' })], expect: 'ImplicitDeny' },
  { name: 'iam-passrole-service: passing a role to CloudWatch', principal: david, action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/r`, context: { 'iam:PassedToService': 'cloudwatch.amazonaws.com' }, identity: [passRole], expect: 'Allow' },
  { name: 'iam-passrole-service: passing a role to another service', principal: david, action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT}:role/r`, context: { 'iam:PassedToService': 'ec2.amazonaws.com' }, identity: [passRole], expect: 'ImplicitDeny' },
  { name: 'ec2-start-stop-match-tags: matching CostCenter tags (key names case-insensitive)', principal: david, action: 'ec2:StartInstances', resource: '*', context: { 'aws:resourcetag/costcenter': '12345', 'AWS:PrincipalTag/CostCenter': '12345' }, identity: [matchTags], expect: 'Allow' },
  { name: 'ec2-start-stop-match-tags: different CostCenter tags', principal: david, action: 'ec2:StopInstances', resource: '*', context: { 'aws:ResourceTag/CostCenter': '12345', 'aws:PrincipalTag/CostCenter': '67890' }, identity: [matchTags], expect: 'ImplicitDeny' },
  { name: 'ec2-start-stop-match-tags: an untagged principal matches nothing', principal: david, action: 'ec2:StopInstances', resource: '*', context: { 'aws:ResourceTag/CostCenter': '12345' }, identity: [matchTags], expect: 'ImplicitDeny' },
  { name: 'iam-new-user-tag: only the allowed tag keys and values', principal: david, action: 'iam:CreateUser', resource: '*', context: { 'aws:TagKeys': ['Department'], 'aws:RequestTag/Department': 'Development' }, identity: [newUserTags], expect: 'Allow' },
  { name: 'iam-new-user-tag: an extra tag key fails ForAllValues', principal: david, action: 'iam:TagUser', resource: '*', context: { 'aws:TagKeys': ['Department', 'Owner'], 'aws:RequestTag/Department': 'Development' }, identity: [newUserTags], expect: 'ImplicitDeny' },
  { name: 'iam-new-user-tag: a disallowed Department value', principal: david, action: 'iam:TagUser', resource: '*', context: { 'aws:TagKeys': ['Department'], 'aws:RequestTag/Department': 'Sales' }, identity: [newUserTags], expect: 'ImplicitDeny' },
  { name: 'iam-new-user-tag: no tags at all (ForAllValues and IfExists are true)', principal: david, action: 'iam:CreateUser', resource: '*', identity: [newUserTags], expect: 'Allow' },
  { name: 'dynamodb_items: leading keys equal to the Cognito identity', principal: cognitoRole, action: 'dynamodb:GetItem', resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/MyTable`, context: { 'cognito-identity.amazonaws.com:sub': cognitoSub, 'dynamodb:LeadingKeys': [cognitoSub] }, identity: [cognitoItems], expect: 'Allow' },
  { name: "dynamodb_items: another identity's leading key", principal: cognitoRole, action: 'dynamodb:Query', resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/MyTable`, context: { 'cognito-identity.amazonaws.com:sub': cognitoSub, 'dynamodb:LeadingKeys': [cognitoSub, 'someone-else'] }, identity: [cognitoItems], expect: 'ImplicitDeny' },
  { name: 'S3 bucket policy examples: public read for anonymous users', principal: anonymous, action: 's3:GetObject', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/index.html', resourcePolicy: publicRead, expect: 'Allow', sid: 'PublicReadGetObject' },
  { name: 'S3 bucket policy examples: public read does not allow writes', principal: anonymous, action: 's3:PutObject', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/index.html', resourcePolicy: publicRead, expect: 'ImplicitDeny', reason: 'resource-based policy' },
  { name: 'S3 bucket policy examples: requests from outside 192.0.2.0/24 are denied', principal: david, action: 's3:GetObject', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/x', context: { 'aws:SourceIp': '203.0.113.1' }, identity: [allowAll], resourcePolicy: ipRestricted, expect: 'ExplicitDeny', sid: 'IPAllow' },
  { name: 'S3 bucket policy examples: requests from 192.0.2.0/24 pass', principal: david, action: 's3:GetObject', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/x', context: { 'aws:SourceIp': '192.0.2.44' }, identity: [allowAll], resourcePolicy: ipRestricted, expect: 'Allow' },
  { name: 'S3 bucket policy examples: HTTP requests are denied by aws:SecureTransport', principal: david, action: 's3:GetObject', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/x', context: { 'aws:SecureTransport': 'false' }, identity: [allowAll], resourcePolicy: httpsOnly, expect: 'ExplicitDeny' },
  { name: 'S3 bucket policy examples: HTTPS requests pass', principal: david, action: 's3:GetObject', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/x', context: { 'aws:SecureTransport': 'true' }, identity: [allowAll], resourcePolicy: httpsOnly, expect: 'Allow' },
  { name: 'S3 bucket policy examples: cross-account upload with bucket-owner-full-control', principal: user('uploader', OTHER_ACCOUNT), action: 's3:PutObject', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/x', resourceAccountId: ACCOUNT, context: { 's3:x-amz-acl': 'bucket-owner-full-control' }, identity: [allowAll], resourcePolicy: ownerFullControl, expect: 'Allow' },
  { name: 'S3 bucket policy examples: cross-account upload without the ACL', principal: user('uploader', OTHER_ACCOUNT), action: 's3:PutObject', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/x', resourceAccountId: ACCOUNT, identity: [allowAll], resourcePolicy: ownerFullControl, expect: 'ImplicitDeny', reason: 'resource-based policy' },
  { name: 'S3 bucket policy examples: CloudFront OAC from the named distribution', principal: service('cloudfront.amazonaws.com'), action: 's3:GetObject', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/a.png', context: { 'aws:SourceArn': distribution }, resourcePolicy: cloudFrontOac, expect: 'Allow' },
  { name: 'S3 bucket policy examples: CloudFront OAC from another distribution', principal: service('cloudfront.amazonaws.com'), action: 's3:GetObject', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/a.png', context: { 'aws:SourceArn': `arn:aws:cloudfront::${OTHER_ACCOUNT}:distribution/OTHER` }, resourcePolicy: cloudFrontOac, expect: 'ImplicitDeny' },
  { name: 'S3 bucket policy examples: aws:Referer with StringLike', principal: anonymous, action: 's3:GetObject', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/a.png', context: { 'aws:Referer': 'https://www.example.com/page.html' }, resourcePolicy: referer, expect: 'Allow' },
  { name: 'S3 bucket policy examples: a missing aws:Referer does not match', principal: anonymous, action: 's3:GetObject', resource: 'arn:aws:s3:::DOC-EXAMPLE-BUCKET/a.png', resourcePolicy: referer, expect: 'ImplicitDeny' },
  { name: 'Lambda resource-based policies: S3 invokes with the right source ARN and account', principal: service('s3.amazonaws.com'), action: 'lambda:InvokeFunction', resource: fn, context: { 'aws:SourceArn': 'arn:aws:s3:::my-bucket', 'aws:SourceAccount': ACCOUNT }, resourcePolicy: lambdaFromS3, expect: 'Allow' },
  { name: 'Lambda resource-based policies: a bucket in another account is refused', principal: service('s3.amazonaws.com'), action: 'lambda:InvokeFunction', resource: fn, context: { 'aws:SourceArn': 'arn:aws:s3:::my-bucket', 'aws:SourceAccount': OTHER_ACCOUNT }, resourcePolicy: lambdaFromS3, expect: 'ImplicitDeny' },
  { name: 'condition operators ARN example: SQS accepts the named SNS topic', principal: user('publisher'), action: 'sqs:SendMessage', resource: queue, context: { 'aws:SourceArn': topic }, identity: [allowAll], resourcePolicy: queueFromTopic, expect: 'Allow' },
  { name: 'condition operators ARN example: a direct call without aws:SourceArn relies on identity policy', principal: user('publisher'), action: 'sqs:SendMessage', resource: queue, resourcePolicy: queueFromTopic, expect: 'ImplicitDeny' },
  { name: 'policy variables: ${aws:username} in an SNS topic policy condition', principal: user('jdoe', '999999999999'), action: 'sns:Subscribe', resource: `arn:aws:sns:us-east-2:${ACCOUNT}:topic`, resourceAccountId: ACCOUNT, context: { 'sns:endpoint': 'https://example.com/jdoe/', 'sns:Protocol': 'https' }, identity: [allowAll], resourcePolicy: snsUserEndpoint, expect: 'Allow' },
];

runCases('evaluate (examples)', cases);
