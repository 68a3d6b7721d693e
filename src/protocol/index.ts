/**
 * The protocol layer's entry point: one ServiceCodec per service model,
 * dispatched on `metadata.protocol`, and the "unknown operation" error each
 * protocol answers with when no operation matches.
 * https://smithy.io/2.0/aws/protocols/index.html
 */
import { ServiceError } from '../core/errors.js';
import { JsonCodec } from './json.js';
import { loadModel, type ServiceModel } from './model.js';
import { MultiProtocolCodec } from './multi.js';
import { QueryCodec, queryAction } from './query.js';
import { RestJsonCodec } from './rest-json.js';
import { RestXmlCodec } from './rest-xml.js';
import { isRpcV2Cbor, RpcV2CborCodec } from './rpcv2-cbor.js';
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
export { codecForRequest } from './multi.js';
export { HTTP_STATUS } from './rest-binding.js';

const codecs = new WeakMap<ServiceModel, ServiceCodec>();

/**
 * Services the pinned (awsQuery) model describes that AWS also serves over
 * smithy RPC v2 CBOR and awsJson1_0, by serviceId. botocore's `protocols`
 * list for cloudwatch is ['smithy-rpc-v2-cbor', 'json', 'query'] (1.43 picks
 * json by its own priority order), the SDK v3 client defaults to JSON and
 * takes AwsSmithyRpcV2CborProtocol. The service shape's name is the RPC v2
 * service segment and the JSON target prefix.
 */
const ALSO_SERVED_OVER: Record<string, { namespace: string; serviceName: string }> = {
  CloudWatch: { namespace: 'com.amazonaws.cloudwatch', serviceName: 'GraniteServiceVersion20100801' },
};

function alsoServedOver(model: ServiceModel) {
  const id = model.metadata.serviceId;
  return id !== undefined && Object.prototype.hasOwnProperty.call(ALSO_SERVED_OVER, id) ? ALSO_SERVED_OVER[id] : undefined;
}

/** Whether an awsJson request targets the service by its shape name. */
function targetsService(req: HttpRequest, serviceName: string): boolean {
  return req.headers['x-amz-target']?.startsWith(serviceName + '.') === true;
}

function withAlternates(model: ServiceModel, primary: ServiceCodec): ServiceCodec {
  const alt = alsoServedOver(model);
  if (!alt) return primary;
  const json = new JsonCodec({ ...model, metadata: { ...model.metadata, targetPrefix: alt.serviceName, jsonVersion: '1.0' } });
  return new MultiProtocolCodec(model, primary, [
    { matches: isRpcV2Cbor, codec: new RpcV2CborCodec(model, alt) },
    { matches: (req) => targetsService(req, alt.serviceName), codec: json },
  ]);
}

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
  codec = withAlternates(model, codec);
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
 * restJson1 and rpc-v2-cbor → 404 UnknownOperationException, S3 → 405
 * MethodNotAllowed. A request in another protocol the service also speaks
 * gets that protocol's answer.
 */
export function unknownOperationError(model: ServiceModel, req: HttpRequest): ServiceError {
  const alt = alsoServedOver(model);
  if (alt && isRpcV2Cbor(req)) {
    return new ServiceError('UnknownOperationException', `No operation matches ${req.method} ${req.rawPath}`, { status: 404 });
  }
  const protocol = alt && targetsService(req, alt.serviceName) ? 'json' : model.metadata.protocol;
  switch (protocol) {
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
