/**
 * CloudWatch Logs filter patterns, the subset Stratus understands:
 *  - empty: every event;
 *  - terms (`ERROR Exception`): every term appears, case-sensitive; terms with
 *    characters other than letters, digits and `_` must be "quoted phrases";
 *  - `?ERROR ?WARN`: at least one of the `?` terms appears;
 *  - `-term`: the term does not appear;
 *  - JSON patterns `{ $.level = "error" && ($.n > 5 || $.ok IS TRUE) }` with
 *    =, !=, <, <=, >, >=, `*` wildcards in string values, IS NULL / IS TRUE /
 *    IS FALSE / NOT EXISTS, && and || and parentheses; only JSON messages match.
 * Space-delimited (`[ip, user, ...]`) and regular-expression (`%...%`)
 * patterns are refused with InvalidParameterException rather than ignored.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */
import { invalidParameter } from './errors.js';

export type Matcher = (message: string) => boolean;

const invalid = () => invalidParameter('Invalid filter pattern');

export function compileFilterPattern(pattern: string | undefined): Matcher {
  const text = (pattern ?? '').trim();
  if (text === '') return () => true;
  if (text.startsWith('{')) {
    if (!text.endsWith('}')) throw invalidParameter("If a filter pattern starts with '{' it must end with '}'");
    return compileJson(text.slice(1, -1));
  }
  if (text.startsWith('[')) throw invalidParameter('Space-delimited filter patterns ([...]) are not supported by Stratus yet');
  if (text.startsWith('%') && text.endsWith('%') && text.length > 1) throw invalidParameter('Regular-expression filter patterns (%...%) are not supported by Stratus yet');
  return compileTerms(text);
}

// ---- terms ------------------------------------------------------------------

interface Term {
  kind: 'all' | 'any' | 'not';
  text: string;
}

const BARE_TERM = /^[\p{L}\p{N}_]+$/u;

export function parseTerms(text: string): Term[] {
  const terms: Term[] = [];
  let i = 0;
  while (i < text.length) {
    if (/\s/.test(text[i]!)) {
      i++;
      continue;
    }
    let kind: Term['kind'] = 'all';
    if (text[i] === '?' || text[i] === '-') {
      kind = text[i] === '?' ? 'any' : 'not';
      i++;
    }
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw invalid();
        const c = text[i]!;
        if (c === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
        } else if (c === '"') {
          i++;
          break;
        } else {
          value += c;
          i++;
        }
      }
      if (i < text.length && !/\s/.test(text[i]!)) throw invalid();
      terms.push({ kind, text: value });
      continue;
    }
    let end = i;
    while (end < text.length && !/\s/.test(text[end]!)) end++;
    const word = text.slice(i, end);
    if (word === '' || !BARE_TERM.test(word)) throw invalidParameter(`Invalid character(s) in term '${word || text.slice(i - 1, end)}'`);
    terms.push({ kind, text: word });
    i = end;
  }
  return terms;
}

function compileTerms(text: string): Matcher {
  const terms = parseTerms(text);
  const all = terms.filter((t) => t.kind === 'all').map((t) => t.text);
  const any = terms.filter((t) => t.kind === 'any').map((t) => t.text);
  const not = terms.filter((t) => t.kind === 'not').map((t) => t.text);
  return (m) => all.every((t) => m.includes(t)) && (any.length === 0 || any.some((t) => m.includes(t))) && !not.some((t) => m.includes(t));
}

// ---- JSON patterns ----------------------------------------------------------

type Token = { t: 'sel'; path: (string | number)[] } | { t: 'op'; v: string } | { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'word'; v: string } | { t: '(' | ')' | '&&' | '||' };

const OPS = ['!=', '<=', '>=', '=', '<', '>'];

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      out.push({ t: c });
      i++;
    } else if (src.startsWith('&&', i) || src.startsWith('||', i)) {
      out.push({ t: src.slice(i, i + 2) as '&&' | '||' });
      i += 2;
    } else if (c === '$') {
      const path: (string | number)[] = [];
      i++;
      for (;;) {
        if (src[i] === '.') {
          const m = /^[^\s.[\]()=!<>&|]+/.exec(src.slice(i + 1));
          if (!m) throw invalid();
          path.push(m[0]);
          i += 1 + m[0].length;
        } else if (src[i] === '[') {
          const m = /^\[(\d+)\]/.exec(src.slice(i));
          if (!m) throw invalid();
          path.push(Number(m[1]));
          i += m[0].length;
        } else break;
      }
      if (path.length === 0) throw invalid();
      out.push({ t: 'sel', path });
    } else if (OPS.some((op) => src.startsWith(op, i))) {
      const op = OPS.find((o) => src.startsWith(o, i))!;
      out.push({ t: 'op', v: op });
      i += op.length;
    } else if (c === '"') {
      let v = '';
      i++;
      while (i < src.length && src[i] !== '"') {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        v += src[i];
        i++;
      }
      if (i >= src.length) throw invalid();
      i++;
      out.push({ t: 'str', v });
    } else {
      const m = /^[^\s()&|=!<>"]+/.exec(src.slice(i));
      if (!m) throw invalid();
      const word = m[0];
      i += word.length;
      out.push(/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(word) ? { t: 'num', v: Number(word) } : { t: 'word', v: word });
    }
  }
  return out;
}

type Node = { and: Node[] } | { or: Node[] } | { test: (doc: unknown) => boolean };

function select(doc: unknown, path: (string | number)[]): { found: boolean; value?: unknown } {
  let cur: unknown = doc;
  for (const p of path) {
    if (typeof p === 'number') {
      if (!Array.isArray(cur) || p >= cur.length) return { found: false };
      cur = cur[p];
    } else {
      if (typeof cur !== 'object' || cur === null || Array.isArray(cur) || !(p in cur)) return { found: false };
      cur = (cur as Record<string, unknown>)[p];
    }
  }
  return { found: true, value: cur };
}

function wildcard(pattern: string): (s: string) => boolean {
  if (!pattern.includes('*')) return (s) => s === pattern;
  const re = new RegExp('^' + pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$', 's');
  return (s) => re.test(s);
}

function comparison(path: (string | number)[], op: string, value: Token): (doc: unknown) => boolean {
  if (value.t === 'num') {
    const n = value.v;
    const cmp: Record<string, (a: number) => boolean> = { '=': (a) => a === n, '!=': (a) => a !== n, '<': (a) => a < n, '<=': (a) => a <= n, '>': (a) => a > n, '>=': (a) => a >= n };
    return (doc) => {
      const { found, value: v } = select(doc, path);
      return found && typeof v === 'number' && cmp[op]!(v);
    };
  }
  if (value.t !== 'str' && value.t !== 'word') throw invalid();
  if (op !== '=' && op !== '!=') throw invalid();
  const match = wildcard(value.v);
  const eq = (v: unknown) => (typeof v === 'string' ? match(v) : (typeof v === 'boolean' || typeof v === 'number') && match(String(v)));
  return (doc) => {
    const { found, value: v } = select(doc, path);
    if (!found) return false;
    return op === '=' ? eq(v) : !eq(v);
  };
}

function parseJsonExpr(tokens: Token[]): Node {
  let pos = 0;
  const peek = () => tokens[pos];
  const parseOr = (): Node => {
    const parts = [parseAnd()];
    while (peek()?.t === '||') {
      pos++;
      parts.push(parseAnd());
    }
    return parts.length === 1 ? parts[0]! : { or: parts };
  };
  const parseAnd = (): Node => {
    const parts = [parseUnary()];
    while (peek()?.t === '&&') {
      pos++;
      parts.push(parseUnary());
    }
    return parts.length === 1 ? parts[0]! : { and: parts };
  };
  const parseUnary = (): Node => {
    const tok = tokens[pos++];
    if (!tok) throw invalid();
    if (tok.t === '(') {
      const inner = parseOr();
      if (tokens[pos++]?.t !== ')') throw invalid();
      return inner;
    }
    if (tok.t !== 'sel') throw invalid();
    const next = tokens[pos++];
    if (next?.t === 'op') {
      const value = tokens[pos++];
      if (!value) throw invalid();
      return { test: comparison(tok.path, next.v, value) };
    }
    if (next?.t === 'word' && next.v.toUpperCase() === 'IS') {
      const what = tokens[pos++];
      const word = what?.t === 'word' ? what.v.toUpperCase() : '';
      const path = tok.path;
      if (word === 'NULL') return { test: (doc) => select(doc, path).found && select(doc, path).value === null };
      if (word === 'TRUE' || word === 'FALSE') return { test: (doc) => select(doc, path).value === (word === 'TRUE') };
      throw invalid();
    }
    if (next?.t === 'word' && next.v.toUpperCase() === 'NOT') {
      const what = tokens[pos++];
      if (what?.t !== 'word' || what.v.toUpperCase() !== 'EXISTS') throw invalid();
      const path = tok.path;
      return { test: (doc) => !select(doc, path).found };
    }
    throw invalid();
  };
  const node = parseOr();
  if (pos !== tokens.length) throw invalid();
  return node;
}

function evaluate(node: Node, doc: unknown): boolean {
  if ('and' in node) return node.and.every((n) => evaluate(n, doc));
  if ('or' in node) return node.or.some((n) => evaluate(n, doc));
  return node.test(doc);
}

function compileJson(body: string): Matcher {
  const tokens = tokenize(body);
  if (tokens.length === 0) throw invalid();
  const node = parseJsonExpr(tokens);
  return (message) => {
    const trimmed = message.trim();
    if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return false;
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch {
      return false;
    }
    return evaluate(node, doc);
  };
}
