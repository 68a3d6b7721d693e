/**
 * The SNS notifications of a job's states, in the format AWS sent them
 * (reconstructed from AWS's documentation and from messages users recorded):
 *  - Subject "Amazon Elastic Transcoder has scheduled job <id> for transcoding."
 *    (PROGRESSING) and "... has finished transcoding job <id>." (COMPLETED),
 *    both seen verbatim; the ERROR and WARNING subjects are Stratus's wording
 *    in the same style;
 *  - Message: Jackson's pretty print (`"state" : "COMPLETED"`, `[ {` ... `} ]`)
 *    of {state, errorCode, messageDetails, version "2012-09-25", jobId,
 *    pipelineId, input (members as the job was created, lower camel case),
 *    inputCount, outputKeyPrefix, outputs[] (id, presetId, key,
 *    thumbnailPattern, rotate, segmentDuration as a number, status,
 *    statusDetail, errorCode, duration, width, height), playlists[],
 *    userMetadata}, members absent when unset;
 *  - messageDetails / statusDetail "<code> <uuid>: <text>".
 * https://docs.aws.amazon.com/elastictranscoder/latest/developerguide/notifications.html
 */
import type { JobDoc } from './common.js';

export type NotificationState = 'PROGRESSING' | 'COMPLETED' | 'WARNING' | 'ERROR';

/** Which pipeline Notifications member a state publishes to. */
export const STATE_TOPIC = { PROGRESSING: 'Progressing', COMPLETED: 'Completed', WARNING: 'Warning', ERROR: 'Error' } as const;

export function subjectFor(state: NotificationState, jobId: string): string {
  switch (state) {
    case 'PROGRESSING':
      return `Amazon Elastic Transcoder has scheduled job ${jobId} for transcoding.`;
    case 'COMPLETED':
      return `Amazon Elastic Transcoder has finished transcoding job ${jobId}.`;
    case 'WARNING':
      return `Amazon Elastic Transcoder has encountered a warning while transcoding job ${jobId}.`;
    default:
      return `Amazon Elastic Transcoder has encountered an error while transcoding job ${jobId}.`;
  }
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function camel(o: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    out[lowerFirst(k)] = v && typeof v === 'object' && !Array.isArray(v) ? camel(v as Record<string, unknown>) : v;
  }
  return out;
}

/** A Java double prints with a fraction ("10.0"): the segment duration is one. */
class JavaDouble {
  constructor(readonly value: number) {}
  toString(): string {
    return Number.isInteger(this.value) ? this.value.toFixed(1) : String(this.value);
  }
}

export function notificationMessage(state: NotificationState, job: JobDoc): Record<string, unknown> {
  const { DetectedProperties: _detected, ...input } = job.Input;
  const msg: Record<string, unknown> = { state };
  if (state === 'ERROR' || state === 'WARNING') {
    if (job.errorCode !== undefined) msg.errorCode = job.errorCode;
    if (job.messageDetails !== undefined) msg.messageDetails = job.messageDetails;
  }
  Object.assign(msg, { version: '2012-09-25', jobId: job.Id, pipelineId: job.PipelineId, input: camel(input), inputCount: 1 });
  if (job.OutputKeyPrefix) msg.outputKeyPrefix = job.OutputKeyPrefix;
  msg.outputs = job.Outputs.map((o) => {
    const out: Record<string, unknown> = { id: o.Id, presetId: o.PresetId, key: o.Key };
    if (o.ThumbnailPattern !== undefined) out.thumbnailPattern = o.ThumbnailPattern;
    if (o.Rotate !== undefined) out.rotate = o.Rotate;
    if (o.SegmentDuration !== undefined) out.segmentDuration = new JavaDouble(Number(o.SegmentDuration));
    out.status = o.Status;
    if (o.StatusDetail) out.statusDetail = o.StatusDetail;
    if (o.errorCode !== undefined) out.errorCode = o.errorCode;
    if (o.Duration !== undefined) out.duration = o.Duration;
    if (o.Width !== undefined) out.width = o.Width;
    if (o.Height !== undefined) out.height = o.Height;
    return out;
  });
  if (job.Playlists?.length) msg.playlists = job.Playlists.map((p) => camel({ Name: p.Name, Format: p.Format, OutputKeys: p.OutputKeys, Status: p.Status, StatusDetail: p.StatusDetail }));
  if (job.UserMetadata && Object.keys(job.UserMetadata).length) msg.userMetadata = { ...job.UserMetadata };
  return msg;
}

/** Jackson's DefaultPrettyPrinter layout, which is what ETS's messages look like. */
export function jacksonPretty(value: unknown, indent = ''): string {
  if (value instanceof JavaDouble) return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[ ]';
    return `[ ${value.map((v) => jacksonPretty(v, indent)).join(', ')} ]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{ }';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)} : ${jacksonPretty(v, inner)}`).join(',\n')}\n${indent}}`;
}

export function renderNotification(state: NotificationState, job: JobDoc): { subject: string; message: string } {
  return { subject: subjectFor(state, job.Id), message: jacksonPretty(notificationMessage(state, job)) };
}
