/**
 * Inline policies embedded in users, groups and roles: Put/Get/List/Delete
 * {User,Group,Role}Policy. Put validates the document as an identity policy
 * and enforces IAM's aggregate size quota per entity (2,048 characters for a
 * user, 5,120 for a group, 10,240 for a role, whitespace not counted); Get
 * returns the document URL-encoded, as IAM does.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPolicy.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
import type { RequestContext } from '../../core/context.js';
import { pageOf, type EntityKind } from '../../identity/directory.js';
import { checkIdentityPolicy, entityArn, pageRequest, type IamDeps, type Operations, type PageInput } from './common.js';
import { encodePolicyDocument, pageFields } from './models.js';

const KINDS: { kind: EntityKind; title: 'User' | 'Group' | 'Role'; member: 'UserName' | 'GroupName' | 'RoleName' }[] = [
  { kind: 'user', title: 'User', member: 'UserName' },
  { kind: 'group', title: 'Group', member: 'GroupName' },
  { kind: 'role', title: 'Role', member: 'RoleName' },
];

type Input = Record<string, string> & { PolicyName: string };

export function inlinePolicyOperations(deps: IamDeps): Operations {
  const dir = deps.directory;
  const ops: Operations = {};
  for (const { kind, title, member } of KINDS) {
    const resources = (input: Input, ctx: RequestContext) => entityArn(deps, ctx, kind, input[member]).then((a) => [a]);

    ops[`Put${title}Policy`] = {
      resources,
      async handler(input: Input & { PolicyDocument: string }, ctx) {
        const document = checkIdentityPolicy(input.PolicyDocument, false);
        await dir.entities.putInline(kind, ctx.accountId, input[member]!, input.PolicyName, document);
        return undefined;
      },
    };

    ops[`Get${title}Policy`] = {
      resources,
      async handler(input: Input, ctx) {
        const found = await dir.entities.getInline(kind, ctx.accountId, input[member]!, input.PolicyName);
        return { [member]: found.entityName, PolicyName: input.PolicyName, PolicyDocument: encodePolicyDocument(found.document) };
      },
    };

    ops[`List${title}Policies`] = {
      resources,
      async handler(input: Input & PageInput, ctx) {
        const doc = (await dir.entities.read(kind, ctx.accountId, input[member]!)).value;
        const page = pageOf(Object.keys(doc.inline), (name) => name, pageRequest(input));
        return { PolicyNames: page.items, ...pageFields(page) };
      },
    };

    ops[`Delete${title}Policy`] = {
      resources,
      async handler(input: Input, ctx) {
        await dir.entities.deleteInline(kind, ctx.accountId, input[member]!, input.PolicyName);
        return undefined;
      },
    };
  }
  return ops;
}
