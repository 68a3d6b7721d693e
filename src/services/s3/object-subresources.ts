import type { Operations, S3Context } from './common.js';

// Placeholder until this file is written (same session).
export function objectSubresourceOperations(_c: S3Context): Operations {
  return {};
}
