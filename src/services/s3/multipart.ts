import type { Operations, S3Context } from './common.js';

// Placeholder until this file is written (same session).
export function multipartOperations(_c: S3Context): Operations {
  return {};
}
