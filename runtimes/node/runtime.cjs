/**
 * Stratus's Node.js runtime client: what runs inside an execution environment of the
 * nodejs20.x/22.x/24.x runtimes. It behaves like AWS's runtime interface client
 * (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html,
 * https://github.com/aws/aws-lambda-nodejs-runtime-interface-client): handlers are loaded as
 * `file.export` (nested directories, CommonJS, ESM via `.mjs` or `"type":"module"`), called in the
 * async, promise-returning or callback style, with Lambda's context object; console output is
 * prefixed `<ISO time>\t<requestId>\t<LEVEL>\t<message>` (newlines folded to \r so that one call
 * is one log event, as Lambda does); errors are `{errorType, errorMessage, trace}` as Lambda's
 * Node runtime answers them.
 *
 * It starts unspecialised (pre-spawned by the engine) and talks to the engine over a framed
 * channel on fd 3 instead of the HTTP Runtime API, to save a round trip per invocation; the
 * framing is described in ../README.md. The engine sends `init` (environment variables, task
 * root, handler), then one `invoke` at a time.
 */
'use strict';

const net = require('node:net');
const util = require('node:util');
const path = require('node:path');
const fs = require('node:fs');
const Module = require('node:module');

const [channelHost, channelPort] = (process.env._STRATUS_CHANNEL || '').split(':');
const channelToken = process.env._STRATUS_CHANNEL_TOKEN;
const channel = net.connect({ host: channelHost, port: Number(channelPort), noDelay: true });

// ---- framing: [u32 header length][u32 body length][header JSON][body] ----
function send(header, body) {
  const h = Buffer.from(JSON.stringify(header));
  const b = body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(body) ? body : Buffer.from(body);
  const prefix = Buffer.allocUnsafe(8);
  prefix.writeUInt32BE(h.length, 0);
  prefix.writeUInt32BE(b.length, 4);
  channel.write(b.length ? Buffer.concat([prefix, h, b]) : Buffer.concat([prefix, h]));
}

let pending = Buffer.alloc(0);
channel.on('data', (chunk) => {
  pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
  while (pending.length >= 8) {
    const hl = pending.readUInt32BE(0);
    const bl = pending.readUInt32BE(4);
    if (pending.length < 8 + hl + bl) break;
    const header = JSON.parse(pending.subarray(8, 8 + hl).toString('utf8'));
    const body = pending.subarray(8 + hl, 8 + hl + bl);
    pending = pending.subarray(8 + hl + bl);
    onMessage(header, body);
  }
});
// The engine went away: nothing can reach this environment any more.
channel.on('end', () => process.exit(0));
channel.on('error', () => process.exit(0));

// ---- console, as Lambda patches it (LogPatch.js) ----
const REQUEST_ID = Symbol.for('aws.lambda.runtime.requestId');
function logLine(level, message) {
  const line = `${new Date().toISOString()}\t${globalThis[REQUEST_ID]}\t${level}\t${message}`.replace(/\n/g, '\r');
  process.stdout.write(line + '\n');
}
for (const [name, level] of [['log', 'INFO'], ['info', 'INFO'], ['debug', 'DEBUG'], ['warn', 'WARN'], ['error', 'ERROR'], ['trace', 'TRACE'], ['fatal', 'FATAL']]) {
  console[name] = (msg, ...params) => logLine(level, util.format(msg, ...params));
}

// ---- errors (Errors.js) ----
function isError(e) {
  return util.types.isNativeError(e) || (e && typeof e.name === 'string' && typeof e.message === 'string' && typeof e.stack === 'string');
}
function toRapidResponse(error) {
  try {
    if (isError(error)) return { errorType: error.name, errorMessage: error.message, trace: error.stack.split('\n') };
    return { errorType: typeof error, errorMessage: String(error), trace: [] };
  } catch {
    return { errorType: 'handled', errorMessage: 'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack' };
  }
}
function toFormatted(error) {
  try {
    return '\t' + JSON.stringify(error, (_k, v) => {
      if (!(v instanceof Error)) return v;
      const ret = Object.assign({ errorType: v.name, errorMessage: v.message, code: v.code }, v);
      if (typeof v.stack === 'string') ret.stack = v.stack.split('\n');
      return ret;
    });
  } catch {
    return '\t' + JSON.stringify(toRapidResponse(error));
  }
}
const intoError = (err) => (err instanceof Error ? err : new Error(err));
function runtimeError(name, message) {
  const e = new Error(message);
  e.name = `Runtime.${name}`;
  return e;
}

// ---- handler loading (UserFunction.js) ----
function hasTypeModule(folder) {
  if (folder.endsWith('/node_modules')) return false;
  const pj = path.join(folder, 'package.json');
  if (fs.existsSync(pj)) {
    try {
      return JSON.parse(fs.readFileSync(pj, 'utf8'))?.type === 'module';
    } catch (e) {
      console.warn(`${pj} cannot be read, it will be ignored for ES module detection purposes.`, e);
      return false;
    }
  }
  return folder === '/' ? false : hasTypeModule(path.resolve(folder, '..'));
}
const tryRequire = (file) => (fs.existsSync(file) ? require(file) : undefined);
const tryImport = async (file) => (fs.existsSync(file) ? await import(file) : undefined);

async function loadModule(appRoot, moduleRoot, name) {
  const base = path.resolve(appRoot, moduleRoot, name);
  const bare = tryRequire(base);
  if (bare) return bare;
  const esm = fs.existsSync(base + '.js') && hasTypeModule(path.dirname(base + '.js'));
  if (!esm) {
    const cjs = tryRequire(base + '.js');
    if (cjs) return cjs;
  }
  const loaded = (esm && (await tryImport(base + '.js'))) || (await tryImport(base + '.mjs')) || tryRequire(base + '.cjs');
  if (loaded) return loaded;
  return require(require.resolve(name, { paths: [appRoot, moduleRoot] }));
}

async function loadHandler(appRoot, fullHandler) {
  if (fullHandler.includes('..')) {
    throw runtimeError('MalformedHandlerName', `'${fullHandler}' is not a valid handler name. Use absolute paths when specifying root directories in handler names.`);
  }
  const handlerString = path.basename(fullHandler);
  const moduleRoot = fullHandler.substring(0, fullHandler.indexOf(handlerString));
  const match = /^([^.]*)\.(.*)$/.exec(handlerString);
  if (!match) throw runtimeError('MalformedHandlerName', 'Bad handler');
  let app;
  try {
    app = await loadModule(appRoot, moduleRoot, match[1]);
  } catch (e) {
    if (e instanceof SyntaxError) throw runtimeError('UserCodeSyntaxError', String(e));
    if (e && e.code === 'MODULE_NOT_FOUND') throw runtimeError('ImportModuleError', String(e));
    throw e;
  }
  const fn = match[2].split('.').reduce((o, k) => o && o[k], app);
  if (!fn) throw runtimeError('HandlerNotFound', `${fullHandler} is undefined or not exported`);
  if (typeof fn !== 'function') throw runtimeError('HandlerNotFound', `${fullHandler} is not a function`);
  return fn;
}

// ---- specialisation ----
function applyEnvironment(env) {
  for (const k of Object.keys(process.env)) if (!(k in env)) delete process.env[k];
  Object.assign(process.env, env);
  // NODE_PATH is read once at startup; this process started before it knew the function.
  Module._initPaths();
}

let handler;
let onBeforeExit = () => {};
process.on('beforeExit', () => onBeforeExit());

const errorCallbacks = {
  uncaughtException: (error) => {
    send({ t: 'init-error', errorType: toRapidResponse(error).errorType }, JSON.stringify(toRapidResponse(error)));
    channel.end(() => process.exit(129));
  },
  unhandledRejection: (error) => {
    send({ t: 'init-error', errorType: toRapidResponse(error).errorType }, JSON.stringify(toRapidResponse(error)));
    channel.end(() => process.exit(128));
  },
};
process.on('uncaughtException', (error) => {
  console.error('Uncaught Exception', toFormatted(error));
  errorCallbacks.uncaughtException(error);
});
process.on('unhandledRejection', (reason, promise) => {
  const error = runtimeError('UnhandledPromiseRejection', reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason));
  error.reason = reason;
  error.promise = promise;
  console.error('Unhandled Promise Rejection', toFormatted(error));
  errorCallbacks.unhandledRejection(error);
});

async function initialise(msg) {
  applyEnvironment(msg.env);
  try {
    process.chdir(msg.taskRoot);
  } catch {
    // The task root is a plain directory in every executor; a failure is reported by the load below.
  }
  try {
    handler = await loadHandler(msg.taskRoot, msg.handler);
  } catch (error) {
    console.error('Uncaught Exception', toFormatted(error));
    errorCallbacks.uncaughtException(error);
    return;
  }
  send({ t: 'init-done' });
}

// ---- invocation (Runtime.js, CallbackContext.js, InvokeContext.js) ----
function finish(header, body) {
  onBeforeExit = () => {};
  send(header, body);
  channel.ref();
}

function serialise(result) {
  try {
    return JSON.stringify(result === undefined ? null : result);
  } catch {
    return undefined;
  }
}

function invoke(msg, body) {
  const id = msg.id;
  globalThis[REQUEST_ID] = id;
  if (msg.traceId) process.env._X_AMZN_TRACE_ID = msg.traceId;
  else delete process.env._X_AMZN_TRACE_ID;
  let completed = false;
  // fatal: the runtime exits right after (uncaught exception), so the engine must not reuse it.
  const postError = (err, fatal) => {
    if (completed) return;
    completed = true;
    if (!fatal) console.error('Invoke Error', toFormatted(intoError(err)));
    const response = toRapidResponse(err);
    finish({ t: 'error', id, errorType: response.errorType, fatal: !!fatal }, JSON.stringify(response));
  };
  const complete = (result) => {
    if (completed) {
      console.error('Invocation has already been reported as done. Cannot call complete more than once per invocation.');
      return;
    }
    const text = serialise(result);
    if (text === undefined) return postError(new Error('Unable to stringify response body'));
    completed = true;
    finish({ t: 'response', id }, text);
  };
  let waitForEmptyEventLoop = true;
  let finished = false;
  const once = (fn) => (...args) => {
    if (finished) return;
    finished = true;
    fn(...args);
  };
  const callback = once((err, result) => {
    onBeforeExit = () => {};
    if (err !== undefined && err !== null) return postError(err);
    if (!waitForEmptyEventLoop) return complete(result);
    onBeforeExit = () => setImmediate(() => complete(result));
  });
  const done = (err, result) => {
    onBeforeExit = () => {};
    if (err !== undefined && err !== null) postError(err);
    else complete(result);
  };
  const context = {
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value) {
      waitForEmptyEventLoop = value;
    },
    succeed: once((result) => done(null, result)),
    fail: once((err) => done(err === undefined || err === null ? 'handled' : err, null)),
    done: once(done),
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: msg.clientContext ? JSON.parse(msg.clientContext) : undefined,
    identity: msg.cognitoIdentity ? JSON.parse(msg.cognitoIdentity) : undefined,
    invokedFunctionArn: msg.arn,
    awsRequestId: id,
    getRemainingTimeInMillis: () => msg.deadlineMs - Date.now(),
  };
  // A handler that never settles and leaves nothing pending answers null, as on Lambda.
  onBeforeExit = () => {
    completed = finished = true;
    finish({ t: 'response', id }, 'null');
  };
  errorCallbacks.uncaughtException = (error) => {
    postError(error, true);
    channel.end(() => process.exit(129));
  };
  errorCallbacks.unhandledRejection = (error) => {
    postError(error, true);
    channel.end(() => process.exit(128));
  };
  // The channel must not keep the event loop alive while the handler runs, or
  // callbackWaitsForEmptyEventLoop could never see an empty loop.
  channel.unref();
  let event;
  try {
    event = JSON.parse(body.length ? body.toString('utf8') : 'null');
  } catch (e) {
    return postError(runtimeError('UnmarshalError', `Unable to parse event: ${e.message}`));
  }
  try {
    const result = handler(event, context, callback);
    if (result && typeof result.then === 'function') result.then(context.succeed, context.fail);
  } catch (err) {
    callback(err);
  }
}

function onMessage(header, body) {
  warming = false;
  if (header.t === 'init') initialise(header);
  else if (header.t === 'invoke') invoke(header, body);
}

// ---- warm-up (pre-spawned runtimes only) ----
// What loading almost any handler costs the first time, paid while this runtime waits in the
// pool: the ES module loader (initialised on the first import()), the built-ins SDKs require,
// util.format for console. Each step yields, so a cold start that claimed this runtime while it
// was still starting is not held up: an `init` stops the warm-up. `warm` tells the pool it is done.
const WARM_STEPS = [
  // First: a cold start that claimed this runtime as it started sends its init right after hello,
  // and most handlers are ES modules.
  () => import(require('node:url').pathToFileURL(path.join(__dirname, 'warm.mjs')).href),
  ...['node:crypto', 'node:http', 'node:https', 'node:url', 'node:stream', 'node:zlib', 'node:os', 'node:string_decoder', 'node:querystring', 'node:fs/promises', 'node:events', 'node:buffer', 'node:timers/promises'].map((m) => () => require(m)),
  () => util.format('%s %d %j %o', 'x', 1, { a: [1] }, { b: 'c' }),
  () => require('node:crypto').randomUUID(),
];
let warming = true;
async function warmUp() {
  for (const step of WARM_STEPS) {
    await new Promise((ok) => setImmediate(ok));
    if (!warming) return;
    try {
      await step();
    } catch {
      // Only ever an optimisation.
    }
  }
  if (warming) send({ t: 'warm' });
  warming = false;
}

send({ t: 'hello', token: channelToken, pid: process.pid });
void warmUp();

