/**
 * Required members, checked from the service model before anything else, as
 * AWS's front end does: "1 validation error detected: Value null at
 * 'message.subject' failed to satisfy constraint: Member must not be null"
 * (ValidationError in v1, BadRequestException in v2). Nested structures are
 * checked where present; list members are checked item by item.
 * https://docs.aws.amazon.com/ses/latest/APIReference/CommonErrors.html
 */
import { loadModel, type Shape } from '../../protocol/model.js';
import type { OperationSpec } from '../types.js';
import { sesError, type Api } from './common.js';

const camel = (name: string) => name.charAt(0).toLowerCase() + name.slice(1);

function missing(shape: Shape, value: unknown, path: string, out: string[]): void {
  if (value === undefined || value === null) return;
  if (shape.type === 'structure' && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    for (const name of shape.required) if (v[name] === undefined || v[name] === null) out.push(path ? `${path}.${camel(name)}` : camel(name));
    for (const [name, member] of Object.entries(shape.members)) missing(member, v[name], path ? `${path}.${camel(name)}` : camel(name), out);
  } else if (shape.type === 'list' && Array.isArray(value) && shape.member) {
    value.forEach((item, i) => missing(shape.member!, item, `${path}.${i + 1}.member`, out));
  }
}

/** Wraps every operation so that absent required members are refused before IAM and the handler run. */
export function withRequiredChecks(modelName: 'ses' | 'sesv2', api: Api, ops: Record<string, OperationSpec>): Record<string, OperationSpec> {
  const model = loadModel(modelName);
  const check = (operation: string, input: unknown) => {
    const shape = model.operations.get(operation)?.input;
    if (!shape) return;
    const problems: string[] = [];
    missing(shape, input ?? {}, '', problems);
    if (problems.length === 0) return;
    const n = problems.length;
    const message = `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.map((p) => `Value null at '${p}' failed to satisfy constraint: Member must not be null`).join('; ')}`;
    throw api === 1 ? sesError('ValidationError', message) : sesError('BadRequestException', message);
  };
  return Object.fromEntries(
    Object.entries(ops).map(([name, spec]): [string, OperationSpec] => [
      name,
      {
        ...spec,
        resources: async (input, ctx) => {
          check(name, input);
          return spec.resources ? spec.resources(input, ctx) : ['*'];
        },
        handler(input, ctx) {
          check(name, input);
          return spec.handler(input ?? {}, ctx);
        },
      },
    ]),
  );
}
