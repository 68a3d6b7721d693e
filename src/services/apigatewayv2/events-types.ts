/**
 * The shapes of the events an HTTP API sends to Lambda (see events.ts), as
 * AWS sends them: optional members are the ones AWS omits when empty.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */

/** The SigV4 caller of an AWS_IAM route (2.0 `requestContext.authorizer.iam`). */
export interface IamIdentity {
  accessKey: string;
  accountId: string;
  callerId: string;
  cognitoIdentity: null;
  principalOrgId: string | null;
  userArn: string;
  userId: string;
}

export interface HttpContextV2 {
  method: string;
  path: string;
  protocol: string;
  sourceIp: string;
  userAgent: string;
}

export interface RequestContextV2 {
  accountId: string;
  apiId: string;
  authorizer?: { jwt: { claims: Record<string, string>; scopes: string[] | null } } | { lambda: Record<string, unknown> } | { iam: IamIdentity };
  domainName: string;
  domainPrefix: string;
  http: HttpContextV2;
  requestId: string;
  routeKey: string;
  stage: string;
  time: string;
  timeEpoch: number;
}

export interface ProxyEventV2 {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: RequestContextV2;
  body?: string;
  pathParameters?: Record<string, string>;
  isBase64Encoded: boolean;
  stageVariables?: Record<string, string>;
}

export interface IdentityV1 {
  accessKey: string | null;
  accountId: string | null;
  caller: string | null;
  cognitoAmr: null;
  cognitoAuthenticationProvider: null;
  cognitoAuthenticationType: null;
  cognitoIdentityId: null;
  cognitoIdentityPoolId: null;
  principalOrgId: null;
  sourceIp: string;
  user: string | null;
  userAgent: string;
  userArn: string | null;
}

export interface RequestContextV1 {
  accountId: string;
  apiId: string;
  authorizer?: Record<string, unknown>;
  domainName: string;
  domainPrefix: string;
  extendedRequestId: string;
  httpMethod: string;
  identity: IdentityV1;
  path: string;
  protocol: string;
  requestId: string;
  requestTime: string;
  requestTimeEpoch: number;
  resourceId: string;
  resourcePath: string;
  stage: string;
}

export interface ProxyEventV1 {
  version: '1.0';
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
  requestContext: RequestContextV1;
  pathParameters: Record<string, string> | null;
  stageVariables: Record<string, string> | null;
  body: string | null;
  isBase64Encoded: boolean;
}

export interface AuthorizerEventV2 {
  version: '2.0';
  type: 'REQUEST';
  routeArn: string;
  identitySource: string[];
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  cookies?: string[];
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: RequestContextV2;
  pathParameters?: Record<string, string>;
  stageVariables?: Record<string, string>;
}

export interface AuthorizerEventV1 {
  version: '1.0';
  type: 'REQUEST';
  methodArn: string;
  identitySource: string;
  authorizationToken: string;
  resource: string;
  path: string;
  httpMethod: string;
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  queryStringParameters: Record<string, string> | null;
  multiValueQueryStringParameters: Record<string, string[]> | null;
  pathParameters: Record<string, string> | null;
  stageVariables: Record<string, string> | null;
  requestContext: RequestContextV1;
}
