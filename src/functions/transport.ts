/**
 * How an environment hands invocations to the runtime inside it (per environment): the shapes
 * shared by the HTTP Runtime API (runtime-api.ts, for custom runtimes) and the framed channel
 * of the built-in runtimes (channel.ts). Limits are Lambda's
 * (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
 */

/** The Runtime API's limit on a response: 6 MB plus 100 bytes of slack, as Lambda's RAPID counts it. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;

export interface InvocationMessage {
  id: string;
  payload: Buffer;
  /** Epoch milliseconds at which the invocation times out. */
  deadlineMs: number;
  invokedArn: string;
  traceId: string;
  clientContext?: string;
  cognitoIdentity?: string;
}

export type RuntimeOutcome =
  | { kind: 'response'; body: Buffer }
  /** The runtime reported a function error (POST .../error); fatal: it is exiting because of it. */
  | { kind: 'error'; body: Buffer; errorType: string; fatal?: boolean };

export type InitOutcome = { ok: true } | { ok: false; body: Buffer; errorType: string };

export interface RuntimeTransport {
  /** `host:port` for AWS_LAMBDA_RUNTIME_API. */
  readonly address: string;
  /** Settles once: when the runtime asks for its first invocation, or reports an init error. */
  readonly initialized: Promise<InitOutcome>;
  /** Hands one invocation over; settles with what the runtime answered. */
  invoke(m: InvocationMessage): Promise<RuntimeOutcome>;
  close(): void;
}

export function responseTooLarge(): RuntimeOutcome {
  return {
    kind: 'error',
    errorType: 'Function.ResponseSizeTooLarge',
    body: Buffer.from(JSON.stringify({ errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`, errorType: 'Function.ResponseSizeTooLarge' })),
  };
}
