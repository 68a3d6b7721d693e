/**
 * The storage contract suites every backend must pass: one for DocumentStore,
 * one for BlobStore (see `./types.ts`). A backend's test file calls them with
 * a factory that hands out a fresh, empty store and a cleanup; see
 * `./contract.test.ts`. They are plain node:test `describe/it` suites and
 * touch nothing but the public interfaces, so the cluster backend (PostgreSQL
 * + NATS JetStream) reuses them unchanged.
 */
export { runDocumentStoreContract, rejectsCondition, type ContractFactory, type ContractFixture } from './contract/documents.js';
export { runBlobStoreContract, readAll } from './contract/blobs.js';
