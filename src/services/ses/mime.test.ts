/**
 * The pure parts of SES: RFC 2047 words, quoted-printable, message building
 * and reading back, address lists, Handlebars rendering and SMTP
 * dot-stuffing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressProblem, domainCandidates, parseAddressList, withoutLabel } from './addresses.js';
import { buildMessage, encodeWords, quotedPrintable } from './mime.js';
import { decodeWords, readMessage } from './mime-parse.js';
import { MissingAttributeError, render, TemplateSyntaxError } from './render.js';
import { dotStuff, parseSmtpUrl } from './smtp.js';

describe('SES mime', () => {
  it('encodeWords: ASCII stays as is; other text becomes UTF-8 B-words split on whole characters, lines under 78 columns', () => {
    assert.equal(encodeWords('plain subject'), 'plain subject');
    const text = 'Réunion — 日本語のテキスト 🎉 '.repeat(4);
    const encoded = encodeWords(text);
    for (const line of encoded.split('\r\n')) assert.ok(`Subject: ${line.trim()}`.length <= 78, line);
    for (const word of encoded.split('\r\n ')) assert.doesNotThrow(() => new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(/\?B\?(.*)\?=$/.exec(word)![1]!, 'base64')));
    assert.equal(decodeWords(encoded.replace(/\r\n/g, '')), text);
  });

  it('quotedPrintable: escapes 8-bit bytes, "=" and trailing spaces; soft breaks keep lines at 76', () => {
    assert.equal(quotedPrintable(Buffer.from('a=b é \nnext')), 'a=3Db =C3=A9=20\r\nnext');
    const long = quotedPrintable(Buffer.from('é'.repeat(60)));
    for (const line of long.split('\r\n')) assert.ok(line.length <= 76);
    assert.ok(!/=[0-9A-F]?=\r\n/.test(long), 'no escape is cut by a soft break');
  });

  it('buildMessage + readMessage: a text/HTML message reads back as written', () => {
    const raw = buildMessage(
      { messageId: 'id-1', date: new Date(Date.UTC(2020, 2, 18, 1, 9, 25)), from: { address: 'a@example.com', display: 'Anirban, Das' }, to: [{ address: 'b@example.com' }], cc: [], replyTo: [{ address: 'john@example.com' }] },
      { subject: { data: 'Vous avez un message' }, text: { data: 'ligne 1\nligne 2 — fin' }, html: { data: '<p>ok</p>' } },
    );
    const text = raw.toString('latin1');
    assert.match(text, /^Date: Wed, 18 Mar 2020 01:09:25 \+0000\r\nFrom: "Anirban, Das" <a@example.com>\r\nReply-To: john@example.com\r\nTo: b@example.com\r\nMessage-ID: <id-1@email.amazonses.com>\r\nSubject: Vous avez un message\r\nMIME-Version: 1.0\r\n/);
    const read = readMessage(raw);
    assert.equal(read.text, 'ligne 1\r\nligne 2 — fin');
    assert.equal(read.html, '<p>ok</p>');
    assert.deepEqual(read.attachments, []);
    assert.equal(read.headers.find((h) => h.name === 'From')!.value, '"Anirban, Das" <a@example.com>');
  });

  it('decodeWords: Q and B words, other charsets, adjacent words joined', () => {
    assert.equal(decodeWords('=?ISO-8859-1?Q?Andr=E9?= Pirard'), 'André Pirard');
    assert.equal(decodeWords('=?UTF-8?B?w6k=?= =?UTF-8?Q?_t=C3=A9?='), 'é té');
  });
});

describe('SES addresses', () => {
  it('lists split outside quotes and brackets; SES\'s address complaints; labels and parent domains', () => {
    assert.deepEqual(parseAddressList('"Doe, John" <j@x.io>, b@y.io (Bob), <c@z.io>'), [{ address: 'j@x.io', display: 'Doe, John' }, { address: 'b@y.io' }, { address: 'c@z.io' }]);
    assert.equal(addressProblem('nobody'), "Missing final '@domain'");
    assert.equal(addressProblem('a b@x.io'), 'Local address contains control or whitespace');
    assert.equal(addressProblem('a@x_y.io'), 'Domain contains illegal character');
    assert.equal(addressProblem('a@x.io'), undefined);
    assert.equal(withoutLabel('user+news@x.io'), 'user@x.io');
    assert.deepEqual(domainCandidates('A.B.Example.com'), ['a.b.example.com', 'b.example.com', 'example.com']);
  });
});

describe('SES templates (Handlebars subset)', () => {
  it('renders variables, paths, blocks, each with @index, and escapes only HTML', () => {
    const data = { name: 'Zoé & co', user: { city: 'Lyon' }, vip: false, items: [{ n: 'a' }, { n: 'b' }], tags: {} };
    assert.equal(render('Hi {{name}} from {{user.city}}', data), 'Hi Zoé & co from Lyon');
    assert.equal(render('<b>{{name}}</b>{{{name}}}', data, true), '<b>Zoé &amp; co</b>Zoé & co');
    assert.equal(render('{{#if vip}}VIP{{else}}member{{/if}}{{#unless vip}}!{{/unless}}', data), 'member!');
    assert.equal(render('{{#each items}}{{@index}}:{{n}}/{{../name}} {{/each}}', data), '0:a/Zoé & co 1:b/Zoé & co ');
    assert.equal(render('{{#with user}}{{city}}{{/with}}{{#each tags}}x{{else}}none{{/each}}{{! comment }}', data), 'Lyonnone');
  });

  it('an absent attribute is a rendering failure; bad syntax is refused', () => {
    assert.throws(() => render('Hi {{missing}}', {}), (e: unknown) => e instanceof MissingAttributeError && e.message === "Attribute 'missing' is not present in the rendering data.");
    assert.equal(render('{{#if missing}}x{{/if}}', {}), '');
    assert.throws(() => render('{{#if a}}x', {}), TemplateSyntaxError);
    assert.throws(() => render('{{#each a}}x{{/if}}', {}), TemplateSyntaxError);
  });
});

describe('SES SMTP client pieces', () => {
  it('dotStuff doubles leading dots and terminates with CRLF.CRLF', () => {
    assert.equal(dotStuff(Buffer.from('.a\r\nb\r\n..c\r\n.')).toString(), '..a\r\nb\r\n...c\r\n..\r\n.\r\n');
  });

  it('parseSmtpUrl: credentials are URL-decoded; default ports', () => {
    assert.deepEqual(parseSmtpUrl('smtp://us%40er:p%3Ass@mail.local:2525'), { host: 'mail.local', port: 2525, secure: false, user: 'us@er', pass: 'p:ss' });
    assert.deepEqual(parseSmtpUrl('smtps://mail.local'), { host: 'mail.local', port: 465, secure: true });
    assert.throws(() => parseSmtpUrl('http://mail.local'));
  });
});
