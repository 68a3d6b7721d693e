/**
 * Stages of HTTP APIs: `$default` (served at the API's root) or a named stage
 * (served under `/<name>`), the deployment each serves, AutoDeploy, stage
 * variables, throttling (DefaultRouteSettings and per-route RouteSettings),
 * access log settings and tags. Stage settings take effect at once, without a
 * deployment. An auto-deploying stage is deployed when it is created or
 * switched to AutoDeploy, and after every change to the API's routes,
 * integrations, authorizers or CORS (see store.ts).
 * UpdateStage merges StageVariables (an empty value removes a variable, as the
 * Terraform provider relies on) and RouteSettings (DeleteRouteSettings removes one).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-stages.html
 */
import { checkTags, compact, iam, ownerOf, paginate, required, stringMap, tagConditions, type ApiGatewayV2Context, type Operations } from './common.js';
import { badRequest, conflict, deploymentNotFound, stageNotFound } from './errors.js';
import type { DeploymentRecord, RouteSettingsRecord, StageRecord } from './models.js';
import { validStageName } from './names.js';
import type { Tx } from './store.js';

interface RouteSettingsInput {
  DataTraceEnabled?: boolean;
  DetailedMetricsEnabled?: boolean;
  LoggingLevel?: string;
  ThrottlingBurstLimit?: number;
  ThrottlingRateLimit?: number;
}

export interface StageInput {
  ApiId: string;
  StageName?: string;
  AccessLogSettings?: { DestinationArn?: string; Format?: string };
  AutoDeploy?: boolean;
  ClientCertificateId?: string;
  DefaultRouteSettings?: RouteSettingsInput;
  DeploymentId?: string;
  Description?: string;
  RouteSettings?: Record<string, RouteSettingsInput>;
  StageVariables?: Record<string, string>;
  Tags?: Record<string, string>;
  RouteKey?: string;
  MaxResults?: string;
  NextToken?: string;
}

const MAX_STAGES = 10;
const VARIABLE_NAME = /^[A-Za-z0-9_]+$/;
const VARIABLE_VALUE = /^[A-Za-z0-9\-._~:/?#&=,]+$/;

function toRouteSettings(input: RouteSettingsInput | null, where: string): RouteSettingsRecord {
  if (!input) throw badRequest(`Invalid ${where}: settings are required`);
  if (input.DataTraceEnabled !== undefined || input.LoggingLevel !== undefined) throw badRequest(`DataTraceEnabled and LoggingLevel in ${where} are supported only for WebSocket APIs`);
  const out: RouteSettingsRecord = { detailedMetricsEnabled: input.DetailedMetricsEnabled ?? false };
  if (input.ThrottlingBurstLimit !== undefined) {
    if (!Number.isInteger(input.ThrottlingBurstLimit) || input.ThrottlingBurstLimit < 0) throw badRequest(`Invalid ThrottlingBurstLimit in ${where}: it must be a non-negative integer`);
    out.throttlingBurstLimit = input.ThrottlingBurstLimit;
  }
  if (input.ThrottlingRateLimit !== undefined) {
    if (!Number.isFinite(input.ThrottlingRateLimit) || input.ThrottlingRateLimit < 0) throw badRequest(`Invalid ThrottlingRateLimit in ${where}: it must be a non-negative number`);
    out.throttlingRateLimit = input.ThrottlingRateLimit;
  }
  return out;
}

function routeSettingsOutput(s: RouteSettingsRecord): Record<string, unknown> {
  return compact({ DetailedMetricsEnabled: s.detailedMetricsEnabled ?? false, ThrottlingBurstLimit: s.throttlingBurstLimit, ThrottlingRateLimit: s.throttlingRateLimit });
}

function mergeVariables(current: Record<string, string>, input: Record<string, string> | undefined, removeEmpty: boolean): Record<string, string> {
  const out = { ...current };
  for (const [k, v] of Object.entries(stringMap(input, 'StageVariables') ?? {})) {
    if (!VARIABLE_NAME.test(k)) throw badRequest(`Stage variable name ${k} can only contain alphanumeric characters and underscores`);
    if (v === '' && removeEmpty) {
      delete out[k];
      continue;
    }
    if (!VARIABLE_VALUE.test(v)) throw badRequest(`Stage variable value ${v} for ${k} must match [A-Za-z0-9-._~:/?#&=,]+`);
    out[k] = v;
  }
  return out;
}

/** A stage as a create (no `current`) or an update leaves it, before any deployment. */
function buildStage(tx: Tx, input: StageInput, current: StageRecord | undefined): StageRecord {
  if (input.ClientCertificateId !== undefined) throw badRequest('ClientCertificateId is supported only for WebSocket APIs');
  const now = tx.now.toISOString();
  const stage: StageRecord = current
    ? { ...current, lastUpdatedDate: now }
    : { stageName: input.StageName!, autoDeploy: false, stageVariables: {}, defaultRouteSettings: { detailedMetricsEnabled: false }, routeSettings: {}, createdDate: now, lastUpdatedDate: now, tags: {} };
  if (input.Description !== undefined) stage.description = input.Description;
  if (input.AutoDeploy !== undefined) stage.autoDeploy = input.AutoDeploy;
  stage.stageVariables = mergeVariables(stage.stageVariables, input.StageVariables, current !== undefined);
  if (input.DefaultRouteSettings) stage.defaultRouteSettings = toRouteSettings(input.DefaultRouteSettings, 'DefaultRouteSettings');
  if (input.RouteSettings) {
    const keys = new Set([...tx.state.routes.values()].map((r) => r.routeKey));
    const merged = { ...stage.routeSettings };
    for (const [key, s] of Object.entries(input.RouteSettings)) {
      if (!keys.has(key)) throw badRequest(`Unable to find Route by key ${key} within the provided RouteSettings`);
      merged[key] = toRouteSettings(s, `RouteSettings for ${key}`);
    }
    stage.routeSettings = merged;
  }
  if (input.AccessLogSettings) stage.accessLogSettings = compact({ destinationArn: input.AccessLogSettings.DestinationArn, format: input.AccessLogSettings.Format });
  if (input.DeploymentId !== undefined) {
    if (stage.autoDeploy) throw badRequest('DeploymentId cannot be set on a stage with AutoDeploy enabled');
    stage.deploymentId = input.DeploymentId;
  }
  if (input.Tags) {
    checkTags(input.Tags);
    stage.tags = { ...stage.tags, ...input.Tags };
  }
  return stage;
}

export function stageOutput(s: StageRecord): Record<string, unknown> {
  return compact({
    AccessLogSettings: s.accessLogSettings ? compact({ DestinationArn: s.accessLogSettings.destinationArn, Format: s.accessLogSettings.format }) : undefined,
    ApiGatewayManaged: s.apiGatewayManaged || undefined,
    AutoDeploy: s.autoDeploy,
    CreatedDate: new Date(s.createdDate),
    DefaultRouteSettings: routeSettingsOutput(s.defaultRouteSettings),
    DeploymentId: s.deploymentId,
    Description: s.description,
    LastDeploymentStatusMessage: s.lastDeploymentStatusMessage,
    LastUpdatedDate: new Date(s.lastUpdatedDate),
    RouteSettings: Object.fromEntries(Object.entries(s.routeSettings).map(([k, v]) => [k, routeSettingsOutput(v)])),
    StageName: s.stageName,
    StageVariables: s.stageVariables,
    Tags: s.tags,
  });
}

/** The `$default` stage that quick create adds: auto-deployed and managed by API Gateway. */
export function quickCreateStage(tx: Tx): StageRecord {
  const now = tx.now.toISOString();
  const stage: StageRecord = { stageName: '$default', autoDeploy: true, stageVariables: {}, defaultRouteSettings: { detailedMetricsEnabled: false }, routeSettings: {}, createdDate: now, lastUpdatedDate: now, tags: {}, apiGatewayManaged: true };
  tx.put('stages', stage.stageName, stage);
  return tx.autoDeploy(stage);
}

export function stageOperations(c: ApiGatewayV2Context): Operations {
  const { db } = c;
  const collection = (i: StageInput) => `/apis/${i.ApiId}/stages`;
  const item = (i: StageInput) => `/apis/${i.ApiId}/stages/${i.StageName}`;
  return {
    CreateStage: {
      ...iam('POST', collection),
      conditions: tagConditions,
      async handler(input: StageInput, ctx) {
        const name = required(input.StageName, 'StageName');
        if (!validStageName(name)) throw badRequest(`Invalid stage name ${name}. Stage names can only contain alphanumeric characters, hyphens, and underscores, or be $default. Maximum length is 128 characters.`);
        return db.mutate(input.ApiId, ownerOf(ctx), async (tx) => {
          if (tx.state.stages.has(name)) throw conflict(`Stage ${name} already exists`);
          if (tx.state.stages.size >= MAX_STAGES) throw badRequest('Maximum number of Stages for this API has been reached.');
          let stage = buildStage(tx, input, undefined);
          if (stage.deploymentId && !(await db.getChild<DeploymentRecord>('deployments', tx.api.apiId, stage.deploymentId))) throw deploymentNotFound(stage.deploymentId);
          tx.put('stages', name, stage);
          if (stage.autoDeploy) stage = tx.autoDeploy(stage);
          return stageOutput(stage);
        });
      },
    },

    GetStage: {
      ...iam('GET', item),
      async handler(input: StageInput, ctx) {
        await db.requireApi(input.ApiId, ownerOf(ctx));
        const stage = await db.getChild<StageRecord>('stages', input.ApiId, required(input.StageName, 'StageName'));
        if (!stage) throw stageNotFound(input.StageName!);
        return stageOutput(stage);
      },
    },

    GetStages: {
      ...iam('GET', collection),
      async handler(input: StageInput, ctx) {
        await db.requireApi(input.ApiId, ownerOf(ctx));
        const all = await db.children<StageRecord>('stages', input.ApiId);
        const page = paginate(all, (s) => s.stageName, input.NextToken, input.MaxResults);
        return { ...page, Items: page.Items.map(stageOutput) };
      },
    },

    UpdateStage: {
      ...iam('PATCH', item),
      async handler(input: StageInput, ctx) {
        const name = required(input.StageName, 'StageName');
        return db.mutate(input.ApiId, ownerOf(ctx), async (tx) => {
          const current = tx.state.stages.get(name);
          if (!current) throw stageNotFound(name);
          let stage = buildStage(tx, { ...input, Tags: undefined }, current);
          if (input.DeploymentId !== undefined && !(await db.getChild<DeploymentRecord>('deployments', tx.api.apiId, input.DeploymentId))) throw deploymentNotFound(input.DeploymentId);
          if (input.DeploymentId !== undefined) delete stage.lastDeploymentStatusMessage;
          tx.put('stages', name, stage);
          if (stage.autoDeploy && !current.autoDeploy) stage = tx.autoDeploy(stage);
          return stageOutput(stage);
        });
      },
    },

    DeleteStage: {
      ...iam('DELETE', item),
      async handler(input: StageInput, ctx) {
        const name = required(input.StageName, 'StageName');
        await db.mutate(input.ApiId, ownerOf(ctx), (tx) => {
          if (!tx.state.stages.has(name)) throw stageNotFound(name);
          tx.remove('stages', name);
        });
        return undefined;
      },
    },

    DeleteRouteSettings: {
      ...iam('DELETE', (i: StageInput) => `/apis/${i.ApiId}/stages/${i.StageName}/routesettings/${i.RouteKey}`),
      async handler(input: StageInput, ctx) {
        const name = required(input.StageName, 'StageName');
        const key = required(input.RouteKey, 'RouteKey');
        await db.mutate(input.ApiId, ownerOf(ctx), (tx) => {
          const stage = tx.state.stages.get(name);
          if (!stage) throw stageNotFound(name);
          if (!(key in stage.routeSettings)) throw badRequest(`Unable to find route settings for route key ${key}`);
          const routeSettings = { ...stage.routeSettings };
          delete routeSettings[key];
          tx.put('stages', name, { ...stage, routeSettings, lastUpdatedDate: tx.now.toISOString() });
        });
        return undefined;
      },
    },

    DeleteAccessLogSettings: {
      ...iam('DELETE', (i: StageInput) => `/apis/${i.ApiId}/stages/${i.StageName}/accesslogsettings`),
      async handler(input: StageInput, ctx) {
        const name = required(input.StageName, 'StageName');
        await db.mutate(input.ApiId, ownerOf(ctx), (tx) => {
          const stage = tx.state.stages.get(name);
          if (!stage) throw stageNotFound(name);
          const next = { ...stage, lastUpdatedDate: tx.now.toISOString() };
          delete next.accessLogSettings;
          tx.put('stages', name, next);
        });
        return undefined;
      },
    },
  };
}
