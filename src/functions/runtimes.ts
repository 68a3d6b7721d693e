/**
 * The runtime catalogue (global): which Lambda runtime identifiers Stratus runs, in which family
 * (node, python, or `provided` custom runtimes that bring an executable `bootstrap`), and which
 * interpreter on this machine runs each one
 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html). Interpreters are resolved
 * once, to an ABSOLUTE path of the real binary (never a version-manager shim such as pyenv's,
 * which costs ~80 ms per start), preferring the declared version; when none exists the host's
 * interpreter is used and a warning names the difference. For Python, an interpreter that has
 * boto3 is preferred, as Lambda's Python runtimes include it.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, readdirSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../core/logger.js';

export type RuntimeFamily = 'node' | 'python' | 'provided';

export interface RuntimeInfo {
  id: string;
  family: RuntimeFamily;
  /** '20' for nodejs20.x, '3.12' for python3.12, '' for provided. */
  version: string;
}

const SUPPORTED: Record<string, RuntimeInfo> = {};
for (const v of ['20', '22', '24']) SUPPORTED[`nodejs${v}.x`] = { id: `nodejs${v}.x`, family: 'node', version: v };
for (const v of ['3.11', '3.12', '3.13']) SUPPORTED[`python${v}`] = { id: `python${v}`, family: 'python', version: v };
for (const id of ['provided.al2023', 'provided.al2']) SUPPORTED[id] = { id, family: 'provided', version: '' };

export function runtimeInfo(runtime: string): RuntimeInfo | undefined {
  return SUPPORTED[runtime];
}

export function supportedRuntimes(): string[] {
  return Object.keys(SUPPORTED);
}

/** The package root (holds runtimes/), found from this module whether it runs from src/ or dist/. */
export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RUNTIMES_DIR = join(PACKAGE_ROOT, 'runtimes');

export interface Interpreter {
  path: string;
  /** The version the interpreter reports, e.g. '20.20.2' or '3.11.7'. */
  version: string;
  /** Whether it matches the declared runtime's version. */
  exact: boolean;
}

function executable(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function isShim(p: string): boolean {
  return /[\\/](shims|\.pyenv[\\/]bin|\.asdf[\\/]shims)[\\/]/.test(p);
}

/** Subdirectories of `dir` whose name starts with `prefix`, newest version first. */
function versionDirs(dir: string, prefix: string): string[] {
  try {
    return readdirSync(dir)
      .filter((n) => n.startsWith(prefix))
      .sort((a, b) => b.localeCompare(a, undefined, { numeric: true }))
      .map((n) => join(dir, n));
  } catch {
    return [];
  }
}

/** Where distributions install interpreters (the server's own PATH is configuration we do not read). */
function pathDirs(): string[] {
  return ['/usr/local/bin', '/usr/bin', '/bin'];
}

function nodeCandidates(major: string): string[] {
  const home = homedir();
  const out: string[] = [];
  if (process.versions.node.split('.')[0] === major) out.push(process.execPath);
  for (const d of pathDirs()) out.push(join(d, `node${major}`));
  for (const d of versionDirs(join(home, '.nvm/versions/node'), `v${major}.`)) out.push(join(d, 'bin/node'));
  for (const d of versionDirs('/usr/local/n/versions/node', `${major}.`)) out.push(join(d, 'bin/node'));
  for (const d of versionDirs(join(home, '.volta/tools/image/node'), `${major}.`)) out.push(join(d, 'bin/node'));
  for (const d of versionDirs('/opt', `node-v${major}.`)) out.push(join(d, 'bin/node'));
  out.push(`/usr/lib/nodejs${major}/bin/node`, `/opt/nodejs${major}/bin/node`);
  return out;
}

function pythonCandidates(version: string): string[] {
  const out: string[] = [];
  for (const d of pathDirs()) out.push(join(d, `python${version}`));
  out.push(`/usr/bin/python${version}`, `/usr/local/bin/python${version}`);
  for (const d of versionDirs(join(homedir(), '.pyenv/versions'), `${version}.`)) out.push(join(d, `bin/python${version}`));
  for (const d of versionDirs('/opt', `python${version}`)) out.push(join(d, `bin/python${version}`));
  return out;
}

/** Whether any user may run `p` (every directory on the way searchable by others, the file executable by others). */
function worldExecutable(p: string): boolean {
  try {
    if ((statSync(p).mode & 0o001) === 0) return false;
    for (let d = dirname(p); ; d = dirname(d)) {
      if ((statSync(d).mode & 0o001) === 0) return false;
      if (d === dirname(d)) return true;
    }
  } catch {
    return false;
  }
}

/** `world`: functions run as an unprivileged user (the sandbox), so interpreters under /root are out of reach. */
function real(p: string, world: boolean): string | undefined {
  if (isShim(p) || !executable(p)) return undefined;
  try {
    const r = realpathSync(p);
    return world && !worldExecutable(r) ? undefined : r;
  } catch {
    return undefined;
  }
}

function run(cmd: string, args: string[]): Promise<string | undefined> {
  return new Promise((ok) => {
    execFile(cmd, args, { env: {}, timeout: 10_000 }, (err, stdout) => ok(err ? undefined : stdout.trim()));
  });
}

interface PythonProbe {
  path: string;
  version: string;
  boto3: boolean;
}

async function probePython(p: string): Promise<PythonProbe | undefined> {
  const out = await run(p, ['-c', 'import sys,importlib.util as u;print(sys.version.split()[0]);print(1 if u.find_spec("boto3") else 0)']);
  if (!out) return undefined;
  const [version = '', boto3] = out.split('\n');
  return { path: p, version, boto3: boto3 === '1' };
}

async function resolveNode(info: RuntimeInfo, world: boolean): Promise<Interpreter> {
  for (const c of nodeCandidates(info.version)) {
    const p = real(c, world);
    if (!p) continue;
    const v = p === realpathSync(process.execPath) ? process.versions.node : (await run(p, ['-p', 'process.versions.node'])) ?? '';
    if (v.split('.')[0] === info.version) return { path: p, version: v, exact: true };
  }
  return { path: realpathSync(process.execPath), version: process.versions.node, exact: false };
}

async function resolvePython(info: RuntimeInfo, world: boolean): Promise<Interpreter | undefined> {
  const seen = new Set<string>();
  const probes: PythonProbe[] = [];
  for (const c of pythonCandidates(info.version)) {
    const p = real(c, world);
    if (!p || seen.has(p)) continue;
    seen.add(p);
    const probe = await probePython(p);
    if (probe && probe.version.startsWith(info.version + '.')) probes.push(probe);
  }
  const best = probes.find((p) => p.boto3) ?? probes[0];
  if (best) return { path: best.path, version: best.version, exact: true };
  // Any python3 will do, with a warning: prefer one with boto3, then the newest.
  const fallbacks: PythonProbe[] = [];
  for (const c of [...pathDirs().map((d) => join(d, 'python3')), '/usr/bin/python3', '/usr/local/bin/python3']) {
    const p = real(c, world);
    if (!p || seen.has(p)) continue;
    seen.add(p);
    const probe = await probePython(p);
    if (probe) fallbacks.push(probe);
  }
  for (const d of versionDirs(join(homedir(), '.pyenv/versions'), '3.')) {
    const p = real(join(d, 'bin/python3'), world);
    if (!p || seen.has(p)) continue;
    seen.add(p);
    const probe = await probePython(p);
    if (probe) fallbacks.push(probe);
  }
  const pick = fallbacks.find((p) => p.boto3) ?? fallbacks[0];
  return pick && { path: pick.path, version: pick.version, exact: false };
}

const resolved = new Map<string, Promise<Interpreter | undefined>>();

/**
 * The interpreter for a node or python runtime (cached). Undefined when no interpreter of the
 * family exists at all. Logs one warning when the declared version is not available.
 */
export function resolveInterpreter(info: RuntimeInfo, log: Logger, worldAccess = false): Promise<Interpreter | undefined> {
  const key = `${info.id}${worldAccess ? '|world' : ''}`;
  let p = resolved.get(key);
  if (!p) {
    p = (info.family === 'node' ? resolveNode(info, worldAccess) : info.family === 'python' ? resolvePython(info, worldAccess) : Promise.resolve(undefined)).then((interp) => {
      if (interp && !interp.exact) {
        log.warn(`runtime ${info.id} asks for ${info.family} ${info.version}, which is not installed here; running on ${info.family} ${interp.version} (${interp.path}): behaviour may differ`, {
          runtime: info.id,
          interpreter: interp.path,
        });
      }
      return interp;
    });
    resolved.set(key, p);
  }
  return p;
}

/** What the family's interpreter runs (the runtime client under runtimes/). */
export function runtimeCommand(family: 'node' | 'python', interpreter: string): { command: string; args: string[] } {
  if (family === 'node') {
    const dir = join(RUNTIMES_DIR, 'node');
    return { command: interpreter, args: ['--require', join(dir, 'aws-sdk-v2-endpoint.cjs'), join(dir, 'runtime.cjs')] };
  }
  // -u: unbuffered stdout, as Lambda's runtime makes it; -B: never write .pyc into the code;
  // -S: no `site` at start (its .pth files can cost more than the interpreter itself), the
  // runtime client puts site-packages on sys.path itself (runtimes/python/bootstrap.py).
  return { command: interpreter, args: ['-S', '-u', '-B', join(RUNTIMES_DIR, 'python', 'bootstrap.py')] };
}

/** Host Python interpreters (any version, real binaries) that have boto3, newest first. */
export async function boto3Interpreters(): Promise<string[]> {
  const seen = new Set<string>();
  const out: PythonProbe[] = [];
  const candidates = [
    ...versionDirs(join(homedir(), '.pyenv/versions'), '3.').map((d) => join(d, 'bin/python3')),
    ...pathDirs().map((d) => join(d, 'python3')),
  ];
  for (const c of candidates) {
    const p = real(c, false);
    if (!p || seen.has(p)) continue;
    seen.add(p);
    const probe = await probePython(p);
    if (probe?.boto3) out.push(probe);
  }
  return out.sort((a, b) => b.version.localeCompare(a.version, undefined, { numeric: true })).map((p) => p.path);
}
