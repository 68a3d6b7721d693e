/**
 * Lambda's operations, gathered from one file per resource: functions and
 * their updates, versions, aliases, resource policies, concurrency and
 * account settings, asynchronous-invocation settings, tags and Invoke.
 * Operations of the model that are missing here (layers, event source
 * mappings, code signing...) answer 501 NotImplemented.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html
 */
import { aliasOperations } from './aliases.js';
import type { LambdaContext, Operations } from './common.js';
import { concurrencyOperations } from './concurrency.js';
import { eventInvokeConfigOperations } from './event-invoke-config.js';
import { functionOperations } from './functions.js';
import { functionUrlOperations } from './function-urls.js';
import { invokeOperations } from './invoke.js';
import { permissionOperations } from './permissions.js';
import { tagOperations } from './tags.js';
import { updateOperations } from './updates.js';
import { versionOperations } from './versions.js';

export function lambdaOperations(c: LambdaContext): Operations {
  return {
    ...functionOperations(c),
    ...updateOperations(c),
    ...versionOperations(c),
    ...aliasOperations(c),
    ...permissionOperations(c),
    ...concurrencyOperations(c),
    ...eventInvokeConfigOperations(c),
    ...tagOperations(c),
    ...invokeOperations(c),
    ...functionUrlOperations(c),
  };
}
