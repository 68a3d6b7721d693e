/**
 * The IAM policy engine: parsing and validating policy documents, compiling
 * them once, and evaluating requests the way AWS does.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
export type {
  CompiledPolicyRef,
  ConditionBlock,
  ContextValue,
  Decision,
  EvaluationRequest,
  MatchedStatement,
  PolicyDocument,
  PolicyInput,
  PolicyKind,
  PolicySet,
  PolicyType,
  PolicyVersion,
  PrincipalBlock,
  PrincipalMap,
  RequestPrincipal,
  Statement,
} from './types.js';
export { PolicyError, isPolicyError, type PolicyProblem } from './errors.js';
export {
  parsePolicy,
  validateIdentityPolicy,
  validateResourcePolicy,
  validateTrustPolicy,
  type IdentityPolicyOptions,
  type ResourcePolicyOptions,
} from './validate.js';
export { compileDocument, compilePolicy, policyCache, PolicyCache, type CompiledPolicy } from './compile.js';
export { evaluate } from './evaluate.js';
export { accessDeniedMessage, type AccessDeniedOptions } from './messages.js';
export { principalContextKeys } from './context.js';
