/**
 * Compiles policy documents into matchers (action sets and globs, ARN
 * patterns split per segment, principal sets, condition matchers) so a
 * request is checked without re-parsing or building regular expressions.
 * Compiled policies are cached: JSON text in a bounded LRU (`policyCache`),
 * parsed documents in a WeakMap. Variables are substituted only under
 * Version 2012-10-17; older or absent versions treat `${...}` literally.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
 */
import { compileConditions, evaluateConditions, type CompiledCondition } from './conditions.js';
import type { EvalContext } from './context.js';
import { compilePrincipal, type CompiledPrincipal } from './principal.js';
import type { CompiledPolicyRef, PolicyDocument, PolicyInput, Statement } from './types.js';
import { parsePolicy } from './validate.js';
import { compileArnPattern, compileGlob, matchArn, matchGlob, type ArnPattern, type Glob } from './wildcard.js';

export interface CompiledStatement {
  index: number;
  sid?: string;
  allow: boolean;
  /** Action or NotAction; undefined when the statement has neither (it then matches nothing). */
  actions?: { any: boolean; exact: Set<string>; globs: Glob[]; negate: boolean };
  /** Resource or NotResource; undefined when the statement has neither (trust policies), which matches any resource. */
  resources?: { patterns: ArnPattern[]; negate: boolean };
  /** Principal or NotPrincipal; only resource-based policies look at it. */
  principal?: { match: CompiledPrincipal; negate: boolean };
  conditions: CompiledCondition[];
}

export interface CompiledPolicy extends CompiledPolicyRef {
  readonly statements: CompiledStatement[];
}

function compileActions(list: string[], negate: boolean): CompiledStatement['actions'] {
  const out = { any: false, exact: new Set<string>(), globs: [] as Glob[], negate };
  for (const raw of list) {
    const action = raw.toLowerCase();
    if (action === '*') out.any = true;
    else if (action.includes('*') || action.includes('?')) out.globs.push(compileGlob(action));
    else out.exact.add(action);
  }
  return out;
}

function compileStatement(st: Statement, index: number, substitute: boolean): CompiledStatement {
  const out: CompiledStatement = {
    index,
    allow: st.Effect === 'Allow',
    conditions: compileConditions(st.Condition, substitute),
  };
  if (st.Sid !== undefined) out.sid = st.Sid;
  const actions = st.Action ?? st.NotAction;
  if (actions) out.actions = compileActions(actions, st.Action === undefined);
  const resources = st.Resource ?? st.NotResource;
  if (resources) {
    out.resources = {
      patterns: resources.map((r) => compileArnPattern(r, substitute)),
      negate: st.Resource === undefined,
    };
  }
  const principal = st.Principal ?? st.NotPrincipal;
  if (principal) out.principal = { match: compilePrincipal(principal), negate: st.Principal === undefined };
  return out;
}

/** Compiles an already-parsed document (no validation). Prefer `compilePolicy` for JSON text. */
export function compileDocument(document: PolicyDocument): CompiledPolicy {
  const cached = documentCache.get(document);
  if (cached) return cached;
  // Statements with an Effect other than exactly Allow/Deny never apply; the parser rejects them anyway.
  const substitute = document.Version === '2012-10-17';
  const statements = document.Statement.flatMap((st, i) =>
    st.Effect === 'Allow' || st.Effect === 'Deny' ? [compileStatement(st, i, substitute)] : [],
  );
  const compiled: CompiledPolicy = { compiled: true, document, statements };
  documentCache.set(document, compiled);
  return compiled;
}

const documentCache = new WeakMap<PolicyDocument, CompiledPolicy>();

/** A bounded least-recently-used cache of compiled policies keyed by their JSON text. */
export class PolicyCache {
  private readonly entries = new Map<string, CompiledPolicy>();

  constructor(public maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  get(json: string): CompiledPolicy | undefined {
    const hit = this.entries.get(json);
    if (hit) {
      this.entries.delete(json);
      this.entries.set(json, hit);
    }
    return hit;
  }

  set(json: string, policy: CompiledPolicy): void {
    this.entries.delete(json);
    this.entries.set(json, policy);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

/** The process-wide cache `compilePolicy` uses. */
export const policyCache = new PolicyCache(2000);

/**
 * Parses (with the grammar shared by all policy kinds) and compiles policy
 * text, reusing the cached result for text seen before. Throws PolicyError.
 */
export function compilePolicy(json: string): CompiledPolicy {
  const hit = policyCache.get(json);
  if (hit) return hit;
  const compiled = compileDocument(parsePolicy(json));
  policyCache.set(json, compiled);
  return compiled;
}

export function toCompiled(input: PolicyInput): CompiledPolicy {
  if (typeof input === 'string') return compilePolicy(input);
  // Only compileDocument creates refs, so a ref is always a full CompiledPolicy.
  if ('compiled' in input) return input as CompiledPolicy;
  return compileDocument(input);
}

/** Action, resource and conditions; the principal is checked by the caller, which knows the policy type. */
export function statementMatches(st: CompiledStatement, ctx: EvalContext): boolean {
  const a = st.actions;
  if (!a) return false;
  const actionHit = a.any || a.exact.has(ctx.action) || a.globs.some((g) => matchGlob(g, ctx.action));
  if (actionHit === a.negate) return false;
  const r = st.resources;
  if (r) {
    let hit = false;
    for (const p of r.patterns) {
      if (matchArn(p, ctx.resource, ctx.resourceSegments, ctx.variable)) {
        hit = true;
        break;
      }
    }
    if (hit === r.negate) return false;
  }
  return evaluateConditions(st.conditions, ctx);
}
