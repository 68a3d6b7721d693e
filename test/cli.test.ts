/**
 * The `stratus` command as a user meets it: --help documents every option,
 * the first start generates, stores and prints root keys and writes the
 * `stratus` AWS CLI profile (without touching other profiles), and flags,
 * STRATUS_* variables and a config file all configure it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { OPTIONS } from '../src/core/config.js';
import { clientConfig, removeDir, REPO, startChildServer, tempDir } from './harness.js';

const run = promisify(execFile);
const CLI = [ '--import', 'tsx', join(REPO, 'src/cli/bin.ts')];

describe('stratus CLI', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const d = tempDir();
    dirs.push(d);
    return d;
  };
  after(() => dirs.forEach(removeDir));

  it('start --help: documents every option with its flag and environment variable', async () => {
    const { stdout } = await run(process.execPath, [...CLI, 'start', '--help'], { cwd: REPO });
    for (const o of OPTIONS) {
      assert.ok(stdout.includes(`--${o.flag}`), `--${o.flag} missing from help`);
      assert.ok(stdout.includes(o.env), `${o.env} missing from help`);
    }
    assert.match(stdout, /--config <file>/);
  });

  it('start: an unknown option exits 2 with a message', async () => {
    await assert.rejects(run(process.execPath, [...CLI, 'start', '--no-such-flag'], { cwd: REPO }), (e: { code: number; stderr: string }) => {
      assert.equal(e.code, 2);
      assert.match(e.stderr, /no-such-flag/);
      return true;
    });
  });

  it('start: first start prints new root keys and writes the stratus profile that `aws --profile stratus` uses, keeping other profiles', async () => {
    const home = fresh();
    mkdirSync(join(home, '.aws'));
    writeFileSync(join(home, '.aws', 'config'), '[default]\nregion = eu-west-1\n\n[profile other]\nregion = ap-south-1\n');
    writeFileSync(join(home, '.aws', 'credentials'), '[default]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = othersecret\n');
    const server = await startChildServer(['--data-dir', join(home, 'data')], { HOME: home });
    let firstKey: string;
    try {
      const out = server.output();
      const key = /aws_access_key_id\s+=\s+(\S+)/.exec(out)?.[1];
      const secret = /aws_secret_access_key\s+=\s+(\S+)/.exec(out)?.[1];
      assert.ok(key && secret, out);
      firstKey = key;
      const config = readFileSync(join(home, '.aws', 'config'), 'utf8');
      const creds = readFileSync(join(home, '.aws', 'credentials'), 'utf8');
      assert.match(config, /\[default\]\nregion = eu-west-1/);
      assert.match(config, /\[profile other\]\nregion = ap-south-1/);
      assert.match(config, new RegExp(`\\[profile stratus\\][^[]*endpoint_url = ${server.url.replace(/[.]/g, '\\.')}`));
      assert.match(creds, /\[default\]\naws_access_key_id = AKIAOTHER/);
      assert.match(creds, new RegExp(`\\[stratus\\]\naws_access_key_id = ${key}\naws_secret_access_key = ${secret.replace(/[+/]/g, '\\$&')}`));
      const { stdout } = await run('aws', ['--profile', 'stratus', 'sts', 'get-caller-identity'], { env: { PATH: process.env.PATH, HOME: home } });
      assert.equal(JSON.parse(stdout).Arn, 'arn:aws:iam::000000000000:root');
    } finally {
      await server.stop();
    }
    // A second start reuses the stored keys and does not print the secret again.
    const again = await startChildServer(['--data-dir', join(home, 'data')], { HOME: home });
    try {
      assert.doesNotMatch(again.output(), /aws_secret_access_key/);
      assert.match(again.output(), new RegExp(`Root access key id: ${firstKey}`));
    } finally {
      await again.stop();
    }
  });

  it('start --no-profile: leaves ~/.aws alone', async () => {
    const home = fresh();
    const server = await startChildServer(['--no-profile', '--data-dir', join(home, 'data')], { HOME: home });
    await server.stop();
    assert.throws(() => readFileSync(join(home, '.aws', 'config')), /ENOENT/);
  });

  it('start: STRATUS_* variables and a JSON config file configure root keys and the account id', async () => {
    const home = fresh();
    const file = join(home, 'stratus.json');
    writeFileSync(file, JSON.stringify({ accountId: '111122223333', logLevel: 'warn' }));
    const creds = { accessKeyId: 'AKIAFROMENVIRONMENT1', secretAccessKey: 'secret-from-the-environment-000000000000' };
    const server = await startChildServer(['--config', file], {
      HOME: home,
      STRATUS_DATA_DIR: join(home, 'data'),
      STRATUS_PROFILE: 'false',
      STRATUS_ROOT_ACCESS_KEY_ID: creds.accessKeyId,
      STRATUS_ROOT_SECRET_ACCESS_KEY: creds.secretAccessKey,
    });
    try {
      const id = await new STSClient(clientConfig(server, creds)).send(new GetCallerIdentityCommand({}));
      assert.equal(id.Account, '111122223333');
      assert.equal(id.Arn, 'arn:aws:iam::111122223333:root');
    } finally {
      await server.stop();
    }
  });
});
