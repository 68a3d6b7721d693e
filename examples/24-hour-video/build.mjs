/**
 * Builds the deployment packages: each function in functions/*.ts is bundled
 * by esbuild, with the AWS SDK v3 clients it imports, into one CommonJS
 * `index.js` (handler `index.handler`), then zipped with ../zip.mjs. The SDK
 * goes in the bundle rather than being left to the runtime: Lambda's Node
 * runtimes ship an SDK of their own version, and Stratus's stands in with
 * whatever its own node_modules hold (the Elastic Transcoder client is not
 * among them), so a bundle runs the same everywhere.
 *
 *   node examples/24-hour-video/build.mjs   (writes build/<function>.zip)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { zipFiles } from '../zip.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

export const FUNCTIONS = ['transcode-video', 'set-permissions', 'extract-metadata', 'get-video-list', 'get-upload-policy'];

/** The bundled handler of one function, as the text of index.js. */
export async function bundle(name) {
  const result = await build({
    entryPoints: [join(HERE, 'functions', `${name}.ts`)],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile: 'index.js',
    write: false,
    minifySyntax: true,
    minifyWhitespace: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'silent',
    tsconfig: join(HERE, 'tsconfig.json'),
  });
  return result.outputFiles[0].text;
}

/** name → deployment package (zip bytes) of every function. */
export async function buildPackages() {
  const out = {};
  for (const name of FUNCTIONS) out[name] = zipFiles({ 'index.js': await bundle(name) });
  return out;
}

/** The book's transcode-video on aws-sdk v2, zipped as it is. */
export function legacyPackage() {
  return zipFiles({ 'index.js': readFileSync(join(HERE, 'legacy/transcode-video/index.js')) });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = join(HERE, 'build');
  mkdirSync(dir, { recursive: true });
  for (const [name, zip] of Object.entries(await buildPackages())) {
    writeFileSync(join(dir, `${name}.zip`), zip);
    console.log(`${name}.zip\t${zip.length} bytes`);
  }
}
