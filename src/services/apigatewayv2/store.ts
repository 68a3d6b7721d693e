/**
 * HTTP APIs in the DocumentStore. An API document is keyed by its id alone
 * (ids are unique across accounts, and the data plane finds an API from the
 * host name without knowing its owner), with an index by account and region
 * for GetApis. Routes, integrations, authorizers, stages and deployments are
 * documents keyed `<apiId>/<id>`.
 *
 * Every change goes through `mutate`: it loads the API with its children,
 * lets the operation edit that working copy, and writes the edits as one
 * batch conditioned on the API document's version, retried when another
 * writer got there first. So concurrent changes serialize through the store,
 * across processes too, and a change and the automatic deployment it causes
 * land together: with AutoDeploy, each change to routes, integrations,
 * authorizers or CORS deploys the stages that auto-deploy in the same batch.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html
 */
import { ConditionFailedError, type DocumentStore, type StoredDocument, type WriteOp } from '../../storage/types.js';
import { apiNotFound } from './errors.js';
import type { ApiRecord, AuthorizerRecord, DeploymentRecord, DeploymentSnapshot, IntegrationRecord, RouteRecord, StageRecord } from './models.js';
import { ID_LENGTH, newId } from './names.js';

export const TABLES = {
  apis: 'apigatewayv2.apis',
  index: 'apigatewayv2.api-index',
  routes: 'apigatewayv2.routes',
  integrations: 'apigatewayv2.integrations',
  authorizers: 'apigatewayv2.authorizers',
  stages: 'apigatewayv2.stages',
  deployments: 'apigatewayv2.deployments',
} as const;

const MAX_ATTEMPTS = 30;

export const NO_ROUTES = 'Unable to deploy API because no routes exist in this API';
const PAGE = 500;

export function indexKey(api: Pick<ApiRecord, 'accountId' | 'region' | 'apiId'>): string {
  return `${api.accountId}/${api.region}/${api.apiId}`;
}

export function childKey(apiId: string, id: string): string {
  return `${apiId}/${id}`;
}

/** The API and its children, as one change sees and edits them. */
export interface ApiState {
  api: ApiRecord;
  routes: Map<string, RouteRecord>;
  integrations: Map<string, IntegrationRecord>;
  authorizers: Map<string, AuthorizerRecord>;
  stages: Map<string, StageRecord>;
}

type ChildTable = 'routes' | 'integrations' | 'authorizers' | 'stages';

/** A change in progress: edits the working copy and records the writes. */
export class Tx {
  readonly ops: WriteOp[] = [];
  private redeployWanted = false;
  private deletedApi = false;

  constructor(
    readonly state: ApiState,
    readonly now: Date,
  ) {}

  get api(): ApiRecord {
    return this.state.api;
  }

  setApi(api: ApiRecord): void {
    this.state.api = api;
  }

  put<T extends ChildTable>(table: T, id: string, value: ApiState[T] extends Map<string, infer V> ? V : never): void {
    (this.state[table] as Map<string, unknown>).set(id, value);
    this.ops.push({ op: 'put', table: TABLES[table], key: childKey(this.api.apiId, id), value });
  }

  remove(table: ChildTable, id: string): void {
    this.state[table].delete(id);
    this.ops.push({ op: 'delete', table: TABLES[table], key: childKey(this.api.apiId, id) });
  }

  putDeployment(d: DeploymentRecord): void {
    this.ops.push({ op: 'put', table: TABLES.deployments, key: childKey(this.api.apiId, d.deploymentId), value: d });
  }

  removeDeployment(id: string): void {
    this.ops.push({ op: 'delete', table: TABLES.deployments, key: childKey(this.api.apiId, id) });
  }

  /** Routes, integrations, authorizers or CORS changed: auto-deploying stages get a new deployment. */
  redeploy(): void {
    this.redeployWanted = true;
  }

  deleteApi(): void {
    this.deletedApi = true;
  }

  get apiDeleted(): boolean {
    return this.deletedApi;
  }

  /** A deployment of the working copy as it stands. */
  deploy(description: string | undefined, autoDeployed: boolean): DeploymentRecord {
    const d: DeploymentRecord = {
      deploymentId: newId(ID_LENGTH.deployment),
      autoDeployed,
      deploymentStatus: 'DEPLOYED',
      createdDate: this.now.toISOString(),
      snapshot: snapshotOf(this.state),
    };
    if (description !== undefined) d.description = description;
    this.putDeployment(d);
    return d;
  }

  /** Points a stage at a deployment (the caller's or an automatic one). */
  pointStage(stage: StageRecord, deploymentId: string): StageRecord {
    const next: StageRecord = { ...stage, deploymentId, lastUpdatedDate: this.now.toISOString() };
    if (next.autoDeploy) next.lastDeploymentStatusMessage = `Successfully deployed stage with deployment ID '${deploymentId}'`;
    else delete next.lastDeploymentStatusMessage;
    this.put('stages', stage.stageName, next);
    return next;
  }

  /**
   * Deploys every auto-deploying stage when something deployable changed. An
   * API without routes cannot be deployed: the stage keeps its deployment and
   * says why in LastDeploymentStatusMessage.
   */
  finish(): void {
    if (!this.redeployWanted || this.deletedApi) return;
    for (const stage of [...this.state.stages.values()]) {
      if (stage.autoDeploy) this.autoDeploy(stage);
    }
  }

  autoDeploy(stage: StageRecord): StageRecord {
    if (this.state.routes.size === 0) {
      const next: StageRecord = { ...stage, lastDeploymentStatusMessage: `Deployment attempt failed: ${NO_ROUTES}`, lastUpdatedDate: this.now.toISOString() };
      this.put('stages', stage.stageName, next);
      return next;
    }
    return this.pointStage(stage, this.deploy(undefined, true).deploymentId);
  }
}

export function snapshotOf(state: ApiState): DeploymentSnapshot {
  const snap: DeploymentSnapshot = {
    routes: [...state.routes.values()],
    integrations: [...state.integrations.values()],
    authorizers: [...state.authorizers.values()],
  };
  if (state.api.corsConfiguration) snap.corsConfiguration = state.api.corsConfiguration;
  return snap;
}

export class ApiStore {
  private readonly listeners = new Set<(apiId: string) => void>();

  constructor(readonly docs: DocumentStore) {}

  /** Called after every committed change of an API (the runtime's cache listens). */
  onChange(listener: (apiId: string) => void): void {
    this.listeners.add(listener);
  }

  async getApi(apiId: string): Promise<StoredDocument<ApiRecord> | undefined> {
    if (!/^[a-z0-9]{1,64}$/.test(apiId)) return undefined;
    return this.docs.get<ApiRecord>(TABLES.apis, apiId);
  }

  /** The API if it belongs to the caller's account and region; NotFoundException otherwise. */
  async requireApi(apiId: string, owner: { accountId: string; region: string }): Promise<StoredDocument<ApiRecord>> {
    const doc = await this.getApi(apiId ?? '');
    if (!doc || doc.value.accountId !== owner.accountId || doc.value.region !== owner.region) throw apiNotFound(owner.accountId, apiId);
    return doc;
  }

  async loadState(api: ApiRecord): Promise<ApiState> {
    const [routes, integrations, authorizers, stages] = await Promise.all([
      this.children<RouteRecord>('routes', api.apiId),
      this.children<IntegrationRecord>('integrations', api.apiId),
      this.children<AuthorizerRecord>('authorizers', api.apiId),
      this.children<StageRecord>('stages', api.apiId),
    ]);
    return {
      api,
      routes: new Map(routes.map((r) => [r.routeId, r])),
      integrations: new Map(integrations.map((i) => [i.integrationId, i])),
      authorizers: new Map(authorizers.map((a) => [a.authorizerId, a])),
      stages: new Map(stages.map((s) => [s.stageName, s])),
    };
  }

  async children<T>(table: keyof typeof TABLES, apiId: string): Promise<T[]> {
    return (await this.listAll<T>(TABLES[table], `${apiId}/`)).map((d) => d.value);
  }

  async getChild<T>(table: keyof typeof TABLES, apiId: string, id: string): Promise<T | undefined> {
    return (await this.docs.get<T>(TABLES[table], childKey(apiId, id)))?.value;
  }

  /** Creates an API with whatever its creation adds (quick create's route, integration and stage). */
  async create<T>(api: ApiRecord, build: (tx: Tx) => T): Promise<T> {
    const tx = new Tx({ api, routes: new Map(), integrations: new Map(), authorizers: new Map(), stages: new Map() }, new Date(api.createdDate));
    const result = build(tx);
    tx.finish();
    await this.docs.batch([
      { op: 'put', table: TABLES.apis, key: api.apiId, value: tx.api, condition: { ifNotExists: true } },
      { op: 'put', table: TABLES.index, key: indexKey(api), value: {}, condition: { ifNotExists: true } },
      ...tx.ops,
    ]);
    this.changed(api.apiId);
    return result;
  }

  /**
   * Read-modify-write of one API and its children. `change` may run more
   * than once (on a concurrent write) and must not have other side effects.
   */
  async mutate<T>(apiId: string, owner: { accountId: string; region: string }, change: (tx: Tx) => T | Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const doc = await this.requireApi(apiId, owner);
      const state = await this.loadState(doc.value);
      const tx = new Tx(state, new Date());
      const result = await change(tx);
      tx.finish();
      const ops: WriteOp[] = [];
      if (tx.apiDeleted) {
        ops.push({ op: 'delete', table: TABLES.apis, key: apiId, condition: { ifVersion: doc.version } });
        ops.push({ op: 'delete', table: TABLES.index, key: indexKey(doc.value) });
        ops.push(...(await this.deleteChildrenOps(apiId)));
      } else {
        ops.push({ op: 'put', table: TABLES.apis, key: apiId, value: tx.api, condition: { ifVersion: doc.version } }, ...tx.ops);
      }
      try {
        await this.docs.batch(ops);
        this.changed(apiId);
        return result;
      } catch (err) {
        if (!(err instanceof ConditionFailedError) || attempt >= MAX_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
      }
    }
  }

  /** The API ids of an account and region, in key order. */
  async listApiIds(accountId: string, region: string): Promise<string[]> {
    const prefix = `${accountId}/${region}/`;
    return (await this.listAll(TABLES.index, prefix)).map((d) => d.key.slice(prefix.length));
  }

  private async deleteChildrenOps(apiId: string): Promise<WriteOp[]> {
    const ops: WriteOp[] = [];
    for (const table of ['routes', 'integrations', 'authorizers', 'stages', 'deployments'] as const) {
      for (const d of await this.listAll(TABLES[table], `${apiId}/`)) ops.push({ op: 'delete', table: TABLES[table], key: d.key });
    }
    return ops;
  }

  private changed(apiId: string): void {
    for (const l of this.listeners) l(apiId);
  }

  private async listAll<T>(table: string, prefix: string): Promise<StoredDocument<T>[]> {
    const out: StoredDocument<T>[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await this.docs.list<T>(table, { prefix, after, limit: PAGE });
      out.push(...page);
      if (page.length < PAGE) return out;
      after = page[page.length - 1]!.key;
    }
  }
}
