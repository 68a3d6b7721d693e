import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobDoc } from './common.js';
import { jacksonPretty, renderNotification } from './notifications.js';
import { systemPreset } from './system-presets.js';

const job: JobDoc = {
  Id: '1388444889472-t01s28',
  Arn: 'arn:aws:elastictranscoder:us-east-1:123456789012:job/1388444889472-t01s28',
  accountId: '123456789012',
  region: 'us-east-1',
  PipelineId: '1388440953452-e68d71',
  Input: { Key: 'in.mp4', DetectedProperties: { Width: 640 } },
  OutputKeyPrefix: 'hls-small/',
  Outputs: [{ Id: '1', Key: 'hls-small-400k', ThumbnailPattern: '', Rotate: 'auto', PresetId: '1351620000001-200050', SegmentDuration: '10', Status: 'Complete', Duration: 6, Width: 400, Height: 228, preset: systemPreset('1351620000001-200050')! }],
  Playlists: [{ Name: 'hls-small-master', Format: 'HLSv3', OutputKeys: ['hls-small-400k'], Status: 'Complete' }],
  Status: 'Complete',
  Timing: { SubmitTimeMillis: 1 },
};

describe('Elastic Transcoder notifications', () => {
  it('render as ETS sent them: subject, Jackson layout, segmentDuration as a double, no detected properties', () => {
    const { subject, message } = renderNotification('COMPLETED', job);
    assert.equal(subject, 'Amazon Elastic Transcoder has finished transcoding job 1388444889472-t01s28.');
    assert.equal(
      message,
      [
        '{',
        '  "state" : "COMPLETED",',
        '  "version" : "2012-09-25",',
        '  "jobId" : "1388444889472-t01s28",',
        '  "pipelineId" : "1388440953452-e68d71",',
        '  "input" : {',
        '    "key" : "in.mp4"',
        '  },',
        '  "inputCount" : 1,',
        '  "outputKeyPrefix" : "hls-small/",',
        '  "outputs" : [ {',
        '    "id" : "1",',
        '    "presetId" : "1351620000001-200050",',
        '    "key" : "hls-small-400k",',
        '    "thumbnailPattern" : "",',
        '    "rotate" : "auto",',
        '    "segmentDuration" : 10.0,',
        '    "status" : "Complete",',
        '    "duration" : 6,',
        '    "width" : 400,',
        '    "height" : 228',
        '  } ],',
        '  "playlists" : [ {',
        '    "name" : "hls-small-master",',
        '    "format" : "HLSv3",',
        '    "outputKeys" : [ "hls-small-400k" ],',
        '    "status" : "Complete"',
        '  } ]',
        '}',
      ].join('\n'),
    );
    assert.equal(JSON.parse(message).outputs[0].segmentDuration, 10);
  });

  it('carry errorCode and messageDetails in ERROR; PROGRESSING has its own subject', () => {
    const failed: JobDoc = { ...job, Status: 'Error', errorCode: 3001, messageDetails: '3001 x: missing', UserMetadata: { a: 'b' } };
    const m = JSON.parse(renderNotification('ERROR', failed).message);
    assert.deepEqual([m.state, m.errorCode, m.messageDetails, m.userMetadata], ['ERROR', 3001, '3001 x: missing', { a: 'b' }]);
    assert.equal(JSON.parse(renderNotification('COMPLETED', failed).message).errorCode, undefined);
    assert.equal(renderNotification('PROGRESSING', job).subject, 'Amazon Elastic Transcoder has scheduled job 1388444889472-t01s28 for transcoding.');
    assert.equal(jacksonPretty({ a: [], b: {} }), '{\n  "a" : [ ],\n  "b" : { }\n}');
  });
});
