/**
 * `npm run bench`: runs every benchmark and prints its table for docs/benchmarks.md.
 * BENCH_ONLY=edge or BENCH_ONLY=functions runs one of them.
 */
import { benchEdge } from './edge.js';
import { benchFunctions } from './functions.js';

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
