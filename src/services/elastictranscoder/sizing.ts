/**
 * Output geometry from a preset's MaxWidth/MaxHeight, SizingPolicy and
 * PaddingPolicy (video and thumbnails use the same rules):
 *   Fit          scale, up or down, until one side meets its maximum;
 *   Fill         scale until both sides reach their maxima, then crop the excess (centered);
 *   Stretch      exactly MaxWidth x MaxHeight, distorting if need be;
 *   Keep         no scaling; crop what exceeds the maxima;
 *   ShrinkToFit  as Fit, never enlarging;
 *   ShrinkToFill as Fill, never enlarging (then crop what exceeds the maxima).
 * Pad adds centered black bars up to MaxWidth x MaxHeight; NoPad leaves the
 * frame at the scaled size. "auto" maxima are 1920 x 1080. H.264 needs even
 * sizes, so every dimension is rounded to an even number.
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/preset-settings.html#preset-settings-video-sizing-policy
 */

export interface Geometry {
  /** Size after scaling, before cropping. */
  scaledWidth: number;
  scaledHeight: number;
  /** Size after cropping (what the picture occupies). */
  contentWidth: number;
  contentHeight: number;
  /** Final frame size (after padding). */
  width: number;
  height: number;
}

export interface SizingInput {
  maxWidth?: string;
  maxHeight?: string;
  sizingPolicy?: string;
  paddingPolicy?: string;
  /** Legacy presets: an exact WxH, or 'auto'. */
  resolution?: string;
}

function even(n: number): number {
  return Math.max(2, 2 * Math.round(n / 2));
}

function dimension(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '' || value === 'auto') return fallback;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

export function computeGeometry(inputWidth: number, inputHeight: number, s: SizingInput): Geometry {
  if (s.resolution && s.resolution !== 'auto' && /^\d+x\d+$/.test(s.resolution)) {
    const [w, h] = s.resolution.split('x').map(Number) as [number, number];
    const fw = even(w);
    const fh = even(h);
    return { scaledWidth: fw, scaledHeight: fh, contentWidth: fw, contentHeight: fh, width: fw, height: fh };
  }
  const maxW = dimension(s.maxWidth, 1920);
  const maxH = dimension(s.maxHeight, 1080);
  const w = inputWidth;
  const h = inputHeight;
  const policy = s.sizingPolicy ?? 'ShrinkToFit';
  let scale: number;
  let sw: number;
  let sh: number;
  switch (policy) {
    case 'Stretch':
      sw = maxW;
      sh = maxH;
      break;
    case 'Keep':
      sw = w;
      sh = h;
      break;
    case 'Fit':
      scale = Math.min(maxW / w, maxH / h);
      sw = w * scale;
      sh = h * scale;
      break;
    case 'Fill':
      scale = Math.max(maxW / w, maxH / h);
      sw = w * scale;
      sh = h * scale;
      break;
    case 'ShrinkToFill':
      scale = Math.min(1, Math.max(maxW / w, maxH / h));
      sw = w * scale;
      sh = h * scale;
      break;
    default:
      scale = Math.min(1, Math.min(maxW / w, maxH / h));
      sw = w * scale;
      sh = h * scale;
  }
  const scaledWidth = even(sw);
  const scaledHeight = even(sh);
  const contentWidth = Math.min(scaledWidth, even(maxW));
  const contentHeight = Math.min(scaledHeight, even(maxH));
  const pad = s.paddingPolicy === 'Pad';
  return {
    scaledWidth,
    scaledHeight,
    contentWidth,
    contentHeight,
    width: pad ? Math.max(contentWidth, even(maxW)) : contentWidth,
    height: pad ? Math.max(contentHeight, even(maxH)) : contentHeight,
  };
}

/** The ffmpeg filters that turn a WxH picture into the geometry (scale, crop, pad). */
export function geometryFilters(g: Geometry, inputWidth: number, inputHeight: number): string[] {
  const filters: string[] = [];
  if (g.scaledWidth !== inputWidth || g.scaledHeight !== inputHeight) filters.push(`scale=${g.scaledWidth}:${g.scaledHeight}`);
  if (g.contentWidth < g.scaledWidth || g.contentHeight < g.scaledHeight) filters.push(`crop=${g.contentWidth}:${g.contentHeight}`);
  if (g.width > g.contentWidth || g.height > g.contentHeight) filters.push(`pad=${g.width}:${g.height}:(ow-iw)/2:(oh-ih)/2:black`);
  filters.push('setsar=1');
  return filters;
}
