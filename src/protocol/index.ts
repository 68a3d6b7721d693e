/**
 * The protocol layer's entry point: one ServiceCodec per service model,
 * dispatched on `metadata.protocol`, and the "unknown operation" error each
 * protocol answers with when no operation matches.
 * https://smithy.io/2.0/aws/protocols/index.html
 */
import { ServiceError } from '../core/errors.js';
import { JsonCodec } from './json.js';
import { loadModel, type ServiceModel } from './model.js';
import { QueryCodec, queryAction } from './query.js';
import { RestJsonCodec } from './rest-json.js';
import { RestXmlCodec } from './rest-xml.js';
import type { HttpRequest, ServiceCodec } from './types.js';

export type { HttpRequest, HttpResponse, SerializeContext, ServiceCodec } from './types.js';
export {
  buildModel,
  errorInfo,
  loadModel,
  missingRequired,
  type ErrorInfo,
  type OperationModel,
  type ServiceModel,
  type Shape,
} from './model.js';
export { hostId } from './rest-xml.js';
export { HTTP_STATUS } from './rest-binding.js';

const codecs = new WeakMap<ServiceModel, ServiceCodec>();

/** The codec for a model; built once per model object. */
export function createCodec(model: ServiceModel): ServiceCodec {
  let codec = codecs.get(model);
  if (codec) return codec;
  switch (model.metadata.protocol) {
    case 'query':
      codec = new QueryCodec(model);
      break;
    case 'rest-xml':
      codec = new RestXmlCodec(model);
      break;
    case 'rest-json':
      codec = new RestJsonCodec(model);
      break;
    case 'json':
      codec = new JsonCodec(model);
      break;
    default:
      throw new Error(`model ${model.name}: unsupported protocol ${String(model.metadata.protocol)}`);
  }
  codecs.set(model, codec);
  return codec;
}

/** loadModel + createCodec, both cached. */
export function codecFor(name: string): ServiceCodec {
  return createCodec(loadModel(name));
}

/**
 * The error a protocol answers when a request names no operation it knows:
 * query → 400 MissingAction/InvalidAction, json → 400 UnknownOperationException,
 * restJson1 → 404 UnknownOperationException, S3 → 405 MethodNotAllowed.
 */
export function unknownOperationError(model: ServiceModel, req: HttpRequest): ServiceError {
  switch (model.metadata.protocol) {
    case 'query': {
      const action = queryAction(req);
      if (action === undefined || action === '') {
        return new ServiceError('MissingAction', 'Missing Action', { status: 400 });
      }
      return new ServiceError(
        'InvalidAction',
        `Could not find operation ${action} for version ${model.metadata.apiVersion}`,
        { status: 400 },
      );
    }
    case 'json': {
      const target = req.headers['x-amz-target'];
      return new ServiceError(
        'UnknownOperationException',
        target ? `Unknown operation ${target}` : 'Missing X-Amz-Target header',
        { status: 400 },
      );
    }
    case 'rest-xml': {
      const parts = req.rawPath.split('/').filter((p) => p !== '');
      const resourceType = parts.length === 0 ? 'SERVICE' : parts.length === 1 ? 'BUCKET' : 'OBJECT';
      return new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', {
        status: 405,
        fields: { Method: req.method.toUpperCase(), ResourceType: resourceType },
      });
    }
    default:
      return new ServiceError('UnknownOperationException', `No operation matches ${req.method} ${req.rawPath}`, {
        status: 404,
      });
  }
}
