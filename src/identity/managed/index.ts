/**
 * The catalogue of AWS-managed IAM policies: the policies AWS owns under the
 * reserved account alias `aws` (`arn:aws:iam::aws:policy/<path><name>`), with
 * their real paths, ids, descriptions, dates and the document of their current
 * default version, so that GetPolicy, GetPolicyVersion, ListPolicies
 * (Scope=AWS) and policy evaluation see what they would see on AWS.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html#aws-managed-policies
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/about-managed-policy-reference.html
 *
 * The data lives in policies.json (sources in README.md) and is compiled in
 * through the generated policies.ts; run scripts/gen-managed-policies.mjs after
 * editing the JSON.
 */
import { MANAGED_POLICY_DATA } from './policies.js';

export type StringOrList = string | readonly string[];

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: StringOrList;
  readonly NotAction?: StringOrList;
  readonly Resource?: StringOrList;
  readonly NotResource?: StringOrList;
  /** Operator → condition key → value(s), e.g. `{ StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } }`. */
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, StringOrList>>>>;
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: readonly PolicyStatement[];
}

/** One AWS-managed policy, shaped like IAM's `Policy` type plus its default version's document. */
export interface ManagedPolicy {
  readonly PolicyName: string;
  /** The real policy id AWS assigned (ANPA…); identical in every account. */
  readonly PolicyId: string;
  readonly Arn: string;
  /** `/`, `/service-role/`, `/job-function/`… always with leading and trailing slash. */
  readonly Path: string;
  readonly DefaultVersionId: string;
  readonly Description: string;
  /** ISO 8601, UTC, when AWS created the policy. */
  readonly CreateDate: string;
  /** ISO 8601, UTC, when AWS published the default version. */
  readonly UpdateDate: string;
  /** The default version's document, keys in the order AWS publishes them. */
  readonly Document: PolicyDocument;
}

// `arn:<partition>:iam::aws:policy/<path><name>`; the account field is the literal `aws`.
const AWS_MANAGED_ARN = /^arn:aws(?:-[a-z]+)*:iam::aws:policy\/(?:[\x21-\x7e]*\/)?[\w+=,.@-]+$/;

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

// Frozen once so callers can hand the shared objects out without copying.
const POLICIES: readonly ManagedPolicy[] = deepFreeze(MANAGED_POLICY_DATA);
const BY_ARN: ReadonlyMap<string, ManagedPolicy> = new Map(POLICIES.map((p) => [p.Arn, p]));

/** Whether `arn` names a policy in AWS's reserved `aws` account (in any partition), known to Stratus or not. */
export function isAwsManagedArn(arn: string): boolean {
  return AWS_MANAGED_ARN.test(arn);
}

/** The AWS-managed policy with this exact ARN (ARNs are case-sensitive), or undefined. */
export function getManagedPolicy(arn: string): ManagedPolicy | undefined {
  return BY_ARN.get(arn);
}

/** Every AWS-managed policy Stratus serves, sorted by name. */
export function listManagedPolicies(): ManagedPolicy[] {
  return [...POLICIES];
}

/** The default version's document as the JSON text IAM stores (before URL-encoding), or undefined. */
export function managedPolicyDocumentJson(arn: string): string | undefined {
  const policy = BY_ARN.get(arn);
  return policy ? JSON.stringify(policy.Document) : undefined;
}
