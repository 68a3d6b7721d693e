/**
 * The ffmpeg and ffprobe binaries and how they are run. The system's own
 * (on PATH) are preferred; otherwise the static builds that the npm packages
 * @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe ship inside their
 * platform packages (nothing is downloaded at install time, so `npm ci`
 * suffices). The composition root hands in the PATH to search (services do
 * not read the environment) through `configureBinaries`.
 */
import { spawn } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';

export interface Binaries {
  ffmpeg: string;
  ffprobe: string;
}

let configured: Partial<Binaries> & { searchPath?: string } = {};
let resolved: Binaries | undefined;

/** Explicit binaries, or the PATH in which to look for them first. */
export function configureBinaries(b: Partial<Binaries> & { searchPath?: string }): void {
  configured = b;
  resolved = undefined;
}

function onPath(name: string): string | undefined {
  for (const dir of (configured.searchPath ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A packaged binary; npm installs without running scripts may leave it without its execute bit. */
function packaged(pkg: string): string | undefined {
  try {
    const path = (createRequire(import.meta.url)(pkg) as { path: string }).path;
    if (!existsSync(path)) return undefined;
    try {
      accessSync(path, constants.X_OK);
    } catch {
      chmodSync(path, 0o755);
    }
    return path;
  } catch {
    return undefined;
  }
}

export function binaries(): Binaries {
  if (resolved) return resolved;
  const ffmpeg = configured.ffmpeg ?? onPath('ffmpeg') ?? packaged('@ffmpeg-installer/ffmpeg');
  // The packaged static ffprobe starts faster, but its linux-x64 5.2.0 build crashes (SIGSEGV) on
  // MPEG-TS files: the system's comes first, and HLS outputs are never probed (execute.ts).
  const ffprobe = configured.ffprobe ?? onPath('ffprobe') ?? packaged('@ffprobe-installer/ffprobe');
  if (!ffmpeg || !ffprobe) throw new Error('ffmpeg/ffprobe not found: install ffmpeg or run npm ci (it ships @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe)');
  resolved = { ffmpeg, ffprobe };
  return resolved;
}

export interface RunResult {
  code: number | null;
  stderr: string;
}

/** Runs a binary to completion; the signal kills it (SIGKILL) and resolves with what it printed. */
export function run(file: string, args: string[], signal?: AbortSignal, onSpawn?: (pid: number) => void): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    if (child.pid !== undefined) onSpawn?.(child.pid);
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      // Only the tail matters for error reports.
      stderr = (stderr + d.toString('utf8')).slice(-8192);
    });
    const abort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', abort, { once: true });
    child.once('error', (err) => {
      signal?.removeEventListener('abort', abort);
      reject(err);
    });
    child.once('close', (code) => {
      signal?.removeEventListener('abort', abort);
      resolve({ code, stderr: stdout ? `${stdout}\n${stderr}` : stderr });
    });
  });
}

export interface ProbedStream {
  codec: string;
  width?: number;
  height?: number;
  /** Frames per second, from r_frame_rate. */
  fps?: number;
  /** Display rotation in degrees (0, 90, 180, 270). */
  rotation?: number;
  sampleRate?: number;
  channels?: number;
}

export interface Probe {
  formatName: string;
  durationMs: number;
  size: number;
  bitRate?: number;
  video?: ProbedStream;
  audio?: ProbedStream;
}

function fraction(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const [n, d] = value.split('/').map(Number);
  if (!n || !Number.isFinite(n)) return undefined;
  return d ? n / d : n;
}

function rotationOf(stream: Record<string, any>): number {
  const fromTag = Number(stream.tags?.rotate);
  const side = (stream.side_data_list as Array<Record<string, any>> | undefined)?.find((s) => s.rotation !== undefined);
  const deg = Number.isFinite(fromTag) && stream.tags?.rotate !== undefined ? fromTag : side ? -Number(side.rotation) : 0;
  return (((Math.round(deg / 90) * 90) % 360) + 360) % 360;
}

/** ffprobe's view of a file; undefined when it cannot read it as media. */
export async function probe(path: string, signal?: AbortSignal): Promise<Probe | undefined> {
  const { code, stderr } = await run(binaries().ffprobe, ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', path], signal);
  if (code !== 0) return undefined;
  let parsed: { format?: Record<string, any>; streams?: Array<Record<string, any>> };
  try {
    parsed = JSON.parse(stderr.slice(0, stderr.lastIndexOf('}') + 1));
  } catch {
    return undefined;
  }
  const streams = parsed.streams ?? [];
  const v = streams.find((s) => s.codec_type === 'video' && s.disposition?.attached_pic !== 1);
  const a = streams.find((s) => s.codec_type === 'audio');
  if (!v && !a) return undefined;
  const durations = [parsed.format?.duration, v?.duration, a?.duration].map(Number).filter((n) => Number.isFinite(n) && n > 0);
  return {
    formatName: String(parsed.format?.format_name ?? ''),
    durationMs: Math.round((durations[0] ?? 0) * 1000),
    size: Number(parsed.format?.size ?? 0),
    bitRate: parsed.format?.bit_rate ? Number(parsed.format.bit_rate) : undefined,
    video: v ? { codec: v.codec_name, width: v.width, height: v.height, fps: fraction(v.avg_frame_rate) ?? fraction(v.r_frame_rate), rotation: rotationOf(v) } : undefined,
    audio: a ? { codec: a.codec_name, sampleRate: Number(a.sample_rate), channels: a.channels } : undefined,
  };
}

/** The last meaningful line ffmpeg printed, for StatusDetail. */
export function lastError(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines[lines.length - 1] ?? 'ffmpeg failed';
}
