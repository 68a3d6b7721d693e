/** `npm run bench`: runs every benchmark and prints its table for docs/benchmarks.md. */
import { benchEdge } from './edge.js';

const started = new Date().toISOString();
console.log(`# Stratus benchmarks (${started})\n`);
console.log('## Edge cost\n');
console.log(await benchEdge());
