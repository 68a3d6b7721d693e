/**
 * transcode-video: a video lands in the upload bucket, S3 invokes this
 * function, and it asks Elastic Transcoder for the book's three renditions
 * (Generic 1080p, Generic 720p, Web) plus thumbnails, written by the
 * pipeline into the transcoded bucket under a folder named after the input
 * (`my clip.mp4` → `my clip/my clip-1080p.mp4`, ...).
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/create-job.html
 */
import { CreateJobCommand, ElasticTranscoderClient } from '@aws-sdk/client-elastic-transcoder';
import type { S3Event } from 'aws-lambda';
import { objectOf, withoutExtension } from './shared/events.js';

/** System presets the book uses; the suffix names the output file. */
export const RENDITIONS = [
  { suffix: '1080p', presetId: '1351620000001-000001' }, // System preset: Generic 1080p
  { suffix: '720p', presetId: '1351620000001-000010' }, // System preset: Generic 720p
  { suffix: 'web-720p', presetId: '1351620000001-100070' }, // System preset: Web
] as const;

const transcoder = new ElasticTranscoderClient({});

export const handler = async (event: S3Event): Promise<string[]> => {
  const pipelineId = process.env.ELASTIC_TRANSCODER_PIPELINE_ID;
  if (!pipelineId) throw new Error('ELASTIC_TRANSCODER_PIPELINE_ID is not set: the pipeline was not created');
  const jobs: string[] = [];
  for (const record of event.Records ?? []) {
    const { key } = objectOf(record);
    const outputKey = withoutExtension(key);
    const name = outputKey.slice(outputKey.lastIndexOf('/') + 1);
    const { Job } = await transcoder.send(
      new CreateJobCommand({
        PipelineId: pipelineId,
        OutputKeyPrefix: `${outputKey}/`,
        Input: { Key: key },
        Outputs: RENDITIONS.map((r) => ({
          Key: `${name}-${r.suffix}.mp4`,
          PresetId: r.presetId,
          // One set of thumbnails is enough for the list; the Web preset's are PNG.
          ...(r.suffix === 'web-720p' ? { ThumbnailPattern: `${name}-thumb-{count}` } : {}),
        })),
      }),
    );
    console.log(`job ${Job?.Id} transcodes ${JSON.stringify(key)} into ${JSON.stringify(`${outputKey}/`)}`);
    if (Job?.Id) jobs.push(Job.Id);
  }
  return jobs;
};
