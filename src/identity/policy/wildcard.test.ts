/**
 * The matching primitives: wildcards, ARN segments, policy-variable
 * templates, IP ranges and date values.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrContains, parseCidr, parseIp } from './ip.js';
import { parseDateValue } from './operators.js';
import { compileArnPattern, compileGlob, matchArn, matchGlob, parseTemplate, resolveGlob, resolveText, splitArn } from './wildcard.js';

const none = () => undefined;

test('matchGlob: * and ? semantics', () => {
  const cases: Array<[string, string, boolean]> = [
    ['*', '', true],
    ['s3:get*', 's3:getobject', true],
    ['s3:get*', 's3:putobject', false],
    ['*object', 's3:getobject', true],
    ['s3:*object*', 's3:getobjectacl', true],
    ['iam:*report', 'iam:getorganizationsaccessreport', true],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a*b*c', 'axxbyyc', true],
    ['a*b*c', 'axxbyy', false],
    ['*log*', 'carlossalazar-logs', true],
    ['**', 'anything', true],
    ['a*', 'a', true],
    ['', '', true],
    ['', 'x', false],
  ];
  for (const [p, s, want] of cases) assert.equal(matchGlob(compileGlob(p), s), want, `${p} vs ${s}`);
});

test('matchArn: wildcards stay within colon-separated segments except the resource segment', () => {
  const m = (p: string, v: string) => matchArn(compileArnPattern(p, true), v, splitArn(v), none);
  assert.equal(m('arn:aws:s3:::*', 'arn:aws:s3:::bucket/key'), true);
  assert.equal(m('arn:aws:iam::*:user/*', 'arn:aws:iam::123456789012:user/a/b'), true);
  assert.equal(m('arn:aws:lambda:*:*:function:*', 'arn:aws:lambda:us-east-1:123456789012:function:f:alias'), true);
  assert.equal(m('arn:aws:sqs:us-east-?:*:q', 'arn:aws:sqs:us-east-1:123456789012:q'), true);
  assert.equal(m('arn:aws:sqs:*:123456789012:q', 'arn:aws:sqs:us-east-1:extra:123456789012:q'), false);
  // A pattern with fewer than six segments has no segment structure to respect; it is matched as a whole.
  assert.equal(m('arn:aws:sqs:*', 'arn:aws:sqs:us-east-1:123456789012:q'), true);
  assert.equal(m('arn:aws:s3:::*', '*'), false);
  assert.equal(m('*', '*'), true);
  assert.equal(m('arn:aws:s3:::Bucket', 'arn:aws:s3:::bucket'), false);
});

test('parseTemplate: variables, defaults and special characters', () => {
  const lookup = (k: string) => ({ 'aws:username': 'alice', 'aws:principaltag/team': 'x*y' })[k];
  assert.equal(resolveText(parseTemplate('home/${aws:username}/', true), lookup), 'home/alice/');
  assert.equal(resolveText(parseTemplate('home/${AWS:UserName}/', true), lookup), 'home/alice/');
  assert.equal(resolveText(parseTemplate("b-${aws:PrincipalTag/dept, 'none'}", true), lookup), 'b-none');
  assert.equal(resolveText(parseTemplate("b-${aws:PrincipalTag/dept,'it, ops'}", true), lookup), 'b-it, ops');
  assert.equal(resolveText(parseTemplate('${aws:userid}', true), lookup), undefined);
  assert.equal(resolveText(parseTemplate('${*}${?}${$}', true), lookup), '*?$');
  assert.equal(resolveText(parseTemplate('home/${aws:username}/', false), lookup), 'home/${aws:username}/');
  assert.equal(resolveText(parseTemplate('cost-${unclosed', true), lookup), 'cost-${unclosed');
  const g = resolveGlob(parseTemplate('${aws:PrincipalTag/team}-*', true), lookup)!;
  assert.equal(matchGlob(g, 'x*y-1'), true);
  assert.equal(matchGlob(g, 'xzy-1'), false, 'a substituted * is literal');
});

test('parseIp and parseCidr: IPv4, IPv6 and IPv4-mapped forms', () => {
  assert.deepEqual([...parseIp('192.0.2.1')!.slice(10)], [255, 255, 192, 0, 2, 1]);
  assert.deepEqual(parseIp('::ffff:192.0.2.1'), parseIp('192.0.2.1'));
  assert.equal(parseIp('2001:db8::1')![15], 1);
  for (const bad of ['1.2.3', '1.2.3.256', '1::2::3', '12345::', 'x', '1:2:3:4:5:6:7:8:9']) assert.equal(parseIp(bad), undefined, bad);
  assert.ok(cidrContains(parseCidr('2001:DB8:1234:5678::/64')!, parseIp('2001:db8:1234:5678:1:2:3:4')!));
  assert.ok(!cidrContains(parseCidr('2001:DB8:1234:5678::/64')!, parseIp('2001:db8:1234:5679::1')!));
  assert.ok(cidrContains(parseCidr('10.0.0.0/8')!, parseIp('::ffff:10.1.2.3')!));
  assert.ok(cidrContains(parseCidr('0.0.0.0/0')!, parseIp('8.8.8.8')!));
  assert.ok(!cidrContains(parseCidr('0.0.0.0/0')!, parseIp('2001:db8::1')!));
  assert.equal(parseCidr('10.0.0.0/33'), undefined);
});

test('parseDateValue: ISO 8601 and epoch seconds', () => {
  assert.equal(parseDateValue('2020-04-01T00:00:00Z'), Date.UTC(2020, 3, 1));
  assert.equal(parseDateValue('2020-04-01'), Date.UTC(2020, 3, 1));
  assert.equal(parseDateValue('2020-04-01T02:00:00+02:00'), Date.UTC(2020, 3, 1));
  assert.equal(parseDateValue('2020-04-01T00:00:00'), Date.UTC(2020, 3, 1));
  assert.equal(parseDateValue('1600000000'), 1600000000000);
  assert.ok(Number.isNaN(parseDateValue('tomorrow')));
});
