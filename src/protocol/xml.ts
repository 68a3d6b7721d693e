/**
 * A small, strict XML 1.0 reader and the escaping used by the XML writers.
 * AWS request bodies are tiny documents (S3 configurations, DeleteObjects), so
 * a single pass that keeps text exact (whitespace, character references) and
 * rejects what AWS rejects (mismatched tags, stray text, DOCTYPE/entities,
 * which also rules out XXE) is both faster and more faithful than a general
 * parser. https://www.w3.org/TR/xml/
 */

export interface XmlNode {
  name: string;
  attrs: Record<string, string> | undefined;
  children: XmlNode[];
  /** Concatenated character data directly inside the element, entities decoded. */
  text: string;
}

export class XmlSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlSyntaxError';
  }
}

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const NAME_STOP = /[\s/>]/;
const HEX_RE = /^[0-9a-fA-F]{1,6}$/;
const DEC_RE = /^\d{1,7}$/;

function resolveReference(ref: string): string {
  if (ref.charCodeAt(0) === 35 /* # */) {
    const hex = ref[1] === 'x';
    const digits = hex ? ref.slice(2) : ref.slice(1);
    const code = hex ? (HEX_RE.test(digits) ? parseInt(digits, 16) : NaN) : DEC_RE.test(digits) ? Number(digits) : NaN;
    if (!(code >= 1 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) {
      throw new XmlSyntaxError(`invalid character reference &${ref};`);
    }
    return String.fromCodePoint(code);
  }
  const named = NAMED[ref];
  if (named === undefined) throw new XmlSyntaxError(`undefined entity &${ref};`);
  return named;
}

function decodeEntities(s: string): string {
  let amp = s.indexOf('&');
  if (amp === -1) return s;
  let out = '';
  let last = 0;
  while (amp !== -1) {
    const semi = s.indexOf(';', amp + 1);
    if (semi === -1 || semi - amp > 12) throw new XmlSyntaxError('bare & in text');
    out += s.slice(last, amp) + resolveReference(s.slice(amp + 1, semi));
    last = semi + 1;
    amp = s.indexOf('&', last);
  }
  return out + s.slice(last);
}

/** Parses a whole document and returns its root element; throws XmlSyntaxError. */
export function parseXml(src: string): XmlNode {
  const n = src.length;
  let i = src.charCodeAt(0) === 0xfeff ? 1 : 0;
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;

  const text = (s: string): void => {
    const top = stack[stack.length - 1];
    if (!top) {
      if (s.trim() !== '') throw new XmlSyntaxError('text outside the root element');
      return;
    }
    if (s.indexOf('<') !== -1) throw new XmlSyntaxError('unexpected <');
    top.text += decodeEntities(s);
  };

  while (i < n) {
    const lt = src.indexOf('<', i);
    if (lt === -1) {
      text(src.slice(i));
      break;
    }
    if (lt > i) text(src.slice(i, lt));
    i = lt;
    const c1 = src.charCodeAt(i + 1);
    if (c1 === 63 /* ? */) {
      const end = src.indexOf('?>', i + 2);
      if (end === -1) throw new XmlSyntaxError('unterminated processing instruction');
      i = end + 2;
      continue;
    }
    if (c1 === 33 /* ! */) {
      if (src.startsWith('<!--', i)) {
        const end = src.indexOf('-->', i + 4);
        if (end === -1) throw new XmlSyntaxError('unterminated comment');
        i = end + 3;
        continue;
      }
      if (src.startsWith('<![CDATA[', i)) {
        const end = src.indexOf(']]>', i + 9);
        const top = stack[stack.length - 1];
        if (end === -1 || !top) throw new XmlSyntaxError('misplaced CDATA section');
        top.text += src.slice(i + 9, end);
        i = end + 3;
        continue;
      }
      throw new XmlSyntaxError('DOCTYPE and declarations are not allowed');
    }
    if (c1 === 47 /* / */) {
      const gt = src.indexOf('>', i + 2);
      if (gt === -1) throw new XmlSyntaxError('unterminated end tag');
      const name = src.slice(i + 2, gt).trimEnd();
      const top = stack.pop();
      if (!top || top.name !== name) throw new XmlSyntaxError(`unexpected end tag </${name}>`);
      i = gt + 1;
      continue;
    }
    // Start tag.
    let j = i + 1;
    while (j < n && !NAME_STOP.test(src[j]!)) j++;
    const name = src.slice(i + 1, j);
    if (name === '' || /[<&"'=]/.test(name)) throw new XmlSyntaxError('invalid element name');
    let attrs: Record<string, string> | undefined;
    let selfClosing = false;
    for (;;) {
      while (j < n && /\s/.test(src[j]!)) j++;
      if (j >= n) throw new XmlSyntaxError('unterminated start tag');
      if (src[j] === '>') {
        j++;
        break;
      }
      if (src[j] === '/' && src[j + 1] === '>') {
        selfClosing = true;
        j += 2;
        break;
      }
      const eq = src.indexOf('=', j);
      if (eq === -1) throw new XmlSyntaxError('malformed attribute');
      const attrName = src.slice(j, eq).trim();
      let q = eq + 1;
      while (q < n && /\s/.test(src[q]!)) q++;
      const quote = src[q];
      if ((quote !== '"' && quote !== "'") || attrName === '' || /[\s<>/"']/.test(attrName)) {
        throw new XmlSyntaxError('malformed attribute');
      }
      const close = src.indexOf(quote, q + 1);
      if (close === -1) throw new XmlSyntaxError('unterminated attribute value');
      const raw = src.slice(q + 1, close);
      if (raw.indexOf('<') !== -1) throw new XmlSyntaxError('< in attribute value');
      attrs ??= {};
      if (attrName in attrs) throw new XmlSyntaxError('duplicate attribute');
      attrs[attrName] = decodeEntities(raw);
      j = close + 1;
      if (j < n && !/[\s/>]/.test(src[j]!)) throw new XmlSyntaxError('missing space between attributes');
    }
    const node: XmlNode = { name, attrs, children: [], text: '' };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else if (root) throw new XmlSyntaxError('more than one root element');
    else root = node;
    if (!selfClosing) stack.push(node);
    i = j;
  }
  if (stack.length > 0) throw new XmlSyntaxError(`unclosed element <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new XmlSyntaxError('no root element');
  return root;
}

// Control characters XML 1.0 cannot carry literally are written as references, as S3 does for odd keys.
const ESCAPE_RE = /[&<>"'\r\n\t\x00-\x08\x0B\x0C\x0E-\x1F]/;
const ESCAPE_TEXT = /[&<>"'\r\x00-\x08\x0B\x0C\x0E-\x1F]/g;
const ESCAPE_ATTR = /[&<>"'\r\n\t\x00-\x08\x0B\x0C\x0E-\x1F]/g;
const REPLACEMENTS: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

function replacement(c: string): string {
  return REPLACEMENTS[c] ?? `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`;
}

/** Escapes character data; \r becomes a reference so parsers do not normalise it away. */
export function escapeXml(s: string): string {
  return ESCAPE_RE.test(s) ? s.replace(ESCAPE_TEXT, replacement) : s;
}

/** Escapes an attribute value, where parsers would also normalise \n and \t to spaces. */
export function escapeXmlAttr(s: string): string {
  return ESCAPE_RE.test(s) ? s.replace(ESCAPE_ATTR, replacement) : s;
}
