/**
 * Mail other AWS services send through SES on Stratus (SNS's email and
 * email-json subscriptions): the bytes go to the BlobStore at once, and the
 * writes that put the message in the inbox (and in the relay's outbox, when a
 * relay is configured) come back uncommitted, for the sender to commit with
 * its own (SNS removes its delivery row in the same batch). Such mail is not
 * counted against the account's SES sending quota.
 */
import type { WriteOp } from '../../storage/types.js';
import { newMessageId, sesContext, type SesDeps } from './common.js';
import { messageDoc, putMessageOp } from './inbox.js';
import { normalizeLineEndings } from './mime-parse.js';
import { enqueueOp, notifyQueued } from './outbox.js';

export interface MailDropMeta {
  accountId: string;
  region: string;
  /** Shown in the inbox as `<service>:<operation>` (default sns:Publish). */
  service?: 'sns';
  operation?: string;
}

export interface MailDrop {
  acceptOps(raw: Buffer, from: string, to: string[], meta?: MailDropMeta): Promise<WriteOp[]>;
  notifyQueued(): void;
}

export function createMailDrop(deps: SesDeps, fallback: { accountId: string; region: string }): MailDrop {
  const c = sesContext(deps);
  return {
    async acceptOps(raw, from, to, meta) {
      const normalized = normalizeLineEndings(raw);
      const bytes = normalized.subarray(-2).toString('latin1') === '\r\n' ? normalized : Buffer.concat([normalized, Buffer.from('\r\n')]);
      const now = c.now();
      const doc = messageDoc(
        { id: newMessageId(now), accountId: meta?.accountId || fallback.accountId, region: meta?.region || fallback.region, service: meta?.service ?? 'sns', operation: meta?.operation ?? 'Publish', timestamp: now, envelope: { from, recipients: to } },
        bytes,
        deps.relay,
      );
      await deps.blobs.write(doc.blobKey, bytes);
      return deps.relay ? [putMessageOp(doc), enqueueOp(doc.id, now)] : [putMessageOp(doc)];
    },
    notifyQueued: () => {
      if (deps.relay) notifyQueued();
    },
  };
}
