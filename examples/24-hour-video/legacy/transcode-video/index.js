/**
 * transcode-video the way the book wrote it: CommonJS, the legacy `aws-sdk`
 * (v2) that Lambda's Node.js runtimes used to bundle, and a callback. It
 * runs on Stratus without a change: Stratus's Node runtime resolves
 * `require('aws-sdk')` and points v2 at Stratus (runtimes/README.md).
 * Deploy it in place of the TypeScript version with
 *   node examples/24-hour-video/deploy.mjs --legacy
 */
'use strict';

var AWS = require('aws-sdk');

var elasticTranscoder = new AWS.ElasticTranscoder({
  region: process.env.AWS_REGION
});

exports.handler = function (event, context, callback) {
  console.log('Welcome');

  var key = event.Records[0].s3.object.key;

  // S3 encodes the key in the event: spaces arrive as '+', other characters as %XX.
  var sourceKey = decodeURIComponent(key.replace(/\+/g, ' '));

  // Remove the extension.
  var outputKey = sourceKey.replace(/\.[^./]*$/, '');
  var name = outputKey.split('/').pop();

  var params = {
    PipelineId: process.env.ELASTIC_TRANSCODER_PIPELINE_ID,
    OutputKeyPrefix: outputKey + '/',
    Input: {
      Key: sourceKey
    },
    Outputs: [
      {
        Key: name + '-1080p' + '.mp4',
        PresetId: '1351620000001-000001' // Generic 1080p
      },
      {
        Key: name + '-720p' + '.mp4',
        PresetId: '1351620000001-000010' // Generic 720p
      },
      {
        Key: name + '-web-720p' + '.mp4',
        PresetId: '1351620000001-100070', // Web Friendly 720p
        ThumbnailPattern: name + '-thumb-{count}'
      }
    ]
  };

  elasticTranscoder.createJob(params, function (error, data) {
    if (error) {
      callback(error);
      return;
    }
    console.log('Elastic Transcoder job ' + data.Job.Id + ' created for ' + sourceKey);
    callback(null, data.Job.Id);
  });
};
