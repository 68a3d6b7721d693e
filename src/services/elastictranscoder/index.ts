/**
 * Amazon Elastic Transcoder, which AWS retired on 2025-11-13, run for real on
 * ffmpeg: pipelines, system and custom presets, jobs kept durably in the
 * DocumentStore, and workers (runner.ts) that read inputs from S3 and write
 * outputs, thumbnails and HLS playlists back through S3 as the pipeline's
 * role, publishing the job's notifications to SNS.
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/introduction.html
 */
import type { ServiceDefinition } from '../types.js';
import type { TranscoderContext, TranscoderDeps } from './common.js';
import { configureBinaries } from './ffmpeg.js';
import { transcoderOperations } from './provider.js';
import { startRunner, type Runner, type RunnerOptions } from './runner.js';

export type { TranscoderDeps, TranscoderNotifier, TranscoderObjects } from './common.js';
export type { Runner, RunnerOptions } from './runner.js';
export { SYSTEM_PRESETS } from './system-presets.js';

export interface TranscoderService extends ServiceDefinition {
  /**
   * Starts the workers (and recovers jobs an earlier process left unfinished).
   * `searchPath`: the PATH in which to look for ffmpeg/ffprobe before the
   * packaged binaries.
   */
  startWorkers(options: RunnerOptions & { searchPath?: string }): Promise<Runner>;
}

export function createElasticTranscoderService(deps: TranscoderDeps): TranscoderService {
  let runner: Runner | undefined;
  const c: TranscoderContext = { deps, wake: () => runner?.wake() };
  return {
    name: 'elastictranscoder',
    signingName: 'elastictranscoder',
    actionPrefix: 'elastictranscoder',
    operations: transcoderOperations(c),
    async startWorkers(options) {
      configureBinaries({ searchPath: options.searchPath });
      const started = await startRunner(c, options);
      runner = started;
      return {
        wake: () => started.wake(),
        async close() {
          if (runner === started) runner = undefined;
          await started.close();
        },
      };
    },
  };
}
