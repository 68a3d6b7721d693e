/** STS as served behind the edge. */
import type { ServiceDefinition } from '../types.js';
import { stsOperations, type StsDeps } from './provider.js';

export function createStsService(deps: StsDeps): ServiceDefinition {
  return { name: 'sts', signingName: 'sts', actionPrefix: 'sts', operations: stsOperations(deps) };
}
