/**
 * The RuntimeTransport of Stratus's built-in runtimes (per environment): the Runtime API's
 * init/next/response/error exchange carried over the framed channel of channel.ts, with the
 * same meaning as its HTTP form (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
 * The first message specialises a pre-spawned runtime: the function's environment variables,
 * task root and handler.
 */
import type { Channel, ChannelMessage } from './channel.js';
import { MAX_RESPONSE_BYTES, responseTooLarge, type InitOutcome, type InvocationMessage, type RuntimeOutcome, type RuntimeTransport } from './transport.js';

export class ChannelTransport implements RuntimeTransport {
  readonly initialized: Promise<InitOutcome>;
  private current?: { id: string; settle: (o: RuntimeOutcome) => void };

  constructor(
    private readonly channel: Channel,
    readonly address: string,
    init: { env: Record<string, string>; taskRoot: string; handler: string },
  ) {
    this.initialized = new Promise((settle) => {
      channel.onMessage = (m: ChannelMessage, body: Buffer) => {
        if (m.t === 'init-done') settle({ ok: true });
        else if (m.t === 'init-error') settle({ ok: false, body: Buffer.from(body), errorType: String(m.errorType ?? 'Runtime.Unknown') });
        else if ((m.t === 'response' || m.t === 'error') && this.current && m.id === this.current.id) {
          const { settle: done } = this.current;
          this.current = undefined;
          if (body.length > MAX_RESPONSE_BYTES) done(responseTooLarge());
          else if (m.t === 'response') done({ kind: 'response', body: Buffer.from(body) });
          else done({ kind: 'error', body: Buffer.from(body), errorType: String(m.errorType ?? 'Runtime.Unknown'), fatal: m.fatal === true });
        }
      };
    });
    channel.send({ t: 'init', env: init.env, taskRoot: init.taskRoot, handler: init.handler });
  }

  invoke(m: InvocationMessage): Promise<RuntimeOutcome> {
    return new Promise((settle) => {
      this.current = { id: m.id, settle };
      this.channel.send(
        { t: 'invoke', id: m.id, deadlineMs: m.deadlineMs, arn: m.invokedArn, traceId: m.traceId, clientContext: m.clientContext, cognitoIdentity: m.cognitoIdentity },
        m.payload,
      );
    });
  }

  close(): void {
    this.channel.close();
  }
}
