import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RequestContext } from '../../core/context.js';
import { silentLogger } from '../../core/logger.js';
import { functionArn, parseFunctionArn, parseFunctionRef, resourceArn } from './names.js';

const ctx = { accountId: '123456789012', region: 'us-east-1', log: silentLogger } as RequestContext;
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return [(err as { code: string }).code, (err as Error).message];
  }
  return undefined;
};

describe('lambda names', () => {
  it('parseFunctionRef: names, partial and full ARNs, with qualifiers', () => {
    assert.deepEqual(parseFunctionRef('fn', ctx), { accountId: '123456789012', region: 'us-east-1', name: 'fn' });
    assert.deepEqual(parseFunctionRef('fn:prod', ctx), { accountId: '123456789012', region: 'us-east-1', name: 'fn', qualifier: 'prod' });
    assert.deepEqual(parseFunctionRef('210987654321:function:fn', ctx, '3'), { accountId: '210987654321', region: 'us-east-1', name: 'fn', qualifier: '3' });
    assert.deepEqual(parseFunctionRef('arn:aws:lambda:us-east-1:123456789012:function:fn:$LATEST', ctx), { accountId: '123456789012', region: 'us-east-1', name: 'fn', qualifier: '$LATEST' });
  });

  it('parseFunctionRef: refuses what Lambda refuses, worded as Lambda words it', () => {
    assert.deepEqual(codeOf(() => parseFunctionRef('fn:1', ctx, '2')), ['InvalidParameterValueException', 'The derived qualifier from the function name does not match the specified qualifier.']);
    assert.deepEqual(codeOf(() => parseFunctionRef('arn:aws:lambda:eu-west-1:123456789012:function:fn', ctx)), ['ResourceNotFoundException', "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')"]);
    assert.equal(codeOf(() => parseFunctionRef('invalid:function:name', ctx))?.[0], 'ValidationException');
    assert.match(codeOf(() => parseFunctionRef('a'.repeat(141), ctx))![1]!, /Member must have length less than or equal to 140$/);
    assert.equal(codeOf(() => parseFunctionRef('fn', ctx, 'bad?q'))?.[0], 'ValidationException');
  });

  it('resourceArn: qualified when the request names a qualifier, * when unparseable', () => {
    assert.deepEqual(resourceArn('fn', ctx, 'live'), ['arn:aws:lambda:us-east-1:123456789012:function:fn:live']);
    assert.deepEqual(resourceArn('fn:live', ctx, undefined, false), ['arn:aws:lambda:us-east-1:123456789012:function:fn']);
    assert.deepEqual(resourceArn('bad name', ctx), ['*']);
  });

  it('parseFunctionArn: round-trips functionArn', () => {
    const ref = { accountId: '123456789012', region: 'us-east-1', name: 'fn' };
    assert.deepEqual(parseFunctionArn(functionArn(ref, '7')), { ...ref, qualifier: '7' });
    assert.equal(parseFunctionArn('arn:aws:s3:::bucket'), undefined);
  });
});
