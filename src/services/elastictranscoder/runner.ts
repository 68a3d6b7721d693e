/**
 * The workers: a bounded number of jobs run at once (--transcoder-workers).
 * Work comes from the `active` table in submission order. A worker claims a
 * Submitted job of an Active pipeline by rewriting it to Progressing with a
 * lease, conditionally on the version it read, in the same batch as the
 * PROGRESSING notification; it renews the lease while ffmpeg runs and ends
 * the job (Complete or Error, with its notification) the same way. So two
 * processes never run one job, and a notification is never lost or sent for
 * a state that did not commit.
 *
 * Crash recovery: a Progressing job whose lease has run out (or, on embedded
 * storage, which only one process opens, any lease left by an earlier
 * process) is run again from the start, without a second PROGRESSING
 * notification; one that had begun uploading ends in Error (9001) rather than
 * be written twice. Work directories of dead attempts are removed at start.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../core/logger.js';
import type { WriteOp } from '../../storage/types.js';
import { TABLES, type ActiveDoc, type JobDoc, type PipelineDoc, type TranscoderContext } from './common.js';
import { JOB_ERRORS } from './errors.js';
import { executeJob } from './execute.js';
import { commit, readJob, transitionOps } from './job-store.js';
import { renderNotification, STATE_TOPIC, type NotificationState } from './notifications.js';
import { findPipeline } from './pipelines.js';
import { roleFromArn, roleSession } from './roles.js';

export interface RunnerOptions {
  workers: number;
  /** Parent of the jobs' work directories (under the data directory). */
  workDir: string;
  log: Logger;
  /** Only this process opens the storage (embedded): leases of other owners belong to dead processes. */
  exclusive: boolean;
  leaseMs?: number;
  pollMs?: number;
}

export interface Runner {
  wake(): void;
  /** Stops taking jobs and kills running ffmpegs; their jobs are picked up again at the next start. */
  close(): Promise<void>;
}

interface Running {
  abort: AbortController;
  done: Promise<void>;
}

/**
 * An ffmpeg started by a Stratus that was killed keeps running; each attempt's
 * directory records its pid, and the process is ended only if it still is an
 * ffmpeg writing into that directory (a recycled pid is left alone).
 */
async function endOrphans(workDir: string): Promise<void> {
  const dirs = await readdir(workDir).catch(() => [] as string[]);
  for (const name of dirs) {
    const dir = join(workDir, name);
    const pid = Number(await readFile(join(dir, 'ffmpeg.pid'), 'utf8').catch(() => ''));
    if (!Number.isInteger(pid) || pid <= 0) continue;
    const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes(dir)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

export async function startRunner(c: TranscoderContext, o: RunnerOptions): Promise<Runner> {
  const owner = randomUUID();
  const leaseMs = o.leaseMs ?? 30_000;
  const pollMs = o.pollMs ?? 1000;
  const store = c.deps.store;
  const running = new Map<string, Running>();
  let closed = false;
  let scanning = false;
  let again = false;
  let timer: NodeJS.Timeout | undefined;
  let scanDone: Promise<void> = Promise.resolve();

  // Nothing of a dead process's attempts is worth keeping: every job restarts from its input.
  if (o.exclusive) {
    await endOrphans(o.workDir);
    await rm(o.workDir, { recursive: true, force: true }).catch(() => undefined);
  }
  await mkdir(o.workDir, { recursive: true });

  async function notificationOps(state: NotificationState, job: JobDoc, pipeline: PipelineDoc | undefined): Promise<WriteOp[]> {
    const topic = pipeline?.Notifications[STATE_TOPIC[state]];
    if (!pipeline || !topic) return [];
    if (!c.deps.notifier) {
      o.log.info('SNS is not wired: Elastic Transcoder notification dropped', { jobId: job.Id, state, topic });
      return [];
    }
    const role = await roleFromArn(c, pipeline.Role);
    if (!role) return [];
    const result = await c.deps.notifier.publishOps(topic, renderNotification(state, job), roleSession(role, job.Id));
    if (!result.ok) {
      o.log.warn('Elastic Transcoder could not publish a notification', { jobId: job.Id, state, topic, code: result.code, message: result.message });
      return [];
    }
    return result.ops;
  }

  /** Commits a job transition with its notification; a notification that no longer applies is dropped, not the transition. */
  async function transition(before: JobDoc, version: number, after: JobDoc, state: NotificationState | undefined, pipeline: PipelineDoc | undefined): Promise<boolean> {
    const notes = state ? await notificationOps(state, after, pipeline) : [];
    let outcome = await commit(store, [...transitionOps(before, version, after), ...notes]);
    if (outcome === 'stale') outcome = await commit(store, transitionOps(before, version, after));
    if (outcome === 'ok' && notes.length) c.deps.notifier?.wake();
    return outcome === 'ok';
  }

  const leaseExpired = (job: JobDoc) => !job.lease || job.lease.expiresAt <= Date.now() || (o.exclusive && job.lease.owner !== owner);

  async function takeSubmitted(id: string, a: ActiveDoc, pipelines: Map<string, PipelineDoc | undefined>): Promise<void> {
    const key = `${a.accountId}/${a.region}/${a.pipelineId}`;
    if (!pipelines.has(key)) pipelines.set(key, (await findPipeline(c, a, a.pipelineId))?.doc);
    const pipeline = pipelines.get(key);
    if (pipeline?.Status === 'Paused') return;
    const found = await readJob(store, a, id);
    if (!found || found.job.Status !== 'Submitted') return;
    const { job, version } = found;
    const started: JobDoc = {
      ...job,
      Status: 'Progressing',
      Outputs: job.Outputs.map((x) => ({ ...x, Status: 'Progressing' as const })),
      Playlists: job.Playlists?.map((p) => ({ ...p, Status: 'Progressing' as const })),
      Timing: { ...job.Timing, StartTimeMillis: Date.now() },
      lease: { owner, expiresAt: Date.now() + leaseMs },
    };
    if (await transition(job, version, started, 'PROGRESSING', pipeline)) launch(a, id, pipeline);
  }

  async function takeAbandoned(id: string, a: ActiveDoc): Promise<void> {
    const found = await readJob(store, a, id);
    if (!found || found.job.Status !== 'Progressing' || !leaseExpired(found.job)) return;
    const { job, version } = found;
    const pipeline = (await findPipeline(c, a, a.pipelineId))?.doc;
    if (job.uploading) {
      const text = 'Stratus stopped while this job was writing its outputs; some of them may be incomplete.';
      const detail = `${JOB_ERRORS.interrupted} ${randomUUID()}: ${text}`;
      const failed: JobDoc = {
        ...job,
        Status: 'Error',
        Outputs: job.Outputs.map((x) => (x.Status === 'Progressing' ? { ...x, Status: 'Error' as const, StatusDetail: detail, errorCode: JOB_ERRORS.interrupted } : x)),
        Playlists: job.Playlists?.map((p) => (p.Status === 'Complete' ? p : { ...p, Status: 'Error' as const })),
        Timing: { ...job.Timing, FinishTimeMillis: Date.now() },
        errorCode: JOB_ERRORS.interrupted,
        messageDetails: detail,
      };
      delete failed.lease;
      delete failed.uploading;
      await transition(job, version, failed, 'ERROR', pipeline);
      return;
    }
    o.log.info('resuming an interrupted transcoding job', { jobId: id });
    if (await transition(job, version, { ...job, lease: { owner, expiresAt: Date.now() + leaseMs } }, undefined, pipeline)) launch(a, id, pipeline);
  }

  function launch(a: ActiveDoc, id: string, pipeline: PipelineDoc | undefined): void {
    const abort = new AbortController();
    const done = runJob(a, id, pipeline, abort).catch((err) => o.log.error('transcoding worker failed', { jobId: id, err })).finally(() => {
      running.delete(id);
      wake();
    });
    running.set(id, { abort, done });
  }

  async function runJob(a: ActiveDoc, id: string, pipeline: PipelineDoc | undefined, abort: AbortController): Promise<void> {
    const dir = join(o.workDir, `${id}-${randomUUID().slice(0, 8)}`);
    await mkdir(dir, { recursive: true });
    // Lease renewals and the uploading mark are serialized: each rewrites the job at the version it last saw.
    let chain: Promise<unknown> = Promise.resolve();
    const update = (change: (j: JobDoc) => JobDoc) => {
      const next = chain.then(async () => {
        const found = await readJob(store, a, id);
        if (!found || found.job.lease?.owner !== owner) {
          abort.abort();
          return;
        }
        const after = change(found.job);
        if ((await commit(store, transitionOps(found.job, found.version, after))) !== 'ok') abort.abort();
      });
      chain = next.catch(() => undefined);
      return next;
    };
    const renew = setInterval(() => void update((j) => ({ ...j, lease: { owner, expiresAt: Date.now() + leaseMs } })).catch(() => undefined), Math.max(50, leaseMs / 3));
    renew.unref();
    try {
      const start = await readJob(store, a, id);
      if (!start) return;
      const result = await executeJob(start.job, pipeline, {
        deps: c.deps,
        workDir: dir,
        signal: abort.signal,
        log: o.log,
        beforeUpload: () => update((j) => ({ ...j, uploading: true, lease: { owner, expiresAt: Date.now() + leaseMs } })),
      }).catch((err) => {
        if (abort.signal.aborted) return undefined;
        throw err;
      });
      clearInterval(renew);
      await chain;
      if (!result || abort.signal.aborted) {
        // Shut down or taken over: leave the job to whoever resumes it.
        if (closed) await update((j) => ({ ...j, lease: { owner, expiresAt: 0 } })).catch(() => undefined);
        return;
      }
      const current = await readJob(store, a, id);
      if (!current || current.job.lease?.owner !== owner) return;
      const final: JobDoc = { ...result };
      delete final.lease;
      delete final.uploading;
      await transition(current.job, current.version, final, final.Status === 'Complete' ? 'COMPLETED' : 'ERROR', pipeline ?? (await findPipeline(c, a, a.pipelineId))?.doc);
    } finally {
      clearInterval(renew);
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  async function scan(): Promise<void> {
    scanning = true;
    try {
      const active = await store.list<ActiveDoc>(TABLES.active);
      const pipelines = new Map<string, PipelineDoc | undefined>();
      for (const { key: id, value } of active) {
        if (closed || running.size >= o.workers) break;
        if (running.has(id)) continue;
        if (value.status === 'Submitted') await takeSubmitted(id, value, pipelines);
        else await takeAbandoned(id, value);
      }
    } catch (err) {
      o.log.warn('transcoding queue scan failed', { err });
    } finally {
      scanning = false;
      if (!closed) {
        if (again) {
          again = false;
          setImmediate(wake);
        } else {
          timer = setTimeout(wake, pollMs);
          timer.unref();
        }
      }
    }
  }

  function wake(): void {
    if (closed) return;
    if (scanning) {
      again = true;
      return;
    }
    if (timer) clearTimeout(timer);
    timer = undefined;
    scanDone = scan();
  }

  wake();
  return {
    wake,
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      await scanDone;
      for (const r of running.values()) r.abort.abort();
      await Promise.all([...running.values()].map((r) => r.done));
    },
  };
}
