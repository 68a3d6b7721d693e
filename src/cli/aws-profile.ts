/**
 * Writes the `stratus` profile into the AWS CLI's shared config and
 * credentials files, so `aws --profile stratus ...` and SDKs with
 * AWS_PROFILE=stratus reach this Stratus with no other flag. Only the named
 * profile's section is replaced; every other line of both files is kept.
 * https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-files.html
 */
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ProfileSettings {
  dir: string;
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  endpointUrl: string;
}

/** Replaces (or appends) one `[header]` section of an INI file's text. */
export function upsertSection(text: string, header: string, body: Record<string, string>): string {
  const lines = text.length ? text.split(/\r?\n/) : [];
  const out: string[] = [];
  let skipping = false;
  let replaced = false;
  const section = [`[${header}]`, ...Object.entries(body).map(([k, v]) => `${k} = ${v}`)];
  for (const line of lines) {
    const m = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (m) {
      skipping = m[1]!.trim() === header;
      if (skipping && !replaced) {
        out.push(...section);
        replaced = true;
      }
      if (skipping) continue;
    }
    if (!skipping) out.push(line);
  }
  while (out.length && out[out.length - 1] === '') out.pop();
  if (!replaced) {
    if (out.length) out.push('');
    out.push(...section);
  }
  return out.join('\n') + '\n';
}

async function rewrite(path: string, header: string, body: Record<string, string>, mode: number): Promise<void> {
  const current = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
  const next = upsertSection(current, header, body);
  if (next === current) return;
  const tmp = `${path}.stratus-${process.pid}`;
  await writeFile(tmp, next, { mode });
  await rename(tmp, path);
  await chmod(path, mode);
}

export async function writeAwsProfile(s: ProfileSettings): Promise<void> {
  await mkdir(s.dir, { recursive: true, mode: 0o700 });
  await rewrite(join(s.dir, 'credentials'), s.name, { aws_access_key_id: s.accessKeyId, aws_secret_access_key: s.secretAccessKey }, 0o600);
  const header = s.name === 'default' ? 'default' : `profile ${s.name}`;
  await rewrite(join(s.dir, 'config'), header, { region: s.region, output: 'json', endpoint_url: s.endpointUrl }, 0o600);
}
