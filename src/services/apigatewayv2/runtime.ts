/**
 * The data plane's read side: what an API and each of its stages serve.
 * Answers are cached in the process, dropped at once when this process
 * changes the API and re-read after `ttlMs` otherwise (a change made through
 * another node of a cluster), which is also roughly how long AWS takes to
 * propagate a deployment. A re-read that finds the same API and stage
 * documents returns the same snapshot object, so the data plane may key its
 * own derived tables (compiled routes) on it. A stage never deployed serves
 * nothing.
 */
import type { HttpApiRuntime } from './index.js';
import type { ApiRecord, DeploymentRecord, StageRecord, StageSnapshot } from './models.js';
import { childKey, TABLES, type ApiStore } from './store.js';

const MAX_ENTRIES = 4096;

interface Entry<T> {
  at: number;
  value: T;
  /** The document versions the value was built from. */
  versions: string;
}

export function createHttpApiRuntime(db: ApiStore, ttlMs = 1000): HttpApiRuntime {
  const apis = new Map<string, Entry<ApiRecord | undefined>>();
  const snapshots = new Map<string, Entry<StageSnapshot | undefined>>();
  db.onChange((apiId) => {
    apis.delete(apiId);
    for (const key of snapshots.keys()) if (key.startsWith(`${apiId}\0`)) snapshots.delete(key);
  });
  const fresh = <T>(e: Entry<T> | undefined): boolean => e !== undefined && Date.now() - e.at < ttlMs;
  const remember = <T>(map: Map<string, Entry<T>>, key: string, value: T, versions: string): T => {
    if (map.size >= MAX_ENTRIES) map.clear();
    map.set(key, { at: Date.now(), value, versions });
    return value;
  };

  async function apiEntry(apiId: string): Promise<Entry<ApiRecord | undefined>> {
    const hit = apis.get(apiId);
    if (hit && fresh(hit)) return hit;
    const doc = await db.getApi(apiId);
    const versions = String(doc?.version ?? 0);
    const value = hit && hit.versions === versions ? hit.value : doc?.value;
    remember(apis, apiId, value, versions);
    return apis.get(apiId)!;
  }

  return {
    async getApi(apiId) {
      return (await apiEntry(apiId)).value;
    },
    async getStageSnapshot(apiId, stageName) {
      const key = `${apiId}\0${stageName}`;
      const hit = snapshots.get(key);
      if (hit && fresh(hit)) return hit.value;
      const api = await apiEntry(apiId);
      const stage = api.value ? await db.docs.get<StageRecord>(TABLES.stages, childKey(apiId, stageName)) : undefined;
      const versions = `${api.versions}/${stage?.version ?? 0}`;
      if (hit && hit.versions === versions) return remember(snapshots, key, hit.value, versions);
      const deploymentId = stage?.value.deploymentId;
      const deployment = deploymentId ? await db.getChild<DeploymentRecord>('deployments', apiId, deploymentId) : undefined;
      const snapshot = api.value && stage && deployment ? { ...deployment.snapshot, api: api.value, stage: stage.value, deploymentId: deployment.deploymentId } : undefined;
      return remember(snapshots, key, snapshot, versions);
    },
    async listStages(apiId) {
      return db.children<StageRecord>('stages', apiId);
    },
  };
}
