import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiEndpoint, pathStyleEndpoint, stageUrl } from './endpoints.js';
import { conflictingVariable, lambdaArnOf, parseRouteKey, parseTaggableArn, validStageName, type ParsedRouteKey } from './names.js';

const parsed = (key: string) => parseRouteKey(key) as ParsedRouteKey;

test('route keys: $default, methods, variables and a greedy last segment', () => {
  assert.equal(parseRouteKey('$default'), undefined);
  assert.deepEqual(parseRouteKey('GET /'), { method: 'GET', segments: [] });
  assert.deepEqual(parseRouteKey('ANY /pets/{petId}/{proxy+}'), {
    method: 'ANY',
    segments: [
      { kind: 'literal', value: 'pets' },
      { kind: 'var', name: 'petId' },
      { kind: 'greedy', name: 'proxy' },
    ],
  });
  for (const bad of ['GET', 'GET  /x', 'get /x', 'CONNECT /x', 'GET x', 'GET /x/', 'GET //x', 'GET /{proxy+}/x', 'GET /{a}/{a}', 'GET /a b', 'GET /{}']) {
    const r = parseRouteKey(bad);
    assert.ok(r && 'error' in r, bad);
  }
});

test('conflicting variables: differently named variables at one level under the same prefix', () => {
  assert.equal(conflictingVariable(parsed('GET /a/{id}'), parsed('PUT /a/{key}')), true);
  assert.equal(conflictingVariable(parsed('GET /a/{id}/x'), parsed('GET /a/{id}/y')), false);
  assert.equal(conflictingVariable(parsed('GET /a/{id}'), parsed('GET /a/{proxy+}')), false);
  assert.equal(conflictingVariable(parsed('GET /a/{id}'), parsed('GET /b/{key}')), false);
  assert.equal(conflictingVariable(parsed('GET /{p+}'), parsed('GET /{q+}')), true);
});

test('Lambda ARNs: function ARNs (qualified or not) and invocation ARNs', () => {
  const fn = 'arn:aws:lambda:us-east-1:123456789012:function:f';
  assert.equal(lambdaArnOf(fn), fn);
  assert.equal(lambdaArnOf(`${fn}:live`), `${fn}:live`);
  assert.equal(lambdaArnOf(`arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fn}/invocations`), fn);
  assert.equal(lambdaArnOf('https://example.com'), undefined);
  assert.equal(lambdaArnOf('arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/x/invocations'), undefined);
});

test('endpoints, stage names and taggable ARNs', () => {
  assert.equal(apiEndpoint('http://127.0.0.1:4566', 'abcde12345'), 'http://abcde12345.execute-api.localhost:4566');
  assert.equal(apiEndpoint('http://localhost', 'abcde12345'), 'http://abcde12345.execute-api.localhost');
  assert.equal(pathStyleEndpoint('http://127.0.0.1:4566/', 'abcde12345'), 'http://127.0.0.1:4566/_stratus/execute-api/abcde12345');
  assert.equal(stageUrl('http://x', '$default'), 'http://x/');
  assert.equal(stageUrl('http://x', 'prod'), 'http://x/prod/');
  assert.ok(validStageName('$default') && validStageName('prod-1_a') && !validStageName('a b') && !validStageName('$x'));
  assert.deepEqual(parseTaggableArn('arn:aws:apigateway:us-east-1::/apis/abc/stages/%24default'), { region: 'us-east-1', apiId: 'abc', stageName: '$default' });
  assert.equal(parseTaggableArn('arn:aws:apigateway:us-east-1::/domainnames/x'), undefined);
});
