/**
 * `npm run bench`: runs every benchmark and prints its table for docs/benchmarks.md.
 * BENCH_ONLY=edge, BENCH_ONLY=functions, BENCH_ONLY=s3, BENCH_ONLY=transcoder or BENCH_ONLY=sns runs one of them.
 */
import { benchEdge } from './edge.js';
import { benchFunctions } from './functions.js';
import { benchHttpApi } from './http-api.js';
import { benchS3 } from './s3.js';
import { benchSns } from './sns.js';
import { benchTranscoder } from './transcoder.js';

const only = process.env.BENCH_ONLY;
const started = new Date().toISOString();
console.log(`# Stratus benchmarks (${started})\n`);
if (!only || only === 'edge') {
  console.log('## Edge cost\n');
  console.log(await benchEdge());
}
if (!only || only === 'functions') {
  console.log('\n## Function engine\n');
  console.log(await benchFunctions());
}
if (!only || only === 'http-api') {
  console.log('\n## HTTP API\n');
  console.log(await benchHttpApi());
}
if (!only || only === 's3') {
  console.log('\n## S3\n');
  console.log(await benchS3());
}
if (!only || only === 'transcoder') {
  console.log('\n## Elastic Transcoder\n');
  console.log(await benchTranscoder());
}
if (!only || only === 'sns') {
  console.log('\n## SNS\n');
  console.log(await benchSns());
}
