/**
 * Deployment packages for end-to-end tests: the engine's own test zip writer
 * (deflate, Unix modes, symlinks), with `content` naming an entry's bytes.
 */
import { makeZip as writeZip, type ZipEntry as EngineZipEntry } from '../../src/functions/test-support.js';

/** An entry's content, or its content and Unix mode (a custom runtime's bootstrap needs 0o755). */
export type ZipEntry = string | Buffer | { content: string | Buffer; mode?: number };

export function makeZip(files: Record<string, ZipEntry>): Buffer {
  const entries: Record<string, EngineZipEntry> = {};
  for (const [name, e] of Object.entries(files)) entries[name] = typeof e === 'string' || Buffer.isBuffer(e) ? e : { data: e.content, mode: e.mode };
  return writeZip(entries);
}
