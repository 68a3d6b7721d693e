/**
 * Runs the storage contract suites against the embedded backend (SQLite
 * documents and file blobs, each case in its own temp directory) and the
 * document suite against the in-memory reference store.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBlobStoreContract, runDocumentStoreContract } from './contract.js';
import { openEmbeddedStorage } from './embedded.js';
import { FileBlobStore } from './files/blobs.js';
import { MemoryDocumentStore } from './memory.js';
import { SqliteDocumentStore } from './sqlite/documents.js';

async function tempDir(): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'stratus-contract-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

runDocumentStoreContract('memory', async () => ({ store: new MemoryDocumentStore(), cleanup: async () => undefined }));

runDocumentStoreContract('sqlite', async () => {
  const { dir, remove } = await tempDir();
  const store = await SqliteDocumentStore.open(join(dir, 'stratus.db'));
  return { store, cleanup: async () => (await store.close(), await remove()) };
});

runDocumentStoreContract('sqlite (synchronous=normal)', async () => {
  const { dir, remove } = await tempDir();
  const store = await SqliteDocumentStore.open(join(dir, 'stratus.db'), { synchronous: 'normal' });
  return { store, cleanup: async () => (await store.close(), await remove()) };
});

runBlobStoreContract('files', async () => {
  const { dir, remove } = await tempDir();
  const store = await FileBlobStore.open(join(dir, 'blobs'));
  return { store, cleanup: remove };
});

runDocumentStoreContract('embedded storage', async () => {
  const { dir, remove } = await tempDir();
  const storage = await openEmbeddedStorage({ dataDir: dir });
  return { store: storage.documents, cleanup: async () => (await storage.close(), await remove()) };
});

runBlobStoreContract('embedded storage', async () => {
  const { dir, remove } = await tempDir();
  const storage = await openEmbeddedStorage({ dataDir: dir });
  return { store: storage.blobs, cleanup: async () => (await storage.close(), await remove()) };
});
