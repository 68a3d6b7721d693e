/**
 * Accepting a message: its bytes go to the BlobStore first, then one atomic
 * batch writes the inbox document, the sending statistics and (with a relay)
 * the outbox entry, so an acknowledged message is always both counted and
 * queued. Statistics are read-modify-write under a version condition; a
 * concurrent sender makes the batch fail and it is simply tried again.
 */
import type { RequestContext } from '../../core/context.js';
import { ConditionFailedError, type WriteOp } from '../../storage/types.js';
import type { SesContext } from './common.js';
import { messageDoc, putMessageOp, type MessageDoc } from './inbox.js';
import { normalizeLineEndings } from './mime-parse.js';
import { enqueueOp, notifyQueued } from './outbox.js';
import { countOp } from './stats.js';

export interface Accepted {
  id: string;
  service: 'ses' | 'sesv2';
  operation: string;
  raw: Buffer;
  envelope: { from: string; recipients: string[] };
  kind?: 'verification';
  /** Recipients counted against the quota (0 for SES's own mails). */
  counted: number;
}

export async function accept(c: SesContext, ctx: Pick<RequestContext, 'accountId' | 'region'>, m: Accepted): Promise<MessageDoc> {
  // SMTP carries only CRLF lines and ends the data with one; storing it so makes the relayed bytes the stored bytes.
  const normalized = normalizeLineEndings(m.raw);
  const raw = normalized.subarray(-2).toString('latin1') === '\r\n' ? normalized : Buffer.concat([normalized, Buffer.from('\r\n')]);
  const now = c.now();
  const doc = messageDoc(
    { id: m.id, accountId: ctx.accountId, region: ctx.region, service: m.service, operation: m.operation, timestamp: now, envelope: m.envelope, ...(m.kind ? { kind: m.kind } : {}) },
    raw,
    c.deps.relay,
  );
  await c.deps.blobs.write(doc.blobKey, raw);
  for (let attempt = 0; ; attempt++) {
    const ops: WriteOp[] = [putMessageOp(doc)];
    if (m.counted > 0) ops.push(await countOp(c, ctx, m.counted));
    if (c.deps.relay) ops.push(enqueueOp(doc.id, now));
    try {
      await c.deps.store.batch(ops);
      break;
    } catch (err) {
      if (!(err instanceof ConditionFailedError) || attempt >= 20) throw err;
    }
  }
  if (c.deps.relay) notifyQueued();
  return doc;
}
