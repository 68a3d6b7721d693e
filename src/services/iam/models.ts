/**
 * Maps the directory's documents to IAM's output shapes (User, Group, Role,
 * Policy, PolicyVersion, AccessKey...). Timestamps are Date objects for the
 * protocol layer to format; policy documents are URL-encoded as IAM returns
 * them. Listing operations return a subset of attributes, as on AWS (e.g.
 * ListUsers omits Tags and PermissionsBoundary).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_User.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_Role.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_Policy.html
 */
import type { AccessKeyDoc, GroupDoc, Page, PolicyVersionView, PolicyView, RoleDoc, UserDoc } from '../../identity/directory.js';

/** RFC 3986 percent-encoding, which is what IAM applies to policy documents in its responses. */
export function encodePolicyDocument(document: string): string {
  return encodeURIComponent(document).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

const date = (iso: string) => new Date(iso);

/** Page fields as IAM writes them: Marker only when truncated. */
export function pageFields(page: Page<unknown>): { IsTruncated: boolean; Marker?: string } {
  return page.isTruncated ? { IsTruncated: true, Marker: page.marker } : { IsTruncated: false };
}

function boundaryOf(arn: string | undefined) {
  return arn ? { PermissionsBoundary: { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn } } : {};
}

function tagsOf(tags: { Key: string; Value: string }[]) {
  return tags.length ? { Tags: tags.map((t) => ({ Key: t.Key, Value: t.Value })) } : {};
}

export function userSummary(u: UserDoc) {
  return { Path: u.path, UserName: u.userName, UserId: u.userId, Arn: u.arn, CreateDate: date(u.createDate) };
}

/** GetUser/CreateUser: the summary plus boundary and tags. */
export function userDetail(u: UserDoc) {
  return { ...userSummary(u), ...boundaryOf(u.permissionsBoundary), ...tagsOf(u.tags) };
}

export function groupOut(g: GroupDoc) {
  return { Path: g.path, GroupName: g.groupName, GroupId: g.groupId, Arn: g.arn, CreateDate: date(g.createDate) };
}

export function roleSummary(r: RoleDoc) {
  const out: Record<string, unknown> = {
    Path: r.path,
    RoleName: r.roleName,
    RoleId: r.roleId,
    Arn: r.arn,
    CreateDate: date(r.createDate),
    AssumeRolePolicyDocument: encodePolicyDocument(r.assumeRolePolicyDocument),
  };
  if (r.description !== undefined) out.Description = r.description;
  out.MaxSessionDuration = r.maxSessionDuration;
  return out;
}

/** GetRole/CreateRole: the summary plus boundary, tags and RoleLastUsed (empty until used). */
export function roleDetail(r: RoleDoc, withLastUsed: boolean) {
  return { ...roleSummary(r), ...boundaryOf(r.permissionsBoundary), ...tagsOf(r.tags), ...(withLastUsed ? { RoleLastUsed: {} } : {}) };
}

export function policySummary(p: PolicyView) {
  return {
    PolicyName: p.policyName,
    PolicyId: p.policyId,
    Arn: p.arn,
    Path: p.path,
    DefaultVersionId: p.defaultVersionId,
    AttachmentCount: p.attachmentCount,
    PermissionsBoundaryUsageCount: p.permissionsBoundaryUsageCount,
    IsAttachable: true,
    CreateDate: date(p.createDate),
    UpdateDate: date(p.updateDate),
  };
}

/** GetPolicy/CreatePolicy: the summary plus description and tags. */
export function policyDetail(p: PolicyView) {
  return { ...policySummary(p), ...(p.description ? { Description: p.description } : {}), ...tagsOf(p.tags) };
}

export function policyVersionOut(v: PolicyVersionView, withDocument: boolean) {
  return {
    ...(withDocument ? { Document: encodePolicyDocument(v.document) } : {}),
    VersionId: v.versionId,
    IsDefaultVersion: v.isDefaultVersion,
    CreateDate: date(v.createDate),
  };
}

export function accessKeyMetadata(k: AccessKeyDoc) {
  return { UserName: k.userName, AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: date(k.createDate) };
}

/** CreateAccessKey is the only time the secret is ever returned. */
export function accessKeyWithSecret(k: AccessKeyDoc) {
  return { UserName: k.userName, AccessKeyId: k.accessKeyId, Status: k.status, SecretAccessKey: k.secretAccessKey, CreateDate: date(k.createDate) };
}
