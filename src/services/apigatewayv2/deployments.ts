/**
 * Deployments: a frozen copy of an API's routes, integrations, authorizers
 * and CORS configuration, which stages serve. CreateDeployment with a
 * StageName also points that stage at the new deployment. Automatic
 * deployments (AutoDeployed: true) are made by store.ts for stages with
 * AutoDeploy. Deployments are DEPLOYED at once: nothing in Stratus needs time
 * to propagate.
 * https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis-apiid-deployments.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-stages.html
 */
import { compact, iam, ownerOf, paginate, required, type ApiGatewayV2Context, type Operations } from './common.js';
import { badRequest, deploymentNotFound, stageNotFound } from './errors.js';
import type { DeploymentRecord } from './models.js';
import { NO_ROUTES } from './store.js';

export interface DeploymentInput {
  ApiId: string;
  DeploymentId?: string;
  Description?: string;
  StageName?: string;
  MaxResults?: string;
  NextToken?: string;
}

export function deploymentOutput(d: DeploymentRecord): Record<string, unknown> {
  return compact({
    AutoDeployed: d.autoDeployed,
    CreatedDate: new Date(d.createdDate),
    DeploymentId: d.deploymentId,
    DeploymentStatus: d.deploymentStatus,
    DeploymentStatusMessage: d.deploymentStatusMessage,
    Description: d.description,
  });
}

export function deploymentOperations(c: ApiGatewayV2Context): Operations {
  const { db } = c;
  const collection = (i: DeploymentInput) => `/apis/${i.ApiId}/deployments`;
  const item = (i: DeploymentInput) => `/apis/${i.ApiId}/deployments/${i.DeploymentId}`;
  const find = async (apiId: string, id: string): Promise<DeploymentRecord> => {
    const d = await db.getChild<DeploymentRecord>('deployments', apiId, id);
    if (!d) throw deploymentNotFound(id);
    return d;
  };
  return {
    CreateDeployment: {
      ...iam('POST', collection),
      async handler(input: DeploymentInput, ctx) {
        return db.mutate(input.ApiId, ownerOf(ctx), (tx) => {
          const stage = input.StageName !== undefined ? tx.state.stages.get(input.StageName) : undefined;
          if (input.StageName !== undefined && !stage) throw stageNotFound(input.StageName);
          if (tx.state.routes.size === 0) throw badRequest(NO_ROUTES);
          const d = tx.deploy(input.Description, false);
          if (stage) tx.pointStage(stage, d.deploymentId);
          return deploymentOutput(d);
        });
      },
    },

    GetDeployment: {
      ...iam('GET', item),
      async handler(input: DeploymentInput, ctx) {
        await db.requireApi(input.ApiId, ownerOf(ctx));
        return deploymentOutput(await find(input.ApiId, required(input.DeploymentId, 'DeploymentId')));
      },
    },

    GetDeployments: {
      ...iam('GET', collection),
      async handler(input: DeploymentInput, ctx) {
        await db.requireApi(input.ApiId, ownerOf(ctx));
        const all = await db.children<DeploymentRecord>('deployments', input.ApiId);
        const page = paginate(all, (d) => d.deploymentId, input.NextToken, input.MaxResults);
        return { ...page, Items: page.Items.map(deploymentOutput) };
      },
    },

    UpdateDeployment: {
      ...iam('PATCH', item),
      async handler(input: DeploymentInput, ctx) {
        const id = required(input.DeploymentId, 'DeploymentId');
        return db.mutate(input.ApiId, ownerOf(ctx), async (tx) => {
          const d = await find(input.ApiId, id);
          const next = { ...d };
          if (input.Description !== undefined) next.description = input.Description;
          tx.putDeployment(next);
          return deploymentOutput(next);
        });
      },
    },

    DeleteDeployment: {
      ...iam('DELETE', item),
      async handler(input: DeploymentInput, ctx) {
        const id = required(input.DeploymentId, 'DeploymentId');
        await db.mutate(input.ApiId, ownerOf(ctx), async (tx) => {
          await find(input.ApiId, id);
          const users = [...tx.state.stages.values()].filter((s) => s.deploymentId === id);
          if (users.length) throw badRequest('Active stages pointing to this deployment must be moved or deleted');
          tx.removeDeployment(id);
        });
        return undefined;
      },
    },
  };
}
