/**
 * Restart durability: the real CLI is killed with SIGKILL in the middle of a
 * stream of CreateUser calls. After a restart on the same data directory,
 * every user whose creation was acknowledged exists, and the database
 * passes SQLite's integrity check.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { CreateUserCommand, IAMClient, paginateListUsers } from '@aws-sdk/client-iam';
import { openEmbeddedStorage } from '../src/storage/embedded.js';
import { ACCOUNT, clientConfig, removeDir, ROOT_KEY, startChildServer, tempDir } from './harness.js';

const ARGS = (dataDir: string) => ['--data-dir', dataDir, '--account-id', ACCOUNT, '--no-profile', '--log-level', 'warn', '--root-access-key-id', ROOT_KEY.accessKeyId, '--root-secret-access-key', ROOT_KEY.secretAccessKey];

describe('durability', () => {
  const dataDir = tempDir();
  after(() => removeDir(dataDir));

  it('CreateUser: every acknowledged user survives kill -9 of the server, and the database is intact', async () => {
    const first = await startChildServer(ARGS(dataDir));
    const iam = new IAMClient(clientConfig(first));
    const acknowledged: string[] = [];
    let stop = false;
    let failures = 0;
    // Four writers keep several requests in flight when the kill lands.
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        const name = `user-${w}-${i}`;
        try {
          await iam.send(new CreateUserCommand({ UserName: name }));
          acknowledged.push(name);
        } catch {
          failures++;
          return;
        }
      }
    });
    while (acknowledged.length < 150) await new Promise((r) => setTimeout(r, 10));
    await first.stop('SIGKILL');
    stop = true;
    await Promise.all(writers);
    assert.ok(failures > 0 || acknowledged.length > 0);

    const second = await startChildServer(ARGS(dataDir));
    try {
      const names = new Set<string>();
      for await (const page of paginateListUsers({ client: new IAMClient(clientConfig(second)) }, { MaxItems: 100 })) {
        for (const u of page.Users ?? []) names.add(u.UserName!);
      }
      const missing = acknowledged.filter((n) => !names.has(n));
      assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged users were lost`);
    } finally {
      await second.stop();
    }
    const storage = await openEmbeddedStorage({ dataDir });
    try {
      assert.deepEqual(await storage.checkIntegrity(), []);
    } finally {
      await storage.close();
    }
  });
});
