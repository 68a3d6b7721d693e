/**
 * Long-term access keys of IAM users: CreateAccessKey (the secret is shown
 * once), ListAccessKeys, UpdateAccessKey (Active/Inactive; an inactive key's
 * signatures are refused by the gateway), DeleteAccessKey and
 * GetAccessKeyLastUsed. Without UserName, the calling user is meant.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html
 */
import type { RequestContext } from '../../core/context.js';
import { pageRequest, userNameOrCaller, userOrCallerArn, type IamDeps, type Operations, type PageInput } from './common.js';
import { accessKeyMetadata, accessKeyWithSecret, pageFields } from './models.js';

interface KeyInput {
  UserName?: string;
  AccessKeyId: string;
}

export function accessKeyOperations(deps: IamDeps): Operations {
  const dir = deps.directory;
  const resources = (input: { UserName?: string }, ctx: RequestContext) => userOrCallerArn(deps, ctx, input.UserName);

  return {
    CreateAccessKey: {
      resources,
      async handler(input: { UserName?: string }, ctx) {
        const key = await dir.users.createAccessKey(ctx.accountId, userNameOrCaller(input.UserName, ctx));
        return { AccessKey: accessKeyWithSecret(key) };
      },
    },

    ListAccessKeys: {
      resources,
      async handler(input: { UserName?: string } & PageInput, ctx) {
        // The root user has no IAM access keys of its own here (its keys live outside IAM).
        if (!input.UserName && ctx.principal.type === 'root') return { AccessKeyMetadata: [], IsTruncated: false };
        const page = await dir.users.listAccessKeys(ctx.accountId, userNameOrCaller(input.UserName, ctx), pageRequest(input));
        return { AccessKeyMetadata: page.items.map(accessKeyMetadata), ...pageFields(page) };
      },
    },

    UpdateAccessKey: {
      resources,
      async handler(input: KeyInput & { Status: 'Active' | 'Inactive' | 'Expired' }, ctx) {
        // "Expired" is in the model's enum but only AWS itself sets it.
        const status = input.Status === 'Active' ? 'Active' : 'Inactive';
        await dir.users.setAccessKeyStatus(ctx.accountId, userNameOrCaller(input.UserName, ctx), input.AccessKeyId, status);
        return undefined;
      },
    },

    DeleteAccessKey: {
      resources,
      async handler(input: KeyInput, ctx) {
        await dir.users.deleteAccessKey(ctx.accountId, userNameOrCaller(input.UserName, ctx), input.AccessKeyId);
        return undefined;
      },
    },

    GetAccessKeyLastUsed: {
      // The resource is the key's owner.
      async resources(input: { AccessKeyId: string }, ctx) {
        const key = await dir.findAccessKey(input.AccessKeyId);
        return [key && key.principal.accountId === ctx.accountId ? key.principal.arn : '*'];
      },
      async handler(input: { AccessKeyId: string }, ctx) {
        const { key, lastUsed } = await dir.users.accessKeyInfo(ctx.accountId, input.AccessKeyId);
        return {
          UserName: key.userName,
          AccessKeyLastUsed: lastUsed ? { LastUsedDate: new Date(lastUsed.date), ServiceName: lastUsed.serviceName, Region: lastUsed.region } : { ServiceName: 'N/A', Region: 'N/A' },
        };
      },
    },
  };
}
