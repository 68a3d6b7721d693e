/**
 * Preloaded (`node --require`) into every Node environment so that handlers written for the
 * legacy AWS SDK for JavaScript v2 reach Stratus unchanged. SDK v3, boto3 and the CLI honour
 * AWS_ENDPOINT_URL (https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html);
 * SDK v2 never read it. Every entry point of v2 (`aws-sdk`, `aws-sdk/global`,
 * `aws-sdk/clients/*`) first requires `lib/node_loader`, which builds the global `AWS.config`;
 * when that module finishes loading we set `AWS.config.endpoint` and `s3ForcePathStyle` from
 * AWS_ENDPOINT_URL (read at that moment, so the function's own value wins). A service client
 * created with an explicit `endpoint` still uses its own.
 */
'use strict';

const Module = require('node:module');
const path = require('node:path');

const originalLoad = Module._load;
let patched = false;

Module._load = function load(request, parent, isMain) {
  const exported = originalLoad.apply(this, arguments);
  if (!patched && typeof request === 'string' && request.endsWith('node_loader')) {
    try {
      const file = Module._resolveFilename(request, parent, isMain);
      // node_loader requires SDK clients that require it back: only its outermost load has
      // finished, and set the AWS.config that will stay.
      if (/[\\/]aws-sdk[\\/]lib[\\/]node_loader\.js$/.test(file) && require.cache[file] && require.cache[file].loaded) {
        const core = require.cache[path.join(path.dirname(file), 'core.js')];
        const AWS = core && core.exports;
        const endpoint = process.env.AWS_ENDPOINT_URL;
        if (AWS && AWS.config && typeof AWS.config.update === 'function') {
          patched = true;
          if (endpoint) AWS.config.update({ endpoint, s3ForcePathStyle: true });
        }
      }
    } catch {
      // Not the SDK we know: leave it alone.
    }
  }
  return exported;
};
