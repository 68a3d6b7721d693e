/**
 * ARN parsing and formatting.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
 */

export interface Arn {
  partition: string;
  service: string;
  region: string;
  accountId: string;
  resource: string;
}

export function formatArn(arn: Omit<Arn, 'partition'> & { partition?: string }): string {
  return `arn:${arn.partition ?? 'aws'}:${arn.service}:${arn.region}:${arn.accountId}:${arn.resource}`;
}

export function parseArn(text: string): Arn | undefined {
  const parts = text.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  const [, partition, service, region, accountId] = parts as [string, string, string, string, string];
  if (!partition || !service) return undefined;
  return { partition, service, region, accountId, resource: parts.slice(5).join(':') };
}

export function iamArn(accountId: string, kind: string, path: string, name: string): string {
  return formatArn({ service: 'iam', region: '', accountId, resource: `${kind}${path}${name}` });
}
