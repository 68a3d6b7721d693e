import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { escapeXml, escapeXmlAttr, parseXml, XmlSyntaxError } from './xml.js';

describe('parseXml', () => {
  it('parseXml: elements, attributes, entities, CDATA and exact whitespace', () => {
    const root = parseXml(
      '\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<!-- c --><Delete xmlns="urn:x">\n' +
        '  <Object><Key> a&amp;b &#xD;&#233;&lt;</Key></Object>\n' +
        "  <Object a='1' b=\"&quot;2&quot;\"><Key><![CDATA[<raw & text>]]></Key><Empty/></Object>\n</Delete>",
    );
    assert.equal(root.name, 'Delete');
    assert.deepEqual(root.attrs, { xmlns: 'urn:x' });
    assert.equal(root.children.length, 2);
    assert.equal(root.children[0]!.children[0]!.text, ' a&b \ré<');
    assert.deepEqual(root.children[1]!.attrs, { a: '1', b: '"2"' });
    assert.equal(root.children[1]!.children[0]!.text, '<raw & text>');
    assert.equal(root.children[1]!.children[1]!.name, 'Empty');
  });

  it('parseXml: rejects documents that are not well-formed', () => {
    for (const doc of [
      '',
      'not xml',
      '<a><b></a>',
      '<a></a><b></b>',
      '<a>',
      '<a>x</a>trailing',
      '<a>&unknown;</a>',
      '<a>& bare</a>',
      '<a>&#0;</a>',
      '<a b="1" b="2"/>',
      '<a b=1/>',
      '<!DOCTYPE a><a/>',
      '<a><![CDATA[x</a>',
    ]) {
      assert.throws(() => parseXml(doc), XmlSyntaxError, doc);
    }
  });
});

describe('escapeXml', () => {
  it('escapeXml: markup characters and carriage returns, untouched fast path', () => {
    assert.equal(escapeXml('plain'), 'plain');
    assert.equal(escapeXml(`a&b<c>"d'\r\n`), 'a&amp;b&lt;c&gt;&quot;d&apos;&#xD;\n');
    assert.equal(escapeXmlAttr('a\tb\nc'), 'a&#x9;b&#xA;c');
    assert.equal(escapeXml('a\u0001b'), 'a&#x1;b');
  });

  it('escapeXml: output parses back to the same text', () => {
    const text = ' <k>&"\'\r\n\t✓ ';
    assert.equal(parseXml(`<a>${escapeXml(text)}</a>`).text, text);
    assert.equal(parseXml(`<a v="${escapeXmlAttr(text)}"/>`).attrs?.v, text);
  });
});
