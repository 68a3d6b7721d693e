/**
 * Helpers for the sandbox tests: a scratch task dir, default options and a runner that collects
 * a sandboxed command's output. Not used outside tests.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SandboxCapabilities } from './capabilities.js';
import { spawnSandbox, type Sandbox, type SandboxOptions } from './index.js';

/** Why a sandbox test cannot run here, or undefined when it can. */
export function skipReason(caps: SandboxCapabilities, needs: { namespaces?: boolean; cgroups?: boolean; dropUid?: boolean }): string | undefined {
  if (process.platform !== 'linux') return `sandbox tests need Linux, not ${process.platform}`;
  if (process.getuid?.() !== 0) return `sandbox tests need root (uid ${process.getuid?.()})`;
  if (needs.namespaces && caps.mode !== 'root') return `namespaces are off here: ${caps.warnings.join('; ')}`;
  if (needs.cgroups && (!caps.cgroups || caps.controllers.length < 3)) return `cgroups are off here: ${caps.warnings.join('; ')}`;
  if (needs.dropUid && !caps.dropUid) return `uid drop is off here: ${caps.warnings.join('; ')}`;
  return undefined;
}

let seq = 0;
export const uniqueId = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;

export function scratchDir(prefix: string, base = tmpdir()): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(base, `stratus-sbx-${prefix}-`));
  // The function's uid reads code through the "other" bits, as Lambda requires 755/644 packages.
  chmodSync(dir, 0o755);
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export function options(over: Partial<SandboxOptions> & { taskDir: string }): SandboxOptions {
  return { id: uniqueId('t'), command: '/bin/sh', args: [], env: { PATH: '/usr/bin:/bin' }, tmpSizeMb: 8, memoryMb: 128, pidsMax: 64, cpuShares: 128, hidePaths: [], ...over };
}

export interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  sandbox: Sandbox;
}

/** Runs a shell script in a sandbox to completion (then destroys it). */
export async function runShell(caps: SandboxCapabilities, script: string, over: Partial<SandboxOptions> & { taskDir: string }): Promise<Outcome> {
  const sb = await spawnSandbox(options({ ...over, command: '/bin/sh', args: ['-c', script] }), caps);
  return collect(sb);
}

export async function collect(sb: Sandbox, opts: { destroy?: boolean } = {}): Promise<Outcome> {
  let stdout = '';
  let stderr = '';
  sb.child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  sb.child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const { code, signal } = await sb.exited;
  // stdio may still hold the last bytes when the process has exited.
  await new Promise<void>((resolve) => (sb.child.stdout!.readableEnded ? resolve() : sb.child.stdout!.once('close', () => resolve())));
  if (opts.destroy !== false) await sb.destroy();
  return { code, signal, stdout, stderr, sandbox: sb };
}
