import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildOutputPlan, codecsAttribute, outputFrameRate } from './args.js';
import type { Probe } from './ffmpeg.js';
import { checkPreset } from './presets.js';
import { SYSTEM_PRESETS, systemPreset } from './system-presets.js';

const probe: Probe = { formatName: 'mov', durationMs: 5000, size: 1, video: { codec: 'h264', width: 1920, height: 1080, fps: 50, rotation: 90 }, audio: { codec: 'aac', sampleRate: 48000, channels: 2 } };
const opt = (args: string[], name: string) => args[args.indexOf(name) + 1];

describe('Elastic Transcoder presets as ffmpeg arguments', () => {
  it('maps an H.264 preset: profile, level, VBV, keyframes, frame rate, AAC, faststart', () => {
    const { args, video } = buildOutputPlan({ preset: systemPreset('1351620000001-200015')!, probe, inputPath: 'in', outputPath: 'out' });
    assert.deepEqual([opt(args, '-c:v'), opt(args, '-profile:v'), opt(args, '-level:v'), opt(args, '-b:v'), opt(args, '-maxrate'), opt(args, '-bufsize'), opt(args, '-g'), opt(args, '-keyint_min'), opt(args, '-sc_threshold')], ['libx264', 'main', '3.1', '1872k', '1872k', '16848k', '90', '90', '0']);
    assert.ok(args.includes('-an'), 'HLS Video presets have no audio');
    // The input's rotation metadata turns 1920x1080 into 1080x1920: ShrinkToFit into 1024x768.
    assert.deepEqual([video!.width, video!.height], [432, 768]);
    const web = buildOutputPlan({ preset: systemPreset('1351620000001-100070')!, probe: { ...probe, video: { ...probe.video!, rotation: 0 } }, inputPath: 'in', outputPath: 'out', thumbnailPath: 't/%05d.png' }).args;
    assert.deepEqual([opt(web, '-c:a'), opt(web, '-b:a'), opt(web, '-ar'), opt(web, '-ac'), opt(web, '-movflags'), opt(web, '-r')], ['aac', '160k', '44100', '2', '+faststart', '30']);
    assert.match(web.join(' '), /fps=1\/60:eof_action=pass,scale=192:108,setsar=1 -start_number 1 -c:v png -f image2 t\/%05d\.png$/);
  });

  it('maps webm/vp8+vorbis, mp3, flac and HLS segmenting', () => {
    const webm = buildOutputPlan({ preset: systemPreset('1351620000001-100240')!, probe, inputPath: 'in', outputPath: 'out' }).args;
    assert.deepEqual([opt(webm, '-c:v'), opt(webm, '-c:a'), opt(webm, '-f')], ['libvpx', 'libvorbis', 'webm']);
    const mp3 = buildOutputPlan({ preset: systemPreset('1351620000001-300040')!, probe, inputPath: 'in', outputPath: 'out' }).args;
    assert.ok(mp3.includes('-vn'));
    assert.deepEqual([opt(mp3, '-c:a'), opt(mp3, '-b:a'), opt(mp3, '-f')], ['libmp3lame', '128k', 'mp3']);
    const flac = buildOutputPlan({ preset: systemPreset('1351620000001-300110')!, probe, inputPath: 'in', outputPath: 'out' }).args;
    assert.deepEqual([opt(flac, '-c:a'), opt(flac, '-sample_fmt'), opt(flac, '-f')], ['flac', 's16', 'flac']);
    const hls = buildOutputPlan({ preset: systemPreset('1351620000001-200010')!, probe, inputPath: 'in', outputPath: 'k.m3u8', hls: { segmentDuration: 4, segmentPattern: 'k%05d.ts' } }).args;
    assert.deepEqual([opt(hls, '-f'), opt(hls, '-hls_time'), opt(hls, '-hls_segment_filename'), opt(hls, '-force_key_frames')], ['hls', '4', 'k%05d.ts', 'expr:gte(t,n_forced*4)']);
  });

  it('picks frame rates as ETS does: fixed, or auto capped at a whole divisor of the input rate', () => {
    assert.deepEqual(outputFrameRate('29.97', undefined, 25), { arg: '30000/1001', fps: 30000 / 1001 });
    assert.deepEqual(outputFrameRate('auto', undefined, 25), { fps: 25 });
    assert.deepEqual(outputFrameRate('auto', '30', 50), { arg: '25', fps: 25 });
    assert.deepEqual(outputFrameRate('auto', '60', 120), { arg: '60', fps: 60 });
  });

  it('accepts every system preset as a valid preset and names HLS codecs', () => {
    for (const p of SYSTEM_PRESETS) checkPreset({ ...p, Name: 'copy' }); // system names exceed the 40 characters custom presets get
    assert.equal(codecsAttribute(systemPreset('1351620000001-200030')!), 'avc1.4d401f,mp4a.40.2');
    assert.equal(codecsAttribute(systemPreset('1351620000001-200050')!), 'avc1.42e01e,mp4a.40.2');
  });
});
