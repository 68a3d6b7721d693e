/**
 * The AWS SDK for sandboxed Python functions (global, built once per engine): Lambda's Python
 * runtimes ship boto3 (https://docs.aws.amazon.com/lambda/latest/dg/lambda-python.html), but the
 * interpreter a sandbox can run (one its unprivileged user can reach, such as /usr/bin/python3)
 * often has none, while the host's boto3 lives somewhere private (e.g. a pyenv under /root). So
 * boto3 and the packages it imports are mirrored, with hard links (copies across file
 * systems), into `<workDir>/runtime-opt/python/python`, which the sandbox shows read-only at
 * /opt, where Lambda's Python runtime looks for layer code (/opt/python). Nothing is mirrored
 * when the function's own interpreter has boto3, or outside a sandbox.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/logger.js';
import { linkTree } from './code.js';
import { boto3Interpreters, type Interpreter } from './runtimes.js';

const PROBE = [
  'import boto3, botocore.session, s3transfer.manager, sys, os, json',
  'sp = os.path.dirname(os.path.dirname(boto3.__file__))',
  'names = sorted({os.path.relpath(m.__file__, sp).split(os.sep)[0] for m in list(sys.modules.values()) if getattr(m, "__file__", None) and m.__file__.startswith(sp + os.sep)})',
  'print(json.dumps({"sp": sp, "names": names, "version": boto3.__version__}))',
].join('\n');

function run(cmd: string, args: string[]): Promise<string | undefined> {
  return new Promise((ok) => execFile(cmd, args, { env: {}, timeout: 30_000 }, (err, out) => ok(err ? undefined : out.trim())));
}

async function hasBoto3(python: string): Promise<boolean> {
  return (await run(python, ['-c', 'import boto3'])) !== undefined;
}

/**
 * The directory to show at /opt for functions run by `target`, or undefined when it needs none
 * (it has boto3 itself) or no host interpreter has boto3 to lend.
 */
export async function pythonSdkOptDir(workDir: string, target: Interpreter, log: Logger): Promise<string | undefined> {
  if (await hasBoto3(target.path)) return undefined;
  const optDir = join(workDir, 'runtime-opt', 'python');
  const dest = join(optDir, 'python');
  for (const source of await boto3Interpreters()) {
    const out = await run(source, ['-c', PROBE]);
    if (!out) continue;
    const { sp, names, version } = JSON.parse(out) as { sp: string; names: string[]; version: string };
    const marker = join(optDir, '.source');
    const stamp = `${source}\n${version}\n`;
    if (existsSync(dest) && (await readFile(marker, 'utf8').catch(() => '')) === stamp) return optDir;
    const tmp = `${optDir}.tmp-${process.pid}`;
    await rm(tmp, { recursive: true, force: true });
    await mkdir(join(tmp, 'python'), { recursive: true, mode: 0o755 });
    // setuptools' import hook is loaded by a .pth file, not by boto3.
    const wanted = new Set(names.filter((n) => n !== '_distutils_hack'));
    for (const entry of await readdir(sp, { withFileTypes: true })) {
      let take = wanted.has(entry.name);
      if (!take && entry.name.endsWith('.dist-info')) {
        // A distribution's metadata goes with the packages it provides.
        const top = await readFile(join(sp, entry.name, 'top_level.txt'), 'utf8').catch(() => '');
        take = top.split('\n').some((n) => wanted.has(n.trim()) || wanted.has(`${n.trim()}.py`));
      }
      if (!take) continue;
      if (entry.isDirectory()) await linkTree(join(sp, entry.name), join(tmp, 'python', entry.name));
      else await linkTree(sp, join(tmp, 'python'), [entry.name]);
    }
    await writeFile(join(tmp, '.source'), stamp);
    await rm(optDir, { recursive: true, force: true });
    await rename(tmp, optDir);
    log.info('sandboxed Python functions get boto3 at /opt/python', { source, boto3: version, packages: names.length });
    return optDir;
  }
  log.warn(`no Python interpreter on this host has boto3: Python functions run by ${target.path} cannot import it`);
  return undefined;
}
