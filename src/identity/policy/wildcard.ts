/**
 * Wildcards and policy variables, compiled once per policy so that matching a
 * request never builds a regular expression. `*` matches any run of
 * characters and `?` exactly one; text a policy variable produces (including
 * `${*}`, `${?}`, `${$}`) is always literal. ARN patterns are matched segment
 * by segment: the first five colons split the ARN and a wildcard never
 * crosses them, while the sixth segment (the resource part) may itself hold
 * colons.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html#reference_policies_elements_resource_wildcards
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
 */

const STAR = 42; // '*'
const QMARK = 63; // '?'

/** A compiled wildcard pattern. `mask[i] === 1` marks text[i] as a wildcard. */
export interface Glob {
  kind: 'exact' | 'any' | 'prefix' | 'suffix' | 'general';
  text: string;
  /** For prefix/suffix: the literal part. */
  lit: string;
  mask: Uint8Array | null;
}

export function globFrom(text: string, mask: Uint8Array | null): Glob {
  if (!mask || !mask.includes(1)) return { kind: 'exact', text, lit: text, mask: null };
  let stars = 0;
  let qmarks = 0;
  for (let i = 0; i < text.length; i++) {
    if (!mask[i]) continue;
    if (text.charCodeAt(i) === STAR) stars++;
    else qmarks++;
  }
  const last = text.length - 1;
  if (qmarks === 0 && stars === text.length) return { kind: 'any', text, lit: '', mask };
  if (qmarks === 0 && stars === 1 && mask[last]) return { kind: 'prefix', text, lit: text.slice(0, -1), mask };
  if (qmarks === 0 && stars === 1 && mask[0]) return { kind: 'suffix', text, lit: text.slice(1), mask };
  return { kind: 'general', text, lit: '', mask };
}

/** Every `*` and `?` of `text` is a wildcard. */
export function compileGlob(text: string): Glob {
  let mask: Uint8Array | null = null;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === STAR || c === QMARK) (mask ??= new Uint8Array(text.length))[i] = 1;
  }
  return globFrom(text, mask);
}

export function matchGlob(g: Glob, s: string): boolean {
  switch (g.kind) {
    case 'exact':
      return s === g.text;
    case 'any':
      return true;
    case 'prefix':
      return s.startsWith(g.lit);
    case 'suffix':
      return s.endsWith(g.lit);
    default:
      return matchGeneral(g.text, g.mask!, s);
  }
}

/** Linear-space wildcard matching with single-star backtracking. */
function matchGeneral(p: string, mask: Uint8Array, s: string): boolean {
  let pi = 0;
  let si = 0;
  let starP = -1;
  let starS = 0;
  while (si < s.length) {
    if (pi < p.length) {
      const c = p.charCodeAt(pi);
      const wild = mask[pi] === 1;
      if (wild && c === STAR) {
        starP = pi++;
        starS = si;
        continue;
      }
      if ((wild && c === QMARK) || c === s.charCodeAt(si)) {
        pi++;
        si++;
        continue;
      }
    }
    if (starP < 0) return false;
    pi = starP + 1;
    si = ++starS;
  }
  while (pi < p.length && mask[pi] === 1 && p.charCodeAt(pi) === STAR) pi++;
  return pi === p.length;
}

/** Literal text (`wild`: its `*`/`?` are wildcards) or a variable reference with an optional default. */
export type TemplatePart = { lit: string; wild: boolean } | { key: string; def?: string };

/** A string that may hold policy variables; static templates carry their compiled glob. */
export interface Template {
  parts: TemplatePart[];
  /** Set when the template has no variables. */
  static?: Glob;
}

/** Resolves a (lower-cased) condition key to a single value, or undefined when absent or multivalued. */
export type VariableLookup = (key: string) => string | undefined;

/**
 * Splits `text` into literal parts and `${key}` / `${key, 'default'}` references.
 * `substitute` is false for policies without Version 2012-10-17, where variables are literal text.
 */
export function parseTemplate(text: string, substitute: boolean): Template {
  const parts: TemplatePart[] = [];
  const pushLit = (lit: string, wild: boolean) => {
    if (lit === '') return;
    const prev = parts[parts.length - 1];
    if (prev && 'lit' in prev && prev.wild === wild) prev.lit += lit;
    else parts.push({ lit, wild });
  };
  let i = 0;
  while (substitute && i < text.length) {
    const open = text.indexOf('${', i);
    if (open < 0) break;
    const ref = readReference(text, open + 2);
    if (!ref) {
      pushLit(text.slice(i, open + 2), true);
      i = open + 2;
      continue;
    }
    pushLit(text.slice(i, open), true);
    const name = ref.body.trim();
    if (name === '*' || name === '?' || name === '$') pushLit(name, false);
    else parts.push(splitDefault(name));
    i = ref.end;
  }
  pushLit(text.slice(i), true);
  return finishTemplate(parts);
}

function finishTemplate(parts: TemplatePart[]): Template {
  if (parts.some((p) => 'key' in p)) return { parts };
  const r = resolveParts(parts, () => undefined)!;
  return { parts, static: globFrom(r.text, r.mask) };
}

/** Finds the closing brace of a reference starting at `from`, skipping a quoted default value. */
function readReference(text: string, from: number): { body: string; end: number } | undefined {
  let j = from;
  while (j < text.length) {
    const c = text[j];
    if (c === '}') return { body: text.slice(from, j), end: j + 1 };
    if (c === "'") {
      const close = text.indexOf("'", j + 1);
      if (close < 0) return undefined;
      j = close + 1;
      continue;
    }
    if (c === '$' && text[j + 1] === '{') return undefined;
    j++;
  }
  return undefined;
}

function splitDefault(name: string): TemplatePart {
  const comma = name.indexOf(',');
  if (comma < 0) return { key: name.toLowerCase() };
  const key = name.slice(0, comma).trim().toLowerCase();
  const rawDefault = name.slice(comma + 1).trim();
  const quoted = /^'(.*)'$/s.exec(rawDefault);
  return { key, def: quoted ? quoted[1] : rawDefault };
}

function resolveParts(parts: TemplatePart[], lookup: VariableLookup): { text: string; mask: Uint8Array | null } | undefined {
  let text = '';
  const wildAt: number[] = [];
  for (const part of parts) {
    if ('lit' in part) {
      if (part.wild) {
        for (let k = 0; k < part.lit.length; k++) {
          const c = part.lit.charCodeAt(k);
          if (c === STAR || c === QMARK) wildAt.push(text.length + k);
        }
      }
      text += part.lit;
      continue;
    }
    const value = lookup(part.key) ?? part.def;
    // "If a variable that has no value ... is used as part of the Resource ... it will not match any resource."
    if (value === undefined) return undefined;
    text += value;
  }
  if (wildAt.length === 0) return { text, mask: null };
  const mask = new Uint8Array(text.length);
  for (const at of wildAt) mask[at] = 1;
  return { text, mask };
}

/** The template's text with variables substituted; undefined when a variable has no value. */
export function resolveText(t: Template, lookup: VariableLookup): string | undefined {
  if (t.static) return t.static.text;
  return resolveParts(t.parts, lookup)?.text;
}

/** The template as a glob; undefined when a variable has no value. */
export function resolveGlob(t: Template, lookup: VariableLookup): Glob | undefined {
  if (t.static) return t.static;
  const r = resolveParts(t.parts, lookup);
  return r ? globFrom(r.text, r.mask) : undefined;
}

/** An ARN pattern: six segment templates, or one whole-string template when it has fewer than six segments. */
export interface ArnPattern {
  any: boolean;
  segments: Template[] | null;
  whole: Template;
}

export function compileArnPattern(text: string, substitute: boolean): ArnPattern {
  const whole = parseTemplate(text, substitute);
  if (text === '*') return { any: true, segments: null, whole };
  const segments: TemplatePart[][] = [[]];
  for (const part of whole.parts) {
    if (!('lit' in part) || segments.length === 6) {
      segments[segments.length - 1]!.push(part);
      continue;
    }
    const pieces = part.lit.split(':');
    for (let k = 0; k < pieces.length; k++) {
      if (k > 0) {
        if (segments.length === 6) {
          // The resource segment keeps its colons.
          segments[5]!.push({ lit: ':' + pieces.slice(k).join(':'), wild: part.wild });
          break;
        }
        segments.push([]);
      }
      if (pieces[k] !== '') segments[segments.length - 1]!.push({ lit: pieces[k]!, wild: part.wild });
    }
  }
  if (segments.length < 6) return { any: false, segments: null, whole };
  return { any: false, segments: segments.map(finishTemplate), whole };
}

/** Splits an ARN into its six segments, or returns null when it has fewer than five colons. */
export function splitArn(arn: string): string[] | null {
  const out: string[] = [];
  let from = 0;
  for (let n = 0; n < 5; n++) {
    const colon = arn.indexOf(':', from);
    if (colon < 0) return null;
    out.push(arn.slice(from, colon));
    from = colon + 1;
  }
  out.push(arn.slice(from));
  return out;
}

/** `segments` is `splitArn(value)`, computed once per request by the caller. */
export function matchArn(p: ArnPattern, value: string, segments: string[] | null, lookup: VariableLookup): boolean {
  if (p.any) return true;
  if (p.segments && segments) {
    for (let k = 0; k < 6; k++) {
      const g = resolveGlob(p.segments[k]!, lookup);
      if (!g || !matchGlob(g, segments[k]!)) return false;
    }
    return true;
  }
  const g = resolveGlob(p.whole, lookup);
  return g !== undefined && matchGlob(g, value);
}
