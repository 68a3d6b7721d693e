/**
 * `stratus start --examples <dir>`: once the server is ready, runs each
 * example's deploy script (`<dir>/<name>/deploy.mjs`) against it with the
 * root keys, one after another, and passes on what they print (the URLs to
 * open). A failing example is reported and the server keeps running.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { processEnvironment } from '../server/config.js';

export interface ExampleTarget {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

export async function deployExamples(dir: string, target: ExampleTarget, print: (line: string) => void): Promise<{ deployed: string[]; failed: string[] }> {
  const root = resolve(dir);
  const names = existsSync(root) ? readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(root, d.name, 'deploy.mjs'))).map((d) => d.name).sort() : [];
  const deployed: string[] = [];
  const failed: string[] = [];
  for (const name of names) {
    print(`Deploying example ${name}...`);
    const code = await run(join(root, name, 'deploy.mjs'), target, (line) => print(`  ${line}`));
    (code === 0 ? deployed : failed).push(name);
    if (code !== 0) print(`  example ${name} failed to deploy (exit ${code}); Stratus keeps running.`);
  }
  return { deployed, failed };
}

function run(script: string, t: ExampleTarget, print: (line: string) => void): Promise<number | null> {
  const env = processEnvironment();
  return new Promise((done) => {
    const child = spawn(process.execPath, [script], {
      env: {
        PATH: env.PATH,
        HOME: env.HOME,
        AWS_ENDPOINT_URL: t.endpoint,
        AWS_ACCESS_KEY_ID: t.accessKeyId,
        AWS_SECRET_ACCESS_KEY: t.secretAccessKey,
        AWS_REGION: t.region,
        AWS_DEFAULT_REGION: t.region,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let pending = '';
    const onData = (d: Buffer) => {
      pending += d.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const l of lines) if (l.trim()) print(l);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => {
      print(String(err));
      done(1);
    });
    child.once('close', (code) => {
      if (pending.trim()) print(pending);
      done(code);
    });
  });
}
