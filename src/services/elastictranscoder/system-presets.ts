/**
 * The system presets ListPresets returns before the account's own, in Id
 * order, with their real ids, names and descriptions.
 *
 * Sources (facts gathered, no code copied):
 *  - ids and the list: AWS's developer guide, "System Presets"
 *    (docs.aws.amazon.com/elastictranscoder/latest/developerguide/system-presets.html);
 *  - names in ListPresets order and the one complete ListPresets record
 *    quoted in full (Generic 720p, including its Audio and Thumbnails): a
 *    published `aws elastictranscoder list-presets` dump;
 *  - names/descriptions/containers: a published table of ListPresets output
 *    (Name, Id, Container, Description);
 *  - Video settings (codec, profile, level, bit rate, max size, policies,
 *    frame rate, keyframes, GOP, MaxBitRate/BufferSize): Blitline's published
 *    copy of the system presets' video settings. Where it disagrees with the
 *    developer guide's table about which of 100180/100190 is 1080i60, the
 *    settings (29.97 vs 25 fps) decide.
 *  - Audio and Thumbnails other than Generic 720p's follow the same families
 *    (AAC-LC 44.1 kHz stereo; png thumbnails every 60 s at 192x108, or 300 s
 *    for streaming presets; 4:3 presets 192x144). These are Stratus's best
 *    reconstruction, not a recorded answer.
 */
import type { Preset } from './common.js';

type V = Record<string, any>;

const h264 = (profile: string, level: string, refs = '3', extra: V = {}): V => ({ Profile: profile, Level: level, MaxReferenceFrames: refs, ColorSpaceConversionMode: 'None', InterlacedMode: 'Progressive', ...extra });

function video(codec: string, options: V, bitRate: string, frameRate: string, maxW: string, maxH: string, opts: { kf?: string; fixedGop?: string; sizing?: string; padding?: string; dar?: string; maxFrameRate?: string } = {}): V {
  const v: V = {
    Codec: codec,
    CodecOptions: options,
    KeyframesMaxDist: opts.kf ?? '90',
    FixedGOP: opts.fixedGop ?? 'false',
    BitRate: bitRate,
    FrameRate: frameRate,
    MaxWidth: maxW,
    MaxHeight: maxH,
    SizingPolicy: opts.sizing ?? 'ShrinkToFit',
    PaddingPolicy: opts.padding ?? 'NoPad',
    DisplayAspectRatio: opts.dar ?? 'auto',
    Watermarks: [],
  };
  if (opts.maxFrameRate) v.MaxFrameRate = opts.maxFrameRate;
  if (codec === 'gif') delete v.KeyframesMaxDist, delete v.FixedGOP;
  return v;
}

const aac = (bitRate: string, sampleRate = '44100', channels = '2', profile = 'AAC-LC'): V => ({ Codec: 'AAC', SampleRate: sampleRate, BitRate: bitRate, Channels: channels, CodecOptions: { Profile: profile } });
const audio = (codec: string, bitRate: string, sampleRate = '44100', channels = '2', options?: V): V => ({ Codec: codec, SampleRate: sampleRate, BitRate: bitRate, Channels: channels, ...(options ? { CodecOptions: options } : {}) });
const thumbs = (w = '192', h = '108', interval = '60'): V => ({ Format: 'png', Interval: interval, MaxWidth: w, MaxHeight: h, SizingPolicy: 'ShrinkToFit', PaddingPolicy: 'NoPad' });

function preset(id: string, name: string, description: string, container: string, parts: { Video?: V; Audio?: V; Thumbnails?: V }): Preset {
  return { Id: `1351620000001-${id}`, Name: `System preset: ${name}`, Description: description, Container: container, ...parts, Type: 'System' };
}

const hlsVideo = (bitRate: string, w: string, h: string, profile: string, level: string, refs: string, videoOnly: boolean, buffer?: string): V =>
  video('H.264', h264(profile, level, refs, videoOnly ? { MaxBitRate: bitRate, BufferSize: buffer } : {}), bitRate, 'auto', w, h, { fixedGop: 'true', ...(videoOnly ? { maxFrameRate: '60' } : {}) });
const smooth = (bitRate: string, w: string, h: string, level: string, buffer: string): V => video('H.264', h264('high', level, '3', { MaxBitRate: bitRate, BufferSize: buffer }), bitRate, '30', w, h, { kf: '60', fixedGop: 'true' });
const dash = (bitRate: string, w: string, h: string, level: string, refs: string, buffer: string): V => video('H.264', h264('main', level, refs, { MaxBitRate: bitRate, BufferSize: buffer }), bitRate, '30', w, h, { kf: '60', fixedGop: 'true' });
const interlaced = (fps: string, kf: string): V => video('H.264', { Profile: 'main', Level: '4.1', MaxReferenceFrames: '3', MaxBitRate: '10000', BufferSize: '100000', InterlacedMode: 'TopFirst', ColorSpaceConversionMode: 'Auto' }, '10000', fps, '1920', '1080', { kf, fixedGop: 'true', sizing: 'ShrinkToFill', padding: 'Pad', dar: '16:9' });
const mpeg2 = (fps: string, kf: string, w: string, h: string, rate: string, buffer: string, chroma: string): V =>
  video('mpeg2', { InterlacedMode: 'TopFirst', ColorSpaceConversionMode: 'Auto', MaxBitRate: rate, BufferSize: buffer, ChromaSubsampling: chroma }, rate, fps, w, h, { kf, fixedGop: 'true', sizing: 'ShrinkToFill', padding: 'Pad', dar: '16:9' });

export const SYSTEM_PRESETS: Preset[] = [
  preset('000001', 'Generic 1080p', 'System preset generic 1080p', 'mp4', { Video: video('H.264', h264('baseline', '4'), '5400', '29.97', '1920', '1080'), Audio: aac('160'), Thumbnails: thumbs() }),
  preset('000010', 'Generic 720p', 'System preset generic 720p', 'mp4', { Video: video('H.264', h264('baseline', '3.1'), '2400', '29.97', '1280', '720'), Audio: aac('160'), Thumbnails: thumbs() }),
  preset('000020', 'Generic 480p 16:9', 'System preset generic 480p 16:9', 'mp4', { Video: video('H.264', h264('baseline', '3.1'), '1200', '29.97', '854', '480'), Audio: aac('128'), Thumbnails: thumbs() }),
  preset('000030', 'Generic 480p 4:3', 'System preset generic 480p 4:3', 'mp4', { Video: video('H.264', h264('baseline', '3'), '900', '29.97', '640', '480'), Audio: aac('128'), Thumbnails: thumbs('192', '144') }),
  preset('000040', 'Generic 360p 16:9', 'System preset generic 360p 16:9', 'mp4', { Video: video('H.264', h264('baseline', '3'), '720', '29.97', '640', '360'), Audio: aac('128'), Thumbnails: thumbs() }),
  preset('000050', 'Generic 360p 4:3', 'System preset generic 360p 4:3', 'mp4', { Video: video('H.264', h264('baseline', '3'), '600', '29.97', '480', '360'), Audio: aac('128'), Thumbnails: thumbs('192', '144') }),
  preset('000061', 'Generic 320x240', 'System preset generic 320x240', 'mp4', { Video: video('H.264', h264('baseline', '1.3'), '300', '15', '320', '240'), Audio: aac('64', '22050', '1', 'auto'), Thumbnails: thumbs('192', '144') }),
  preset('100020', 'iPhone4S', 'System preset: iPhone 4s and above, iPad 3G and above, iPad mini, Samsung Galaxy S2/S3/Tab 2', 'mp4', { Video: video('H.264', h264('high', '4.1'), '5000', '30', '1920', '1080'), Audio: aac('160', '48000'), Thumbnails: thumbs() }),
  preset('100040', 'iPod Touch', 'System preset: iPhone 1, 3, iPod classic', 'mp4', { Video: video('H.264', h264('baseline', '3'), '1500', '30', '640', '480'), Audio: aac('160', '48000'), Thumbnails: thumbs('192', '144') }),
  preset('100050', 'Apple TV 2G', 'System preset: Apple TV 2G', 'mp4', { Video: video('H.264', h264('main', '3.1'), '5000', '30', '1280', '720'), Audio: aac('160', '48000'), Thumbnails: thumbs() }),
  preset('100060', 'Apple TV 3G', 'System preset: Apple TV 3G, Roku HD/2 XD', 'mp4', { Video: video('H.264', h264('high', '4'), '5000', '30', '1920', '1080'), Audio: aac('160', '48000'), Thumbnails: thumbs() }),
  preset('100070', 'Web', 'System preset: Facebook, SmugMug, Vimeo, YouTube', 'mp4', { Video: video('H.264', h264('main', '3.1'), '2200', '30', '1280', '720'), Audio: aac('160'), Thumbnails: thumbs() }),
  preset('100080', 'KindleFireHD', 'System preset: Kindle Fire HD', 'mp4', { Video: video('H.264', h264('main', '4'), '2200', '30', '1280', '720'), Audio: aac('160', '48000'), Thumbnails: thumbs() }),
  preset('100090', 'KindleFireHD8.9', 'System preset: Kindle Fire HD 8.9', 'mp4', { Video: video('H.264', h264('main', '4'), '5400', '30', '1920', '1080'), Audio: aac('160', '48000'), Thumbnails: thumbs() }),
  preset('100110', 'Audio AAC - 256k', 'System preset: Audio AAC - 256 kilobits/second', 'mp4', { Audio: aac('256') }),
  preset('100120', 'Audio AAC - 160k', 'System preset: Audio AAC - 160 kilobits/second', 'mp4', { Audio: aac('160') }),
  preset('100130', 'Audio AAC - 128k', 'System preset: Audio AAC - 128 kilobits/second', 'mp4', { Audio: aac('128') }),
  preset('100141', 'Audio AAC - 64k', 'System preset: Audio AAC - 64 kilobits/second', 'mp4', { Audio: aac('64', '44100', '2', 'auto') }),
  preset('100150', 'KindleFireHDX', 'System preset: Kindle Fire HDX, Kindle Fire HDX 8.9', 'mp4', { Video: video('H.264', h264('main', '4.1'), '5000', '30', '1920', '1080'), Audio: aac('160', '48000'), Thumbnails: thumbs() }),
  preset('100160', 'NTSC - MPG', 'System preset: NTSC - MPG', 'mpg', { Video: mpeg2('29.97', '15', '720', '480', '6500', '65000', 'yuv420p'), Audio: audio('mp2', '224', '48000'), Thumbnails: thumbs() }),
  preset('100170', 'PAL - MPG', 'System preset: PAL - MPG', 'mpg', { Video: mpeg2('25', '12', '720', '576', '6500', '65000', 'yuv420p'), Audio: audio('mp2', '224', '48000'), Thumbnails: thumbs() }),
  preset('100180', 'Full HD 1080i60 - MP4', 'System preset: Full HD 1080i60 - MP4', 'mp4', { Video: interlaced('29.97', '15'), Audio: aac('160', '48000'), Thumbnails: thumbs() }),
  preset('100190', 'Full HD 1080i50 - MP4', 'System preset: Full HD 1080i50 - MP4', 'mp4', { Video: interlaced('25', '12'), Audio: aac('160', '48000'), Thumbnails: thumbs() }),
  preset('100200', 'Gif (Animated)', 'System preset: Gif (Animated)', 'gif', { Video: video('gif', { LoopCount: 'Infinite' }, '400', '15', 'auto', 'auto'), Thumbnails: thumbs() }),
  preset('100210', 'Web: Flash Video', 'System preset: Web: Flash Video', 'flv', { Video: video('H.264', { Profile: 'main', Level: '3.1', MaxReferenceFrames: '3', MaxBitRate: '2200', BufferSize: '22000', InterlacedMode: 'TopFirst', ColorSpaceConversionMode: 'Auto' }, '2200', '30', '1280', '720'), Audio: aac('160'), Thumbnails: thumbs() }),
  preset('100220', 'Full HD 1080i60 - XDCAM422', 'System preset: Full HD 1080i60 - XDCAM422', 'mxf', { Video: mpeg2('29.97', '15', '1920', '1080', '50000', '100000', 'yuv422p'), Audio: { ...audio('pcm', '', '48000', '2', { BitDepth: '24', BitOrder: 'LittleEndian', Signed: 'Signed' }), AudioPackingMode: 'OneChannelPerTrack' }, Thumbnails: thumbs() }),
  preset('100230', 'Full HD 1080i50 - XDCAM422', 'System preset: Full HD 1080i50 - XDCAM422', 'mxf', { Video: mpeg2('25', '12', '1920', '1080', '50000', '100000', 'yuv422p'), Audio: { ...audio('pcm', '', '48000', '2', { BitDepth: '24', BitOrder: 'LittleEndian', Signed: 'Signed' }), AudioPackingMode: 'OneChannelPerTrack' }, Thumbnails: thumbs() }),
  preset('100240', 'Webm 720p', 'System preset: Webm 720p', 'webm', { Video: video('vp8', { Profile: '0' }, '2400', '29.97', '1280', '720'), Audio: audio('vorbis', '160'), Thumbnails: thumbs() }),
  preset('100250', 'Webm VP9 720p', 'System preset: Webm VP9 720p', 'webm', { Video: video('vp9', {}, '1200', '30', '1280', '720'), Audio: audio('vorbis', '160'), Thumbnails: thumbs() }),
  preset('100260', 'Webm VP9 360p', 'System preset: Webm VP9 360p', 'webm', { Video: video('vp9', {}, '600', '30', '640', '360'), Audio: audio('vorbis', '128'), Thumbnails: thumbs() }),
  preset('200010', 'HLS 2M', 'System preset: HLS 2M', 'ts', { Video: hlsVideo('1872', '1024', '768', 'main', '3.1', '3', false), Audio: aac('128'), Thumbnails: thumbs('192', '108', '300') }),
  preset('200015', 'HLS Video - 2M', 'System preset: HLS Video - 2M', 'ts', { Video: hlsVideo('1872', '1024', '768', 'main', '3.1', '3', true, '16848'), Thumbnails: thumbs('192', '108', '300') }),
  preset('200020', 'HLS 1.5M', 'System preset: HLS 1.5M', 'ts', { Video: hlsVideo('1372', '960', '640', 'main', '3.1', '3', false), Audio: aac('128'), Thumbnails: thumbs('192', '108', '300') }),
  preset('200025', 'HLS Video - 1.5M', 'System preset: HLS Video - 1.5M', 'ts', { Video: hlsVideo('1372', '960', '640', 'main', '3.1', '3', true, '12348'), Thumbnails: thumbs('192', '108', '300') }),
  preset('200030', 'HLS 1M', 'System preset: HLS 1M', 'ts', { Video: hlsVideo('872', '640', '432', 'main', '3.1', '3', false), Audio: aac('128'), Thumbnails: thumbs('192', '108', '300') }),
  preset('200035', 'HLS Video - 1M', 'System preset: HLS Video - 1M', 'ts', { Video: hlsVideo('872', '640', '432', 'main', '3', '3', true, '7848'), Thumbnails: thumbs('192', '108', '300') }),
  preset('200040', 'HLS 600k', 'System preset: HLS 600k', 'ts', { Video: hlsVideo('472', '480', '320', 'baseline', '3', '3', false), Audio: aac('128'), Thumbnails: thumbs('192', '108', '300') }),
  preset('200045', 'HLS Video - 600k', 'System preset: HLS Video - 600k', 'ts', { Video: hlsVideo('472', '480', '320', 'baseline', '3', '3', true, '4248'), Thumbnails: thumbs('192', '108', '300') }),
  preset('200050', 'HLS 400k', 'System preset: HLS 400k', 'ts', { Video: hlsVideo('272', '400', '288', 'baseline', '3', '1', false), Audio: aac('128'), Thumbnails: thumbs('192', '108', '300') }),
  preset('200055', 'HLS Video - 400k', 'System preset: HLS Video - 400k', 'ts', { Video: hlsVideo('272', '400', '288', 'baseline', '3', '1', true, '2448'), Thumbnails: thumbs('192', '108', '300') }),
  preset('200060', 'HLS Audio - 160k', 'System Preset: HLS Audio 160 kilobits/second', 'ts', { Audio: aac('160') }),
  preset('200071', 'HLS Audio - 64k', 'System preset: HLS Audio 64 kilobits/second', 'ts', { Audio: aac('64', '44100', '2', 'auto') }),
  preset('300010', 'Audio MP3 - 320k', 'System preset: Audio MP3 - 320 kilobits/second', 'mp3', { Audio: audio('mp3', '320') }),
  preset('300020', 'Audio MP3 - 192k', 'System preset: Audio MP3 - 192 kilobits/second', 'mp3', { Audio: audio('mp3', '192') }),
  preset('300030', 'Audio MP3 - 160k', 'System preset: Audio MP3 - 160 kilobits/second', 'mp3', { Audio: audio('mp3', '160') }),
  preset('300040', 'Audio MP3 - 128k', 'System preset: Audio MP3 - 128 kilobits/second', 'mp3', { Audio: audio('mp3', '128') }),
  preset('300110', 'Audio FLAC - CD', 'System preset: Audio FLAC - CD', 'flac', { Audio: audio('flac', '', '44100', '2', { BitDepth: '16' }) }),
  preset('300200', 'Audio WAV 44100 Hz, 8 bit', 'System preset: Audio WAV 44100 Hz, 8 bit', 'wav', { Audio: audio('pcm', '', '44100', '2', { BitDepth: '8', BitOrder: 'LittleEndian', Signed: 'Unsigned' }) }),
  preset('300300', 'Audio WAV 44100 Hz, 16 bit - CD Quality', 'System preset: Audio WAV 44100 Hz, 16 bit - CD Quality', 'wav', { Audio: audio('pcm', '', '44100', '2', { BitDepth: '16', BitOrder: 'LittleEndian', Signed: 'Signed' }) }),
  preset('400010', 'Smooth 3M', 'System preset: Smooth 3M', 'fmp4', { Video: smooth('2962', '1280', '720', '3.1', '17772'), Audio: aac('128', '48000'), Thumbnails: thumbs('192', '108', '300') }),
  preset('400020', 'Smooth 2M', 'System preset: Smooth 2M', 'fmp4', { Video: smooth('2056', '992', '560', '3.1', '12336'), Audio: aac('128', '48000'), Thumbnails: thumbs('192', '108', '300') }),
  preset('400030', 'Smooth 1.5M', 'System preset: Smooth 1.5M', 'fmp4', { Video: smooth('1427', '768', '432', '3', '8562'), Audio: aac('128', '48000'), Thumbnails: thumbs('192', '108', '300') }),
  preset('400040', 'Smooth 1M', 'System preset: Smooth 1M', 'fmp4', { Video: smooth('991', '592', '332', '2.1', '5946'), Audio: aac('128', '48000'), Thumbnails: thumbs('192', '108', '300') }),
  preset('400050', 'Smooth 800k', 'System preset: Smooth 800k', 'fmp4', { Video: smooth('688', '448', '252', '2.1', '4128'), Audio: aac('128', '48000'), Thumbnails: thumbs('192', '108', '300') }),
  preset('400060', 'Smooth 600k', 'System preset: Smooth 600k', 'fmp4', { Video: smooth('477', '368', '208', '1.3', '2862'), Audio: aac('128', '48000'), Thumbnails: thumbs('192', '108', '300') }),
  preset('400070', 'Smooth 500k', 'System preset: Smooth 500k', 'fmp4', { Video: smooth('331', '284', '160', '1.3', '1986'), Audio: aac('128', '48000'), Thumbnails: thumbs('192', '108', '300') }),
  preset('400080', 'Smooth 400k', 'System preset: Smooth 400k', 'fmp4', { Video: smooth('230', '224', '128', '1.3', '1380'), Audio: aac('128', '48000'), Thumbnails: thumbs('192', '108', '300') }),
  preset('500020', 'MPEG-Dash Video - 4.8M', 'System preset: MPEG-Dash Video - 4.8M', 'fmp4', { Video: dash('4800', '1280', '720', '3.1', '3', '9600'), Thumbnails: thumbs('192', '108', '300') }),
  preset('500030', 'MPEG-Dash Video - 2.4M', 'System preset: MPEG-Dash Video - 2.4M', 'fmp4', { Video: dash('2400', '854', '480', '3.1', '3', '4800'), Thumbnails: thumbs('192', '108', '300') }),
  preset('500040', 'MPEG-Dash Video - 1.2M', 'System preset: MPEG-Dash Video - 1.2M', 'fmp4', { Video: dash('1200', '640', '360', '3', '3', '2400'), Thumbnails: thumbs('192', '108', '300') }),
  preset('500050', 'MPEG-Dash Video - 600k', 'System preset: MPEG-Dash Video - 600k', 'fmp4', { Video: dash('600', '426', '240', '3', '1', '1200'), Thumbnails: thumbs('192', '108', '300') }),
  preset('500060', 'MPEG-Dash Audio - 128k', 'System preset: MPEG-Dash Audio - 128k', 'fmp4', { Audio: aac('128', '48000') }),
];

// Audio presets without a bit rate (pcm, flac) show none.
for (const p of SYSTEM_PRESETS) if (p.Audio && p.Audio.BitRate === '') delete p.Audio.BitRate;

const BY_ID = new Map(SYSTEM_PRESETS.map((p) => [p.Id, p]));

export function systemPreset(id: string): Preset | undefined {
  return BY_ID.get(id);
}
