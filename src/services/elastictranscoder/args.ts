/**
 * A preset, faithfully, as ffmpeg arguments: one ffmpeg run per job output
 * writes the output (or its HLS playlist and segments) and its thumbnails.
 *   H.264 → libx264 with the preset's profile, level, bit rate (MaxBitRate and
 *     BufferSize as VBV, or the bit rate itself), keyframe distance (a fixed
 *     GOP without scene-cut keyframes when FixedGOP), reference frames;
 *   vp8/vp9 → libvpx, mpeg2 → mpeg2video, gif → gif;
 *   AAC/mp3/mp2/vorbis/flac/pcm with the preset's sample rate, bit rate, channels;
 *   mp4 with faststart, ts (HLS: 5-digit numbered segments of SegmentDuration
 *   seconds), webm, mp3, flac, ogg, flv, mpg, mxf, wav, fmp4.
 * Sizing and padding follow sizing.ts; a frame rate of auto keeps the input's,
 * capped by MaxFrameRate (30 by default) at a whole divisor of the input's.
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/preset-settings.html
 */
import type { Preset } from './common.js';
import type { Probe } from './ffmpeg.js';
import { computeGeometry, geometryFilters, type Geometry } from './sizing.js';

/** libx264 speed: ETS does not expose one; a fast preset keeps local transcodes quick. */
export const X264_PRESET = 'veryfast';

const FRAME_RATES: Record<string, string> = { '10': '10', '15': '15', '23.97': '24000/1001', '24': '24', '25': '25', '29.97': '30000/1001', '30': '30', '50': '50', '60': '60' };
const NUMERIC_RATES = [10, 15, 23.976, 24, 25, 29.97, 30, 50, 60];

export interface OutputPlanInput {
  preset: Preset;
  probe: Probe;
  inputPath: string;
  rotate?: string;
  timeSpan?: { start?: number; duration?: number };
  /** Main output file, or for HLS the variant playlist (segments beside it). */
  outputPath: string;
  /** HLS: seconds per segment, and the segment file pattern (ffmpeg %05d). */
  hls?: { segmentDuration: number; segmentPattern: string };
  /** Thumbnail file pattern (ffmpeg %05d), when the job asked for thumbnails. */
  thumbnailPath?: string;
}

export interface OutputPlan {
  args: string[];
  video?: Geometry;
  thumbnails?: Geometry;
  /** Output frames per second, when there is video. */
  fps?: number;
}

/** 'auto': the input's rate, or its largest whole divisor not above MaxFrameRate (default 30). */
export function outputFrameRate(presetRate: string | undefined, maxFrameRate: string | undefined, inputFps: number | undefined): { arg?: string; fps?: number } {
  if (presetRate && presetRate !== 'auto' && FRAME_RATES[presetRate]) {
    const [n, d] = FRAME_RATES[presetRate]!.split('/').map(Number) as [number, number?];
    return { arg: FRAME_RATES[presetRate], fps: d ? n / d : n };
  }
  if (!inputFps) return {};
  const max = Number(maxFrameRate ?? 30);
  if (inputFps <= max + 0.01) return { fps: inputFps };
  for (let k = 2; k <= 12; k++) {
    const candidate = inputFps / k;
    if (candidate <= max + 0.01) {
      const known = NUMERIC_RATES.find((r) => Math.abs(r - candidate) < 0.05);
      return { arg: String(known ?? candidate), fps: candidate };
    }
  }
  return { arg: String(max), fps: max };
}

/** The rotation to apply, and whether the input's own rotation metadata must be ignored. */
function rotation(rotate: string | undefined, probed: number): { filters: string[]; noAutorotate: boolean; quarterTurns: number } {
  if (rotate === undefined || rotate === 'auto') return { filters: [], noAutorotate: false, quarterTurns: probed / 90 };
  const deg = Number(rotate);
  const filters = deg === 90 ? ['transpose=1'] : deg === 180 ? ['hflip', 'vflip'] : deg === 270 ? ['transpose=2'] : [];
  return { filters, noAutorotate: true, quarterTurns: deg / 90 };
}

function videoCodecArgs(v: Record<string, any>, fps: number | undefined, hls?: { segmentDuration: number }): string[] {
  const o = (v.CodecOptions ?? {}) as Record<string, string>;
  const kbps = v.BitRate && v.BitRate !== 'auto' ? Number(v.BitRate) : undefined;
  const vbv = (bitRate: number | undefined) => {
    if (bitRate === undefined) return [];
    const max = o.MaxBitRate ? Number(o.MaxBitRate) : bitRate;
    const buffer = o.BufferSize ? Number(o.BufferSize) : max * 2;
    return ['-b:v', `${bitRate}k`, '-maxrate', `${max}k`, '-bufsize', `${buffer}k`];
  };
  const gop = v.KeyframesMaxDist ? ['-g', String(v.KeyframesMaxDist)] : [];
  const fixed = v.FixedGOP === 'true' ? ['-keyint_min', String(v.KeyframesMaxDist ?? 90), '-sc_threshold', '0'] : [];
  // Segments must start on keyframes: force one at every segment boundary.
  const segmentKeys = hls ? ['-force_key_frames', `expr:gte(t,n_forced*${hls.segmentDuration})`] : [];
  switch (v.Codec) {
    case 'H.264': {
      const args = ['-c:v', 'libx264', '-preset', X264_PRESET, '-pix_fmt', 'yuv420p'];
      if (o.Profile) args.push('-profile:v', o.Profile);
      if (o.Level) args.push('-level:v', o.Level);
      args.push(...(kbps === undefined ? ['-crf', '23'] : vbv(kbps)), ...gop, ...fixed, ...segmentKeys);
      if (o.MaxReferenceFrames) args.push('-refs', o.MaxReferenceFrames);
      return args;
    }
    case 'vp8':
    case 'vp9':
      return ['-c:v', v.Codec === 'vp8' ? 'libvpx' : 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', ...(kbps === undefined ? ['-crf', '30', '-b:v', '0'] : vbv(kbps)), ...gop];
    case 'mpeg2':
      return ['-c:v', 'mpeg2video', '-pix_fmt', o.ChromaSubsampling === 'yuv422p' ? 'yuv422p' : 'yuv420p', ...vbv(kbps ?? 6500), ...gop];
    case 'gif': {
      const loops = o.LoopCount === undefined || o.LoopCount === 'Infinite' ? '0' : String(o.LoopCount);
      return ['-c:v', 'gif', '-loop', loops];
    }
    default:
      return [];
  }
}

function audioCodecArgs(a: Record<string, any>, container: string): string[] {
  if (a.Channels === '0') return ['-an'];
  const o = (a.CodecOptions ?? {}) as Record<string, string>;
  const args: string[] = [];
  const depth = Number(o.BitDepth ?? 16);
  switch (a.Codec) {
    case 'AAC':
      // ffmpeg's native AAC encoder has no HE-AAC: HE-AAC/HE-AACv2 presets get AAC-LC at the same bit rate.
      args.push('-c:a', 'aac');
      break;
    case 'mp3':
      args.push('-c:a', 'libmp3lame');
      break;
    case 'mp2':
      args.push('-c:a', 'mp2');
      break;
    case 'vorbis':
      args.push('-c:a', 'libvorbis');
      break;
    case 'flac':
      args.push('-c:a', 'flac', '-sample_fmt', depth > 16 ? 's32' : 's16');
      if (depth > 16) args.push('-bits_per_raw_sample', '24');
      break;
    case 'pcm':
      args.push('-c:a', depth === 8 ? 'pcm_u8' : depth === 24 ? 'pcm_s24le' : depth === 32 ? 'pcm_s32le' : 'pcm_s16le');
      break;
    default:
      return container === 'gif' ? ['-an'] : [];
  }
  if (a.BitRate && !['flac', 'pcm'].includes(a.Codec)) args.push('-b:a', `${a.BitRate}k`);
  if (a.SampleRate && a.SampleRate !== 'auto') args.push('-ar', String(a.SampleRate));
  if (a.Channels === '1' || a.Channels === '2') args.push('-ac', a.Channels);
  return args;
}

function containerArgs(container: string, hls?: { segmentDuration: number; segmentPattern: string }): string[] {
  switch (container) {
    case 'mp4':
      return ['-movflags', '+faststart', '-f', 'mp4'];
    case 'fmp4':
      return ['-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4'];
    case 'ts':
      if (!hls) return ['-f', 'mpegts'];
      return ['-f', 'hls', '-hls_time', String(hls.segmentDuration), '-hls_list_size', '0', '-hls_playlist_type', 'vod', '-hls_segment_filename', hls.segmentPattern, '-start_number', '0'];
    case 'webm':
      return ['-f', 'webm'];
    case 'mp3':
      return ['-f', 'mp3'];
    case 'mp2':
      return ['-f', 'mp2'];
    case 'flac':
      return ['-f', 'flac'];
    case 'oga':
    case 'ogg':
      return ['-f', 'ogg'];
    case 'flv':
      return ['-f', 'flv'];
    case 'mpg':
      return ['-f', 'vob'];
    case 'mxf':
      return ['-f', 'mxf'];
    case 'wav':
      return ['-f', 'wav'];
    case 'gif':
      return ['-f', 'gif'];
    default:
      return [];
  }
}

export function buildOutputPlan(p: OutputPlanInput): OutputPlan {
  const { preset, probe } = p;
  const args = ['-hide_banner', '-nostdin', '-y', '-loglevel', 'error'];
  const rot = rotation(p.rotate, probe.video?.rotation ?? 0);
  if (rot.noAutorotate) args.push('-noautorotate');
  if (p.timeSpan?.start) args.push('-ss', p.timeSpan.start.toFixed(3));
  if (p.timeSpan?.duration !== undefined) args.push('-t', p.timeSpan.duration.toFixed(3));
  args.push('-i', p.inputPath);
  const plan: OutputPlan = { args };
  const v = probe.video;
  const turned = rot.quarterTurns % 2 === 1;
  const inW = v ? (turned ? v.height! : v.width!) : 0;
  const inH = v ? (turned ? v.width! : v.height!) : 0;

  const wantsVideo = Boolean(preset.Video && v);
  args.push('-map_metadata', '-1');
  if (wantsVideo) args.push('-map', '0:v:0');
  if (preset.Audio && probe.audio && preset.Audio.Channels !== '0') args.push('-map', '0:a:0');
  if (wantsVideo) {
    const video = preset.Video!;
    const geometry = computeGeometry(inW, inH, { maxWidth: video.MaxWidth, maxHeight: video.MaxHeight, sizingPolicy: video.SizingPolicy, paddingPolicy: video.PaddingPolicy, resolution: video.Resolution });
    const rate = outputFrameRate(video.FrameRate, video.MaxFrameRate, v!.fps);
    plan.video = geometry;
    plan.fps = rate.fps;
    const filters = [...rot.filters, ...geometryFilters(geometry, inW, inH)];
    if (video.Codec === 'gif' && rate.fps) filters.unshift(`fps=${rate.fps}`);
    args.push('-vf', filters.join(','));
    if (rate.arg && video.Codec !== 'gif') args.push('-r', rate.arg);
    args.push(...videoCodecArgs(video, rate.fps, p.hls));
    if (video.DisplayAspectRatio && video.DisplayAspectRatio !== 'auto') args.push('-aspect', video.DisplayAspectRatio);
  } else {
    args.push('-vn');
  }
  if (preset.Audio && probe.audio) args.push(...audioCodecArgs(preset.Audio, preset.Container));
  else args.push('-an');
  args.push(...containerArgs(preset.Container, p.hls), p.outputPath);

  if (p.thumbnailPath && preset.Thumbnails && v) {
    const t = preset.Thumbnails;
    const geometry = computeGeometry(inW, inH, { maxWidth: t.MaxWidth, maxHeight: t.MaxHeight, sizingPolicy: t.SizingPolicy, paddingPolicy: t.PaddingPolicy, resolution: t.Resolution });
    plan.thumbnails = geometry;
    const interval = Math.max(1, Number(t.Interval ?? 60));
    const filters = [...rot.filters, `fps=1/${interval}:eof_action=pass`, ...geometryFilters(geometry, inW, inH)];
    args.push('-map', '0:v:0', '-an', '-vf', filters.join(','), '-start_number', '1');
    args.push(...(t.Format === 'jpg' ? ['-c:v', 'mjpeg', '-q:v', '2', '-pix_fmt', 'yuvj420p'] : ['-c:v', 'png']), '-f', 'image2', p.thumbnailPath);
  }
  return plan;
}

/** RFC 6381 codec names for an HLS master playlist's CODECS attribute. */
export function codecsAttribute(preset: Preset): string | undefined {
  const parts: string[] = [];
  const v = preset.Video;
  if (v?.Codec === 'H.264') {
    const o = (v.CodecOptions ?? {}) as Record<string, string>;
    const profile = o.Profile === 'high' ? '6400' : o.Profile === 'main' ? '4d40' : '42e0';
    const level = Math.round(Number((o.Level ?? '3.1').replace('1b', '1.1')) * 10);
    parts.push(`avc1.${profile}${level.toString(16).padStart(2, '0')}`);
  }
  if (preset.Audio?.Codec === 'AAC' && preset.Audio.Channels !== '0') parts.push('mp4a.40.2');
  if (preset.Audio?.Codec === 'mp3') parts.push('mp4a.40.34');
  return parts.length ? parts.join(',') : undefined;
}
