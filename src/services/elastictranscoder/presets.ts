/**
 * Presets: CreatePreset (settings ETS cannot use → ValidationException;
 * settings it can use but that break the H.264 level's limits → created,
 * with a Warning), ListPresets (system presets first, then the account's, in
 * Id order, i.e. by creation time), ReadPreset and DeletePreset (system
 * presets: AccessDeniedException; a preset queued jobs still need:
 * ResourceInUseException).
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/create-preset.html
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/preset-settings.html
 */
import type { RequestContext } from '../../core/context.js';
import { arnOf, ascending, compact, ownerKey, page, TABLES, type ActiveDoc, type Operations, type Owner, type Preset, type TranscoderContext } from './common.js';
import { accessDenied, inUse, notFound, validation } from './errors.js';
import { at, Constraints, ID_PATTERN, newId } from './names.js';
import { SYSTEM_PRESETS, systemPreset } from './system-presets.js';

const CONTAINERS = ['flac', 'flv', 'fmp4', 'gif', 'mp2', 'mp3', 'mp4', 'mpg', 'mxf', 'oga', 'ogg', 'ts', 'wav', 'webm'];
const CONTAINER_PATTERN = CONTAINERS.map((c) => `(^${c}$)`).join('|');

/** Which codecs each container takes (the developer guide's container table). */
const VIDEO_CODECS: Record<string, string[]> = { flv: ['H.264'], fmp4: ['H.264'], gif: ['gif'], mp4: ['H.264'], mpg: ['mpeg2'], mxf: ['mpeg2'], ts: ['H.264'], webm: ['vp8', 'vp9'] };
const AUDIO_CODECS: Record<string, string[]> = { flac: ['flac'], flv: ['AAC', 'mp3'], fmp4: ['AAC'], mp2: ['mp2'], mp3: ['mp3'], mp4: ['AAC', 'mp3'], mpg: ['mp2'], mxf: ['pcm'], oga: ['flac', 'vorbis'], ogg: ['flac', 'vorbis'], ts: ['AAC', 'mp3'], wav: ['pcm'], webm: ['vorbis'] };

const LEVELS = ['1', '1b', '1.1', '1.2', '1.3', '2', '2.1', '2.2', '3', '3.1', '3.2', '4', '4.1'];
/** H.264 level limits (ITU-T H.264 Table A-1): max frame size in macroblocks, max bit rate (baseline/main) in kbit/s. */
const LEVEL_LIMITS: Record<string, { frameMbs: number; kbps: number; dpbMbs: number }> = {
  '1': { frameMbs: 99, kbps: 64, dpbMbs: 396 },
  '1b': { frameMbs: 99, kbps: 128, dpbMbs: 396 },
  '1.1': { frameMbs: 396, kbps: 192, dpbMbs: 900 },
  '1.2': { frameMbs: 396, kbps: 384, dpbMbs: 2376 },
  '1.3': { frameMbs: 396, kbps: 768, dpbMbs: 2376 },
  '2': { frameMbs: 396, kbps: 2000, dpbMbs: 2376 },
  '2.1': { frameMbs: 792, kbps: 4000, dpbMbs: 4752 },
  '2.2': { frameMbs: 1620, kbps: 4000, dpbMbs: 8100 },
  '3': { frameMbs: 1620, kbps: 10000, dpbMbs: 8100 },
  '3.1': { frameMbs: 3600, kbps: 14000, dpbMbs: 18000 },
  '3.2': { frameMbs: 5120, kbps: 20000, dpbMbs: 20480 },
  '4': { frameMbs: 8192, kbps: 20000, dpbMbs: 32768 },
  '4.1': { frameMbs: 8192, kbps: 50000, dpbMbs: 32768 },
};

function evenIn(value: string | undefined, min: number, max: number): boolean {
  if (value === undefined || value === 'auto') return true;
  const n = Number(value);
  return /^\d+$/.test(value) && n >= min && n <= max && n % 2 === 0;
}

/** Rejects what ETS cannot produce; returns the standard-compliance warning, '' when compliant. */
export function checkPreset(input: Record<string, any>): string {
  const c = new Constraints();
  if (c.required(input.Name, 'name')) c.length(input.Name, 'name', 1, 40);
  c.length(input.Description, 'description', 0, 255);
  if (c.required(input.Container, 'container')) c.pattern(input.Container, 'container', CONTAINER_PATTERN);
  const v = input.Video as Record<string, any> | undefined;
  const a = input.Audio as Record<string, any> | undefined;
  const t = input.Thumbnails as Record<string, any> | undefined;
  if (v) {
    c.pattern(v.Codec, at('Video', 'Codec'), '(^H\\.264$)|(^vp8$)|(^vp9$)|(^mpeg2$)|(^gif$)');
    c.pattern(v.KeyframesMaxDist, at('Video', 'KeyframesMaxDist'), '^\\d{1,6}$');
    c.pattern(v.FixedGOP, at('Video', 'FixedGOP'), '(^true$)|(^false$)');
    c.pattern(v.BitRate, at('Video', 'BitRate'), '(^\\d{2,5}$)|(^auto$)');
    c.pattern(v.FrameRate, at('Video', 'FrameRate'), '(^auto$)|(^10$)|(^15$)|(^23.97$)|(^24$)|(^25$)|(^29.97$)|(^30$)|(^50$)|(^60$)');
    c.pattern(v.MaxFrameRate, at('Video', 'MaxFrameRate'), '(^10$)|(^15$)|(^23.97$)|(^24$)|(^25$)|(^29.97$)|(^30$)|(^50$)|(^60$)');
    c.pattern(v.Resolution, at('Video', 'Resolution'), '(^auto$)|(^\\d{1,5}x\\d{1,5}$)');
    c.pattern(v.SizingPolicy, at('Video', 'SizingPolicy'), '(^Fit$)|(^Fill$)|(^Stretch$)|(^Keep$)|(^ShrinkToFit$)|(^ShrinkToFill$)');
    c.pattern(v.PaddingPolicy, at('Video', 'PaddingPolicy'), '(^Pad$)|(^NoPad$)');
    c.pattern(v.DisplayAspectRatio, at('Video', 'DisplayAspectRatio'), '(^auto$)|(^1:1$)|(^4:3$)|(^3:2$)|(^16:9$)');
  }
  if (a) {
    c.pattern(a.Codec, at('Audio', 'Codec'), '(^AAC$)|(^vorbis$)|(^mp3$)|(^mp2$)|(^pcm$)|(^flac$)');
    c.pattern(a.SampleRate, at('Audio', 'SampleRate'), '(^auto$)|(^22050$)|(^32000$)|(^44100$)|(^48000$)|(^96000$)|(^192000$)');
    c.pattern(a.BitRate, at('Audio', 'BitRate'), '^\\d{1,3}$');
    c.pattern(a.Channels, at('Audio', 'Channels'), '(^auto$)|(^0$)|(^1$)|(^2$)');
    c.pattern(a.CodecOptions?.Profile, at('Audio', 'CodecOptions', 'Profile'), '(^auto$)|(^AAC-LC$)|(^HE-AAC$)|(^HE-AACv2$)');
  }
  if (t) {
    c.pattern(t.Format, at('Thumbnails', 'Format'), '(^jpg$)|(^png$)');
    c.pattern(t.Interval, at('Thumbnails', 'Interval'), '^\\d{1,5}$');
    c.pattern(t.SizingPolicy, at('Thumbnails', 'SizingPolicy'), '(^Fit$)|(^Fill$)|(^Stretch$)|(^Keep$)|(^ShrinkToFit$)|(^ShrinkToFill$)');
    c.pattern(t.PaddingPolicy, at('Thumbnails', 'PaddingPolicy'), '(^Pad$)|(^NoPad$)');
  }
  c.check();

  const container = input.Container as string;
  if (!v && !a) throw validation('A preset must specify video settings, audio settings, or both.');
  if (v) {
    const allowed = VIDEO_CODECS[container];
    if (!allowed) throw validation(`The container ${container} does not support video; remove the Video settings.`);
    if (!v.Codec) throw validation('Video:Codec is required when Video settings are specified.');
    if (!allowed.includes(v.Codec)) throw validation(`The video codec ${v.Codec} is not supported by the container ${container}. Supported video codecs: ${allowed.join(', ')}.`);
    if (v.Codec !== 'gif' && (!v.BitRate || !v.FrameRate)) throw validation('Video:BitRate and Video:FrameRate are required.');
    if (v.Resolution !== undefined && (v.MaxWidth !== undefined || v.MaxHeight !== undefined)) throw validation('Specify either Video:Resolution and Video:AspectRatio, or Video:MaxWidth and Video:MaxHeight, but not both.');
    if (!evenIn(v.MaxWidth, 128, 4096)) throw validation(`Video:MaxWidth must be auto or an even integer between 128 and 4096: ${v.MaxWidth}.`);
    if (!evenIn(v.MaxHeight, 96, 3072)) throw validation(`Video:MaxHeight must be auto or an even integer between 96 and 3072: ${v.MaxHeight}.`);
    if (container === 'fmp4' && v.FixedGOP !== 'true') throw validation('Video:FixedGOP must be true for fmp4 containers.');
    const o = (v.CodecOptions ?? {}) as Record<string, string>;
    if (v.Codec === 'H.264') {
      if (o.Profile !== undefined && !['baseline', 'main', 'high'].includes(o.Profile)) throw validation(`Invalid H.264 profile: ${o.Profile}. Valid values: baseline, main, high.`);
      if (o.Level !== undefined && !LEVELS.includes(o.Level)) throw validation(`Invalid H.264 level: ${o.Level}. Valid values: ${LEVELS.join(', ')}.`);
      if (o.MaxReferenceFrames !== undefined && !(/^\d+$/.test(o.MaxReferenceFrames) && Number(o.MaxReferenceFrames) <= 16)) throw validation(`Video:CodecOptions:MaxReferenceFrames must be an integer between 0 and 16: ${o.MaxReferenceFrames}.`);
    }
  }
  if (a) {
    const allowed = AUDIO_CODECS[container];
    if (!allowed) throw validation(`The container ${container} does not support audio; remove the Audio settings.`);
    if (!a.Codec) throw validation('Audio:Codec is required when Audio settings are specified.');
    if (!allowed.includes(a.Codec)) throw validation(`The audio codec ${a.Codec} is not supported by the container ${container}. Supported audio codecs: ${allowed.join(', ')}.`);
  }
  if (t) {
    if (!evenIn(t.MaxWidth, 32, 4096)) throw validation(`Thumbnails:MaxWidth must be auto or an even integer between 32 and 4096: ${t.MaxWidth}.`);
    if (!evenIn(t.MaxHeight, 32, 3072)) throw validation(`Thumbnails:MaxHeight must be auto or an even integer between 32 and 3072: ${t.MaxHeight}.`);
  }
  return v?.Codec === 'H.264' ? h264Warning(v) : '';
}

/** Valid but beyond the H.264 level's limits: ETS creates the preset and warns. */
function h264Warning(v: Record<string, any>): string {
  const o = (v.CodecOptions ?? {}) as Record<string, string>;
  const limits = LEVEL_LIMITS[o.Level ?? ''];
  if (!limits) return '';
  const width = v.MaxWidth && v.MaxWidth !== 'auto' ? Number(v.MaxWidth) : 1920;
  const height = v.MaxHeight && v.MaxHeight !== 'auto' ? Number(v.MaxHeight) : 1080;
  const mbs = Math.ceil(width / 16) * Math.ceil(height / 16);
  const warnings: string[] = [];
  const maxKbps = limits.kbps * (o.Profile === 'high' ? 1.25 : 1);
  if (v.BitRate && v.BitRate !== 'auto' && Number(v.BitRate) > maxKbps) warnings.push(`The specified bit rate (${v.BitRate} kbps) exceeds the maximum for H.264 level ${o.Level} and profile ${o.Profile ?? 'main'} (${maxKbps} kbps).`);
  if (mbs > limits.frameMbs) warnings.push(`The specified maximum frame size (${width}x${height}) exceeds the maximum for H.264 level ${o.Level} (${limits.frameMbs} macroblocks).`);
  const refs = Math.min(Math.floor((limits.dpbMbs * 256) / (width * height)), 16);
  if (o.MaxReferenceFrames !== undefined && Number(o.MaxReferenceFrames) > refs) warnings.push(`The specified MaxReferenceFrames (${o.MaxReferenceFrames}) exceeds the recommended value for level ${o.Level} at ${width}x${height} (${refs}).`);
  return warnings.join(' ');
}

function owner(ctx: RequestContext): Owner {
  return { accountId: ctx.accountId, region: ctx.region };
}

function shown(p: Preset, o: Owner): Preset {
  return compact({ ...p, Arn: arnOf('preset', o, p.Id) }) as Preset;
}

/** A preset by id for the caller: a system preset or one of the account's. */
export async function findPreset(c: TranscoderContext, o: Owner, id: string): Promise<Preset | undefined> {
  const sys = systemPreset(id);
  if (sys) return shown(sys, o);
  const found = await c.deps.store.get<Preset>(TABLES.presets, ownerKey(o, id));
  return found ? shown(found.value, o) : undefined;
}

function checkId(id: unknown): void {
  const c = new Constraints();
  c.pattern(id, 'id', ID_PATTERN);
  c.check();
}

export function presetOperations(c: TranscoderContext): Operations {
  const resources = (input: { Id?: string }, ctx: RequestContext) => [arnOf('preset', owner(ctx), input.Id ?? '*')];
  return {
    CreatePreset: {
      async handler(input: Record<string, any>, ctx) {
        const warning = checkPreset(input);
        const id = newId();
        const preset: Preset = compact({ Id: id, Name: input.Name, Description: input.Description, Container: input.Container, Audio: input.Audio, Video: input.Video ? { Watermarks: [], ...input.Video } : undefined, Thumbnails: input.Thumbnails, Type: 'Custom' as const });
        await c.deps.store.put(TABLES.presets, ownerKey(owner(ctx), id), preset, { ifNotExists: true });
        return { Preset: shown(preset, owner(ctx)), Warning: warning };
      },
    },
    ListPresets: {
      async handler(input: { Ascending?: string; PageToken?: string }, ctx) {
        const o = owner(ctx);
        const custom = (await c.deps.store.list<Preset>(TABLES.presets, { prefix: ownerKey(o, '') })).map((d) => d.value);
        const all = [...SYSTEM_PRESETS, ...custom].sort((x, y) => (x.Id < y.Id ? -1 : 1));
        if (!ascending(input.Ascending)) all.reverse();
        const { items, next } = page(all, (p) => p.Id, input.PageToken);
        return { Presets: items.map((p) => shown(p, o)), NextPageToken: next };
      },
    },
    ReadPreset: {
      resources,
      async handler(input: { Id: string }, ctx) {
        checkId(input.Id);
        const preset = await findPreset(c, owner(ctx), input.Id);
        if (!preset) throw notFound('preset', ctx.accountId, input.Id);
        return { Preset: preset };
      },
    },
    DeletePreset: {
      resources,
      async handler(input: { Id: string }, ctx) {
        checkId(input.Id);
        if (systemPreset(input.Id)) throw accessDenied(`Not allowed to delete a system preset: account=${ctx.accountId}, presetId=${input.Id}.`);
        const key = ownerKey(owner(ctx), input.Id);
        if (!(await c.deps.store.get(TABLES.presets, key))) throw notFound('preset', ctx.accountId, input.Id);
        const active = await c.deps.store.list<ActiveDoc>(TABLES.active);
        if (active.some((a) => a.value.accountId === ctx.accountId && a.value.region === ctx.region && a.value.presetIds.includes(input.Id))) {
          throw inUse(`The preset is in use by one or more jobs that are Submitted or Progressing: account=${ctx.accountId}, presetId=${input.Id}.`);
        }
        await c.deps.store.delete(TABLES.presets, key);
        return {};
      },
    },
  };
}
