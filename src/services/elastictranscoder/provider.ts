/**
 * Elastic Transcoder's operations, gathered from one file per resource. All
 * of the 2012-09-25 API is here; what a valid request may ask that Stratus
 * does not run (encryption, watermarks, captions, album art, clip stitching,
 * HLSv4/Smooth/MPEG-DASH playlists) answers 501 NotImplemented.
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/api-reference.html
 */
import type { Operations, TranscoderContext } from './common.js';
import { jobOperations } from './jobs.js';
import { pipelineOperations } from './pipelines.js';
import { presetOperations } from './presets.js';

export function transcoderOperations(c: TranscoderContext): Operations {
  return {
    ...pipelineOperations(c),
    ...presetOperations(c),
    ...jobOperations(c),
  };
}
