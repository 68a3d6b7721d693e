/**
 * Subscriptions: Subscribe (endpoint checks per protocol; lambda, sms,
 * application, firehose and same-account sqs are confirmed at once,
 * http/https/email/email-json wait for ConfirmSubscription with the token the
 * delivery half sends them), ConfirmSubscription and Unsubscribe (both also
 * reachable unsigned, from the SubscribeURL/UnsubscribeURL), the two list
 * operations and the subscription attributes.
 * https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html
 * https://docs.aws.amazon.com/sns/latest/api/API_ConfirmSubscription.html
 * https://docs.aws.amazon.com/sns/latest/api/API_Unsubscribe.html
 * https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.confirm.html
 */
import type { RequestContext } from '../../core/context.js';
import { randomHex } from '../../core/ids.js';
import { ConditionFailedError, type WriteOp } from '../../storage/types.js';
import { checkSubscriptionAttribute, subscriptionAttributeMap } from './attributes.js';
import {
  deliveryContext,
  endpointKey,
  findTopic,
  isAnonymous,
  page,
  principalArn,
  requireTopic,
  subscriptionDeleteOps,
  sweepExpired,
  TABLES,
  TOKEN_LIFETIME_MS,
  updateDocument,
  type SnsContext,
  type TokenDoc,
} from './common.js';
import type { SubscriptionDoc, SubscriptionProtocol, TopicDoc } from './contract.js';
import { authorizationError, invalidParameter, subscriptionNotFound, topicNotFound } from './errors.js';
import type { FilterScope } from './filter-policy.js';
import { checkArnShape, isE164, isEmailAddress, isLambdaArn, isServiceArn, newSubscriptionArn, parseSubscriptionArn, parseTopicArn, requireTopicArn, topicKey } from './names.js';

export const PROTOCOLS: readonly SubscriptionProtocol[] = ['http', 'https', 'email', 'email-json', 'sms', 'sqs', 'application', 'lambda', 'firehose'];
/** Protocols whose endpoint must confirm; the delivery half sends them the SubscriptionConfirmation. */
const CONFIRMED_BY_ENDPOINT = new Set<string>(['http', 'https', 'email', 'email-json']);

function checkEndpoint(protocol: SubscriptionProtocol, endpoint: string | undefined, topic: TopicDoc): string {
  // FIFO topics deliver only to SQS queues (https://docs.aws.amazon.com/sns/latest/dg/fifo-message-delivery.html),
  // so HTTP, email and Lambda envelopes never carry FIFO fields.
  if (topic.attributes.FifoTopic === 'true' && protocol !== 'sqs') throw invalidParameter(`Invalid parameter: Invalid protocol type: ${protocol}`);
  if (endpoint === undefined || endpoint === '') throw invalidParameter('Invalid parameter: Endpoint Reason: Endpoint is required');
  switch (protocol) {
    case 'http':
    case 'https': {
      if (!endpoint.startsWith(`${protocol}://`)) throw invalidParameter('Invalid parameter: Endpoint must match the specified protocol');
      try {
        new URL(endpoint);
      } catch {
        throw invalidParameter('Invalid parameter: Endpoint');
      }
      break;
    }
    case 'email':
    case 'email-json':
      if (!isEmailAddress(endpoint)) throw invalidParameter('Invalid parameter: Email address');
      break;
    case 'lambda':
      if (!isLambdaArn(endpoint)) throw invalidParameter('Invalid parameter: Lambda endpoint ARN');
      break;
    case 'sqs':
      if (!isServiceArn(endpoint, 'sqs')) throw invalidParameter('Invalid parameter: SQS endpoint ARN');
      if (endpoint.endsWith('.fifo') && topic.attributes.FifoTopic !== 'true') {
        throw invalidParameter('Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics');
      }
      break;
    case 'firehose':
      if (!isServiceArn(endpoint, 'firehose')) throw invalidParameter('Invalid parameter: Firehose endpoint ARN');
      break;
    case 'application':
      if (!/^arn:aws[a-z-]*:sns:[^:]+:\d{12}:endpoint\/.+/.test(endpoint)) throw invalidParameter('Invalid parameter: Application endpoint arn invalid');
      break;
    case 'sms':
      if (!isE164(endpoint)) throw invalidParameter(`Invalid SMS endpoint: ${endpoint}`);
      break;
  }
  return endpoint;
}

/** Subscribe's Attributes, checked and normalized; the scope comes first since FilterPolicy is checked against it. */
function subscribeAttributes(given: Record<string, string>, sub: Pick<SubscriptionDoc, 'protocol' | 'topicArn' | 'endpoint'>): Record<string, string> {
  const out: Record<string, string> = {};
  const scopeGiven = given.FilterPolicyScope;
  if (scopeGiven !== undefined) out.FilterPolicyScope = checkSubscriptionAttribute('FilterPolicyScope', scopeGiven, sub, 'MessageAttributes', true);
  const scope = (out.FilterPolicyScope ?? 'MessageAttributes') as FilterScope;
  for (const [name, value] of Object.entries(given)) {
    if (name === 'FilterPolicyScope') continue;
    out[name] = checkSubscriptionAttribute(name, value, sub, scope, true);
  }
  return out;
}

function sameValue(a: string | undefined, b: string): boolean {
  if (a === b) return true;
  try {
    return a !== undefined && JSON.stringify(JSON.parse(a)) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
}

interface SubscribeInput {
  TopicArn?: string;
  Protocol?: string;
  Endpoint?: string;
  Attributes?: Record<string, string>;
  ReturnSubscriptionArn?: boolean;
}

async function subscribe(c: SnsContext, input: SubscribeInput, ctx: RequestContext) {
  const ref = requireTopicArn(input.TopicArn, ctx.region);
  if (!input.Protocol) throw invalidParameter('Invalid parameter: Protocol Reason: no value for required parameter');
  const protocol = input.Protocol as SubscriptionProtocol;
  if (!PROTOCOLS.includes(protocol)) throw invalidParameter(`Invalid parameter: Amazon SNS does not support this protocol string: ${input.Protocol}`);
  const topic = (await requireTopic(c, ref)).value;
  const endpoint = checkEndpoint(protocol, input.Endpoint, topic);
  const attributes = subscribeAttributes(input.Attributes ?? {}, { protocol, topicArn: ref.arn, endpoint });
  const dctx = deliveryContext(topic, ctx, ctx.endpoint);

  for (let attempt = 0; ; attempt++) {
    const indexed = await c.deps.store.get<{ arn: string }>(TABLES.endpoints, endpointKey({ topicArn: ref.arn, protocol, endpoint }));
    const existing = indexed && (await c.deps.store.get<SubscriptionDoc>(TABLES.subscriptions, indexed.value.arn));
    if (existing) return resubscribe(c, existing.value, attributes, input.ReturnSubscriptionArn === true, dctx);

    // An sqs queue the subscriber owns needs no confirmation; another account's queue does (by its owner, outside SNS).
    const confirmed = !CONFIRMED_BY_ENDPOINT.has(protocol) && !(protocol === 'sqs' && endpoint.split(':')[4] !== ctx.accountId);
    const now = c.now();
    const sub: SubscriptionDoc = {
      arn: newSubscriptionArn(ref.arn),
      topicArn: ref.arn,
      protocol,
      endpoint,
      owner: ctx.accountId,
      attributes: { ...attributes, RawMessageDelivery: attributes.RawMessageDelivery ?? 'false', ConfirmationWasAuthenticated: confirmed ? 'true' : 'false', SubscriptionPrincipal: principalArn(ctx.principal) },
      status: confirmed ? 'confirmed' : 'pending',
      createdAt: new Date(now).toISOString(),
    };
    const ops: WriteOp[] = [
      { op: 'check', table: TABLES.topics, key: topicKey(ref), condition: { ifExists: true } },
      { op: 'put', table: TABLES.subscriptions, key: sub.arn, value: sub, condition: { ifNotExists: true } },
      { op: 'put', table: TABLES.endpoints, key: endpointKey(sub), value: { arn: sub.arn }, condition: indexed ? { ifVersion: indexed.version } : { ifNotExists: true } },
    ];
    if (!confirmed) {
      sub.token = randomHex(128);
      sub.tokenExpiresAt = now + TOKEN_LIFETIME_MS;
      ops.push(tokenPut(sub));
      if (CONFIRMED_BY_ENDPOINT.has(protocol)) ops.push(...(await c.deps.delivery.confirmationOps(sub, dctx)));
    }
    try {
      await c.deps.store.batch(ops);
    } catch (err) {
      // Another Subscribe of the same endpoint won the race: answer as for a repeated Subscribe.
      if (err instanceof ConditionFailedError && err.table === TABLES.endpoints && attempt < 10) continue;
      if (err instanceof ConditionFailedError && err.table === TABLES.topics) throw topicNotFound();
      throw err;
    }
    if (!confirmed) {
      c.deps.delivery.wake();
      await sweepExpired<TokenDoc>(c, TABLES.tokens, '', (t) => t.expiresAt <= now);
    }
    return { SubscriptionArn: confirmed || input.ReturnSubscriptionArn ? sub.arn : 'pending confirmation' };
  }
}

function tokenPut(sub: SubscriptionDoc, restore?: SubscriptionDoc): WriteOp {
  const doc: TokenDoc = { subscriptionArn: sub.arn, topicArn: sub.topicArn, expiresAt: sub.tokenExpiresAt!, ...(restore ? { restore } : {}) };
  return { op: 'put', table: TABLES.tokens, key: sub.token!, value: doc };
}

/**
 * Subscribe for an endpoint already subscribed: the same ARN, unless other
 * attributes were asked for. A still-pending subscription is sent its
 * confirmation again (with a fresh token once the old one expired).
 */
async function resubscribe(c: SnsContext, sub: SubscriptionDoc, attributes: Record<string, string>, returnArn: boolean, dctx: ReturnType<typeof deliveryContext>) {
  for (const [k, v] of Object.entries(attributes)) {
    const current = sub.attributes[k] ?? (k === 'FilterPolicyScope' ? 'MessageAttributes' : undefined);
    if (!sameValue(current, v)) throw invalidParameter('Invalid parameter: Attributes Reason: Subscription already exists with different attributes');
  }
  if (sub.status === 'confirmed') return { SubscriptionArn: sub.arn };
  if (CONFIRMED_BY_ENDPOINT.has(sub.protocol)) {
    const ops: WriteOp[] = [];
    const now = c.now();
    if (!sub.token || (sub.tokenExpiresAt ?? 0) <= now) {
      sub.token = randomHex(128);
      sub.tokenExpiresAt = now + TOKEN_LIFETIME_MS;
      ops.push({ op: 'put', table: TABLES.subscriptions, key: sub.arn, value: sub, condition: { ifExists: true } }, tokenPut(sub));
    }
    ops.push(...(await c.deps.delivery.confirmationOps(sub, dctx)));
    await c.deps.store.batch(ops);
    c.deps.delivery.wake();
  }
  return { SubscriptionArn: returnArn ? sub.arn : 'pending confirmation' };
}

async function confirmSubscription(c: SnsContext, input: { TopicArn?: string; Token?: string; AuthenticateOnUnsubscribe?: string }, ctx: RequestContext) {
  if (!input.TopicArn) throw invalidParameter('Invalid parameter: TopicArn Reason: no value for required parameter');
  // Unsigned calls (the SubscribeURL) carry no region of their own: the ARN names the topic.
  const ref = parseTopicArn(input.TopicArn);
  if (!ref) throw invalidParameter('Invalid parameter: Topic');
  if (!input.Token) throw invalidParameter('Invalid parameter: Token Reason: no value for required parameter');
  const token = await c.deps.store.get<TokenDoc>(TABLES.tokens, input.Token);
  if (!token || token.value.topicArn !== ref.arn) throw invalidParameter('Invalid parameter: Token');
  if (token.value.expiresAt <= c.now()) {
    await c.deps.store.delete(TABLES.tokens, input.Token, { ifVersion: token.version }).catch(() => undefined);
    throw invalidParameter('Invalid parameter: Token');
  }
  const authenticated = !isAnonymous(ctx) && (input.AuthenticateOnUnsubscribe ?? '').toLowerCase() === 'true';
  const found = await c.deps.store.get<SubscriptionDoc>(TABLES.subscriptions, token.value.subscriptionArn);
  if (!found) return restoreSubscription(c, token.value, authenticated);
  await updateDocument<SubscriptionDoc>(c, TABLES.subscriptions, found.key, () => invalidParameter('Invalid parameter: Token'), (sub) => {
    if (sub.status === 'confirmed' && !authenticated) return undefined;
    sub.status = 'confirmed';
    delete sub.token;
    delete sub.tokenExpiresAt;
    if (authenticated || sub.attributes.ConfirmationWasAuthenticated !== 'true') sub.attributes.ConfirmationWasAuthenticated = authenticated ? 'true' : 'false';
    return [{ op: 'put', table: TABLES.subscriptions, key: sub.arn, value: sub }];
  });
  return { SubscriptionArn: found.value.arn };
}

/** The SubscribeURL of an UnsubscribeConfirmation: the subscription comes back, confirmed, under its old ARN. */
async function restoreSubscription(c: SnsContext, token: TokenDoc, authenticated: boolean) {
  const old = token.restore;
  const topicRef = parseTopicArn(token.topicArn);
  if (!old || !topicRef || !(await findTopic(c, topicRef))) throw invalidParameter('Invalid parameter: Token');
  const indexed = await c.deps.store.get<{ arn: string }>(TABLES.endpoints, endpointKey(old));
  if (indexed) return { SubscriptionArn: indexed.value.arn };
  const sub: SubscriptionDoc = { ...old, status: 'confirmed', attributes: { ...old.attributes, ConfirmationWasAuthenticated: authenticated ? 'true' : 'false' } };
  delete sub.token;
  delete sub.tokenExpiresAt;
  try {
    await c.deps.store.batch([
      { op: 'check', table: TABLES.topics, key: topicKey(topicRef), condition: { ifExists: true } },
      { op: 'put', table: TABLES.subscriptions, key: sub.arn, value: sub, condition: { ifNotExists: true } },
      { op: 'put', table: TABLES.endpoints, key: endpointKey(sub), value: { arn: sub.arn }, condition: { ifNotExists: true } },
    ]);
  } catch (err) {
    if (!(err instanceof ConditionFailedError)) throw err;
    const now = await c.deps.store.get<{ arn: string }>(TABLES.endpoints, endpointKey(old));
    if (now) return { SubscriptionArn: now.value.arn };
    throw invalidParameter('Invalid parameter: Token');
  }
  return { SubscriptionArn: sub.arn };
}

/** The SubscriptionArn parameter of Unsubscribe and the attribute operations. */
function checkSubscriptionArn(text: string | undefined): string {
  if (!text) throw invalidParameter('Invalid parameter: SubscriptionArn Reason: no value for required parameter');
  checkArnShape('SubscriptionArn', text);
  if (text.split(':').length === 6) throw invalidParameter('Invalid parameter: SubscriptionId');
  if (!parseSubscriptionArn(text)) throw invalidParameter('Invalid parameter: SubscriptionArn');
  return text;
}

async function unsubscribe(c: SnsContext, input: { SubscriptionArn?: string }, ctx: RequestContext, attempt = 0): Promise<Record<string, never>> {
  const arn = checkSubscriptionArn(input.SubscriptionArn);
  const found = await c.deps.store.get<SubscriptionDoc>(TABLES.subscriptions, arn);
  if (!found) return {};
  const sub = found.value;
  const topicRef = parseTopicArn(sub.topicArn)!;
  if (isAnonymous(ctx)) {
    // ConfirmSubscription with AuthenticateOnUnsubscribe=true (and subscriptions made by a signed Subscribe) need a signature.
    if (sub.attributes.ConfirmationWasAuthenticated === 'true') throw authorizationError('Unsubscribing this subscription requires AWS authentication');
  } else if (ctx.principal.accountId !== sub.owner && ctx.principal.accountId !== topicRef.accountId) {
    throw authorizationError(`User: ${principalArn(ctx.principal)} is not authorized to perform: SNS:Unsubscribe on resource: ${arn}`);
  }
  const ops: WriteOp[] = [...subscriptionDeleteOps(sub)];
  ops[0] = { ...ops[0]!, condition: { ifVersion: found.version } };
  let wake = false;
  if (sub.protocol === 'http' || sub.protocol === 'https') {
    const topic = (await findTopic(c, topicRef))?.value;
    const gone: SubscriptionDoc = { ...sub, token: randomHex(128), tokenExpiresAt: c.now() + TOKEN_LIFETIME_MS };
    ops.push(tokenPut(gone, sub), ...(await c.deps.delivery.unsubscribeConfirmationOps(gone, deliveryContext(topic, topicRef, ctx.endpoint))));
    wake = true;
  }
  try {
    await c.deps.store.batch(ops);
  } catch (err) {
    // Removed (or changed) concurrently: what is there now decides.
    if (err instanceof ConditionFailedError && err.table === TABLES.subscriptions && attempt < 10) return unsubscribe(c, input, ctx, attempt + 1);
    throw err;
  }
  if (wake) c.deps.delivery.wake();
  return {};
}

function listed(sub: SubscriptionDoc) {
  return { SubscriptionArn: sub.status === 'confirmed' ? sub.arn : 'PendingConfirmation', Owner: sub.owner, Protocol: sub.protocol, Endpoint: sub.endpoint, TopicArn: sub.topicArn };
}

async function listSubscriptions(c: SnsContext, input: { NextToken?: string }, ctx: RequestContext) {
  const { items, nextToken } = await page<SubscriptionDoc>(c, TABLES.subscriptions, `arn:aws:sns:${ctx.region}:${ctx.accountId}:`, input.NextToken);
  return { Subscriptions: items.map(listed), NextToken: nextToken };
}

async function listSubscriptionsByTopic(c: SnsContext, input: { TopicArn?: string; NextToken?: string }, ctx: RequestContext) {
  const ref = requireTopicArn(input.TopicArn, ctx.region);
  await requireTopic(c, ref);
  const { items, nextToken } = await page<SubscriptionDoc>(c, TABLES.subscriptions, `${ref.arn}:`, input.NextToken);
  return { Subscriptions: items.map(listed), NextToken: nextToken };
}

async function getSubscriptionAttributes(c: SnsContext, input: { SubscriptionArn?: string }) {
  const arn = checkSubscriptionArn(input.SubscriptionArn);
  const found = await c.deps.store.get<SubscriptionDoc>(TABLES.subscriptions, arn);
  if (!found) throw subscriptionNotFound();
  const topicRef = parseTopicArn(found.value.topicArn);
  const topic = topicRef ? (await findTopic(c, topicRef))?.value : undefined;
  return { Attributes: subscriptionAttributeMap(found.value, topic) };
}

async function setSubscriptionAttributes(c: SnsContext, input: { SubscriptionArn?: string; AttributeName?: string; AttributeValue?: string }) {
  const arn = checkSubscriptionArn(input.SubscriptionArn);
  const name = input.AttributeName;
  if (!name) throw invalidParameter('Invalid parameter: AttributeName Reason: no value for required parameter');
  const value = input.AttributeValue ?? '';
  await updateDocument<SubscriptionDoc>(c, TABLES.subscriptions, arn, subscriptionNotFound, (sub) => {
    const scope = (name === 'FilterPolicyScope' ? value : (sub.attributes.FilterPolicyScope ?? 'MessageAttributes')) as FilterScope;
    const stored = checkSubscriptionAttribute(name, value, sub, scope, false);
    // A new scope must still fit the policy already set (a nested policy needs MessageBody).
    if (name === 'FilterPolicyScope' && sub.attributes.FilterPolicy) checkSubscriptionAttribute('FilterPolicy', sub.attributes.FilterPolicy, sub, scope, false);
    if (name === 'FilterPolicy' && (stored === '' || stored.trim() === '{}')) delete sub.attributes.FilterPolicy;
    else sub.attributes[name] = stored;
    return [{ op: 'put', table: TABLES.subscriptions, key: arn, value: sub }];
  });
  return {};
}

export function subscriptionHandlers(c: SnsContext) {
  return {
    Subscribe: (input: SubscribeInput, ctx: RequestContext) => subscribe(c, input, ctx),
    ConfirmSubscription: (input: { TopicArn?: string; Token?: string; AuthenticateOnUnsubscribe?: string }, ctx: RequestContext) => confirmSubscription(c, input, ctx),
    Unsubscribe: (input: { SubscriptionArn?: string }, ctx: RequestContext) => unsubscribe(c, input, ctx),
    ListSubscriptions: (input: { NextToken?: string }, ctx: RequestContext) => listSubscriptions(c, input, ctx),
    ListSubscriptionsByTopic: (input: { TopicArn?: string; NextToken?: string }, ctx: RequestContext) => listSubscriptionsByTopic(c, input, ctx),
    GetSubscriptionAttributes: (input: { SubscriptionArn?: string }) => getSubscriptionAttributes(c, input),
    SetSubscriptionAttributes: (input: { SubscriptionArn?: string; AttributeName?: string; AttributeValue?: string }) => setSubscriptionAttributes(c, input),
  };
}
