import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileFilterPattern, parseTerms } from './filter-pattern.js';

const matching = (pattern: string, messages: string[]) => messages.filter(compileFilterPattern(pattern));

describe('filter patterns', () => {
  const lines = ['[ERROR] disk full', 'INFO started', 'WARN low memory', 'ERROR: Exception in thread', 'error lower case'];

  it('filter pattern: empty matches every event', () => {
    assert.deepEqual(matching('', lines), lines);
    assert.deepEqual(matching('   ', lines), lines);
    assert.equal(compileFilterPattern(undefined)('x'), true);
  });

  it('filter pattern: plain terms must all appear, case-sensitive', () => {
    assert.deepEqual(matching('ERROR', lines), ['[ERROR] disk full', 'ERROR: Exception in thread']);
    assert.deepEqual(matching('ERROR Exception', lines), ['ERROR: Exception in thread']);
    assert.deepEqual(matching('Error', lines), []);
  });

  it('filter pattern: quoted phrases match with their spaces and punctuation', () => {
    assert.deepEqual(matching('"disk full"', lines), ['[ERROR] disk full']);
    assert.deepEqual(matching('"[ERROR]"', lines), ['[ERROR] disk full']);
    assert.deepEqual(matching('"say \\"hi\\""', ['they say "hi"', 'say hi']), ['they say "hi"']);
  });

  it('filter pattern: ?terms match when any of them appears', () => {
    assert.deepEqual(matching('?ERROR ?WARN', lines), ['[ERROR] disk full', 'WARN low memory', 'ERROR: Exception in thread']);
  });

  it('filter pattern: -term excludes events containing it', () => {
    assert.deepEqual(matching('ERROR -Exception', lines), ['[ERROR] disk full']);
    assert.deepEqual(matching('ERROR -"disk full"', lines), ['ERROR: Exception in thread']);
  });

  it('filter pattern: unquoted terms with punctuation are refused as AWS refuses them', () => {
    assert.throws(() => compileFilterPattern('user@example.com'), { code: 'InvalidParameterException', message: "Invalid character(s) in term 'user@example.com'" });
    assert.throws(() => compileFilterPattern('"unterminated'), { code: 'InvalidParameterException', message: 'Invalid filter pattern' });
    assert.deepEqual(parseTerms('a ?b -"c d"'), [
      { kind: 'all', text: 'a' },
      { kind: 'any', text: 'b' },
      { kind: 'not', text: 'c d' },
    ]);
  });

  const docs = [
    JSON.stringify({ level: 'error', n: 7, user: { id: 'u-1', admin: true }, tags: ['a', 'b'], gone: null }),
    JSON.stringify({ level: 'info', n: 3, user: { id: 'u-2', admin: false } }),
    JSON.stringify({ level: 'warning', n: 5.5 }),
    'not json at all { $.level = "error" }',
  ];

  it('filter pattern: JSON equality on strings, with wildcards', () => {
    assert.deepEqual(matching('{ $.level = "error" }', docs), [docs[0]]);
    assert.deepEqual(matching('{$.level=error}', docs), [docs[0]]);
    assert.deepEqual(matching('{ $.level = "warn*" }', docs), [docs[2]]);
    assert.deepEqual(matching('{ $.level != "error" }', docs), [docs[1], docs[2]]);
    assert.deepEqual(matching('{ $.user.id = "u-*" }', docs), [docs[0], docs[1]]);
    assert.deepEqual(matching('{ $.tags[1] = "b" }', docs), [docs[0]]);
  });

  it('filter pattern: JSON numeric comparisons', () => {
    assert.deepEqual(matching('{ $.n > 5 }', docs), [docs[0], docs[2]]);
    assert.deepEqual(matching('{ $.n >= 7 }', docs), [docs[0]]);
    assert.deepEqual(matching('{ $.n < 5 }', docs), [docs[1]]);
    assert.deepEqual(matching('{ $.n = 3 }', docs), [docs[1]]);
    assert.deepEqual(matching('{ $.n != 3 }', docs), [docs[0], docs[2]]);
  });

  it('filter pattern: JSON && and || with parentheses', () => {
    assert.deepEqual(matching('{ $.level = "error" && $.n > 5 }', docs), [docs[0]]);
    assert.deepEqual(matching('{ $.level = "info" || $.n > 5 }', docs), [docs[0], docs[1], docs[2]]);
    assert.deepEqual(matching('{ ($.level = "info" || $.level = "error") && $.n < 5 }', docs), [docs[1]]);
  });

  it('filter pattern: JSON IS TRUE/FALSE/NULL and NOT EXISTS', () => {
    assert.deepEqual(matching('{ $.user.admin IS TRUE }', docs), [docs[0]]);
    assert.deepEqual(matching('{ $.user.admin IS FALSE }', docs), [docs[1]]);
    assert.deepEqual(matching('{ $.gone IS NULL }', docs), [docs[0]]);
    assert.deepEqual(matching('{ $.user NOT EXISTS }', docs), [docs[2]]);
  });

  it('filter pattern: malformed JSON patterns are InvalidParameterException', () => {
    assert.throws(() => compileFilterPattern('{ $.a = 1'), { code: 'InvalidParameterException', message: "If a filter pattern starts with '{' it must end with '}'" });
    assert.throws(() => compileFilterPattern('{ $.a = }'), { code: 'InvalidParameterException', message: 'Invalid filter pattern' });
    assert.throws(() => compileFilterPattern('{ $.a > "x" }'), { code: 'InvalidParameterException' });
    assert.throws(() => compileFilterPattern('{ }'), { code: 'InvalidParameterException' });
    assert.throws(() => compileFilterPattern('{ ($.a = 1 }'), { code: 'InvalidParameterException' });
  });

  it('filter pattern: space-delimited and regex patterns are refused, not ignored', () => {
    assert.throws(() => compileFilterPattern('[ip, user, status=404]'), { code: 'InvalidParameterException' });
    assert.throws(() => compileFilterPattern('%ERR.R%'), { code: 'InvalidParameterException' });
  });
});
