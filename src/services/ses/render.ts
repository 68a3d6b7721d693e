/**
 * The Handlebars subset SES templates use: `{{name}}` and dotted paths,
 * `{{{raw}}}`, `{{#if}}`/`{{#unless}}`/`{{#each}}`/`{{#with}}` with
 * `{{else}}`, `this`, `../`, `@index`/`@key`/`@first`/`@last`, and comments.
 * As in SES, a plain `{{name}}` whose attribute is absent from the data is a
 * rendering failure (TestRenderTemplate answers MissingRenderingAttribute),
 * while a condition on an absent attribute is simply false. `{{x}}` is
 * HTML-escaped in the HTML part only.
 * https://docs.aws.amazon.com/ses/latest/dg/send-personalized-email-advanced.html
 * https://handlebarsjs.com/guide/
 */

type Node =
  | { t: 'text'; text: string }
  | { t: 'var'; path: string; raw: boolean }
  | { t: 'block'; kind: 'if' | 'unless' | 'each' | 'with'; path: string; body: Node[]; alt: Node[] };

export class TemplateSyntaxError extends Error {}
export class MissingAttributeError extends Error {
  constructor(readonly attribute: string) {
    super(`Attribute '${attribute}' is not present in the rendering data.`);
  }
}

const TAG = /\{\{\{~?\s*([\s\S]*?)\s*~?\}\}\}|\{\{~?\s*([\s\S]*?)\s*~?\}\}/g;

export function parseTemplate(source: string): Node[] {
  const root: Node[] = [];
  const stack: { node: Extract<Node, { t: 'block' }>; inAlt: boolean }[] = [];
  const target = () => {
    const top = stack[stack.length - 1];
    return top ? (top.inAlt ? top.node.alt : top.node.body) : root;
  };
  let last = 0;
  for (const m of source.matchAll(TAG)) {
    if (m.index! > last) target().push({ t: 'text', text: source.slice(last, m.index) });
    last = m.index! + m[0].length;
    if (m[1] !== undefined) {
      target().push({ t: 'var', path: m[1].trim(), raw: true });
      continue;
    }
    const inner = m[2]!.trim();
    if (inner.startsWith('!')) continue;
    if (inner.startsWith('#')) {
      const [kind, ...rest] = inner.slice(1).trim().split(/\s+/);
      if (kind !== 'if' && kind !== 'unless' && kind !== 'each' && kind !== 'with') throw new TemplateSyntaxError(`Unsupported block helper: #${kind}`);
      if (rest.length !== 1) throw new TemplateSyntaxError(`#${kind} takes one argument`);
      const node: Extract<Node, { t: 'block' }> = { t: 'block', kind, path: rest[0]!, body: [], alt: [] };
      target().push(node);
      stack.push({ node, inAlt: false });
      continue;
    }
    if (inner === 'else' || inner === '^') {
      const top = stack[stack.length - 1];
      if (!top || top.inAlt) throw new TemplateSyntaxError('{{else}} outside a block');
      top.inAlt = true;
      continue;
    }
    if (inner.startsWith('/')) {
      const kind = inner.slice(1).trim();
      const top = stack.pop();
      if (!top || top.node.kind !== kind) throw new TemplateSyntaxError(`Unexpected {{/${kind}}}`);
      continue;
    }
    if (inner.startsWith('>')) throw new TemplateSyntaxError('Partials are not supported');
    target().push({ t: 'var', path: inner, raw: false });
  }
  if (stack.length) throw new TemplateSyntaxError(`Unclosed {{#${stack[stack.length - 1]!.node.kind}}}`);
  if (last < source.length) root.push({ t: 'text', text: source.slice(last) });
  return root;
}

interface Frame {
  value: unknown;
  data: Record<string, unknown>;
}

const MISSING = Symbol('missing');

function lookup(frames: Frame[], path: string): unknown {
  let depth = frames.length - 1;
  let p = path;
  while (p.startsWith('../')) {
    depth = Math.max(0, depth - 1);
    p = p.slice(3);
  }
  if (p.startsWith('@')) {
    for (let i = depth; i >= 0; i--) if (p.slice(1) in frames[i]!.data) return frames[i]!.data[p.slice(1)];
    return MISSING;
  }
  const explicit = p === 'this' || p.startsWith('this.') || p.startsWith('./');
  const parts = p.replace(/^this\.?|^\.\//, '').split('.').filter(Boolean);
  // Handlebars looks only in the current context; SES templates are often written as if names were
  // found in enclosing ones too, so an unqualified name falls back outwards.
  for (let i = depth; i >= 0; i--) {
    let v: unknown = frames[i]!.value;
    let found = true;
    for (const part of parts) {
      if (v !== null && typeof v === 'object' && part in (v as object)) v = (v as Record<string, unknown>)[part];
      else {
        found = false;
        break;
      }
    }
    if (found) return v;
    if (explicit) break;
  }
  return MISSING;
}

const truthy = (v: unknown) => v !== MISSING && v !== undefined && v !== null && v !== false && v !== '' && v !== 0 && !(Array.isArray(v) && v.length === 0);

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#x27;', '`': '&#x60;', '=': '&#x3D;' };

function text(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(text).join(',');
  return String(v);
}

function run(nodes: Node[], frames: Frame[], html: boolean): string {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text') out += n.text;
    else if (n.t === 'var') {
      const v = lookup(frames, n.path);
      if (v === MISSING) throw new MissingAttributeError(n.path.replace(/^(\.\.\/)+|^this\.?/g, '') || n.path);
      const s = text(v);
      out += html && !n.raw ? s.replace(/[&<>"'`=]/g, (ch) => HTML_ESCAPES[ch]!) : s;
    } else {
      const v = lookup(frames, n.path);
      if (n.kind === 'if') out += run(truthy(v) ? n.body : n.alt, frames, html);
      else if (n.kind === 'unless') out += run(truthy(v) ? n.alt : n.body, frames, html);
      else if (n.kind === 'with') out += truthy(v) ? run(n.body, [...frames, { value: v, data: {} }], html) : run(n.alt, frames, html);
      else {
        const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : v !== null && typeof v === 'object' ? Object.entries(v) : [];
        if (entries.length === 0) out += run(n.alt, frames, html);
        entries.forEach(([key, item], i) => {
          const data = { index: i, key, first: i === 0, last: i === entries.length - 1 };
          out += run(n.body, [...frames, { value: item, data }], html);
        });
      }
    }
  }
  return out;
}

export function render(source: string, data: unknown, html = false): string {
  return run(parseTemplate(source), [{ value: data, data: {} }], html);
}
