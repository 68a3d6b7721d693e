/**
 * How jobs are kept: the job document, two listing indexes (by pipeline, by
 * status) and the `active` table of unfinished jobs that the workers take
 * their work from. Every status change rewrites the job conditionally on the
 * version that was read and moves its index entries in the same batch, so
 * two processes never both start, finish or cancel the same job, and the
 * indexes never disagree with the job.
 */
import { ConditionFailedError, type DocumentStore, type WriteOp } from '../../storage/types.js';
import { ownerKey, TABLES, type ActiveDoc, type JobDoc, type JobStatus } from './common.js';

export function jobKey(job: { accountId: string; region: string; Id: string }): string {
  return ownerKey(job, job.Id);
}

function statusKey(job: JobDoc, status: JobStatus): string {
  return ownerKey(job, `${status}/${job.Id}`);
}

export function activeDoc(job: JobDoc): ActiveDoc {
  return { accountId: job.accountId, region: job.region, pipelineId: job.PipelineId, status: job.Status as ActiveDoc['status'], presetIds: [...new Set(job.Outputs.map((o) => o.PresetId))] };
}

/** The writes that create a Submitted job. */
export function createOps(job: JobDoc): WriteOp[] {
  return [
    { op: 'put', table: TABLES.jobs, key: jobKey(job), value: job, condition: { ifNotExists: true } },
    { op: 'put', table: TABLES.jobsByPipeline, key: ownerKey(job, `${job.PipelineId}/${job.Id}`), value: {} },
    { op: 'put', table: TABLES.jobsByStatus, key: statusKey(job, job.Status), value: {} },
    { op: 'put', table: TABLES.active, key: job.Id, value: activeDoc(job) },
  ];
}

/**
 * The writes that replace `before` (read at `version`) with `after`: the
 * job itself, conditionally, and the status index and active entry when the
 * status changed.
 */
export function transitionOps(before: JobDoc, version: number, after: JobDoc): WriteOp[] {
  const ops: WriteOp[] = [{ op: 'put', table: TABLES.jobs, key: jobKey(after), value: after, condition: { ifVersion: version } }];
  if (before.Status !== after.Status) {
    ops.push({ op: 'delete', table: TABLES.jobsByStatus, key: statusKey(before, before.Status) });
    ops.push({ op: 'put', table: TABLES.jobsByStatus, key: statusKey(after, after.Status), value: {} });
  }
  if (after.Status === 'Submitted' || after.Status === 'Progressing') ops.push({ op: 'put', table: TABLES.active, key: after.Id, value: activeDoc(after) });
  else ops.push({ op: 'delete', table: TABLES.active, key: after.Id });
  return ops;
}

export async function readJob(store: DocumentStore, owner: { accountId: string; region: string }, id: string): Promise<{ job: JobDoc; version: number } | undefined> {
  const found = await store.get<JobDoc>(TABLES.jobs, ownerKey(owner, id));
  return found ? { job: found.value, version: found.version } : undefined;
}

/**
 * Commits a transition. 'conflict': another writer changed the job first;
 * 'stale': a condition elsewhere failed (a notification's topic vanished).
 */
export async function commit(store: DocumentStore, ops: WriteOp[]): Promise<'ok' | 'conflict' | 'stale'> {
  try {
    await store.batch(ops);
    return 'ok';
  } catch (err) {
    if (err instanceof ConditionFailedError) return err.table === TABLES.jobs ? 'conflict' : 'stale';
    throw err;
  }
}
