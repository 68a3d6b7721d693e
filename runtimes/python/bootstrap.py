"""Stratus's Python runtime client: what runs inside an execution environment of the
python3.11/3.12/3.13 runtimes. It behaves like AWS's runtime interface client
(https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html,
https://github.com/aws/aws-lambda-python-runtime-interface-client): `module.function` handlers
(dotted or slash-separated modules), Lambda's context object, errors shaped
{errorMessage, errorType, requestId, stackTrace}, Runtime.ImportModuleError,
Runtime.HandlerNotFound and Runtime.UserCodeSyntaxError, and the root logger formatted as
`[LEVEL]\t<time>\t<requestId>\t<message>`. Multi-line log records are folded with \r so one
record is one log event, as Lambda's telemetry channel keeps them.

It starts unspecialised (pre-spawned by the engine) and talks to the engine over a framed
loopback channel named by _STRATUS_CHANNEL and _STRATUS_CHANNEL_TOKEN (see ../README.md): `init` brings the function's environment variables, task
root and handler; then one `invoke` at a time. Before `init`, the pool may send `warm` (import
what most functions import while waiting), answered with `warm`.
"""
import _socket
import os
import struct
import sys
import time

# The interpreter starts with -S (see src/functions/runtimes.ts): `site` would cost 5-10 ms per
# start, mostly .pth files that import things. What Lambda's interpreters get from it is rebuilt
# here: the builtins it adds, and the site-packages directories (with the plain directory lines
# of their .pth files; `import` lines are not run), which specialise() puts after the function's paths.
import site

site.setquit()
site.setcopyright()
site.sethelper()


def _site_dirs():
    out = []
    for d in site.getsitepackages():
        try:
            names = sorted(os.listdir(d))
        except OSError:
            continue
        out.append(d)
        for name in names:
            if not name.endswith(".pth"):
                continue
            try:
                with open(os.path.join(d, name), encoding="utf-8") as f:
                    lines = f.read().splitlines()
            except (OSError, UnicodeDecodeError):
                continue
            for line in lines:
                line = line.rstrip()
                if not line or line.startswith(("#", "import ", "import\t")):
                    continue
                p = os.path.join(d, line)
                if os.path.isdir(p) and p not in out:
                    out.append(p)
    return out


_SITE_DIRS = _site_dirs()

# The channel's JSON goes through the C codec behind the json module (_json): importing json
# itself costs ~10 ms (it compiles regular expressions). Anything the fast path does not take
# exactly as json would (odd input, a value that needs `default`) is redone by json itself, so
# results and error messages stay json's.
try:
    import _json

    class _DecodeContext(object):
        strict = True
        object_hook = None
        object_pairs_hook = None
        parse_float = float
        parse_int = int
        parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__

    _scan = _json.make_scanner(_DecodeContext())
    _quote = _json.encode_basestring_ascii
    _make_encoder = _json.make_encoder
except Exception:  # pragma: no cover - an interpreter without the C codec
    _scan = None

_WS = " \t\n\r"


def json_loads(text):
    if _scan is not None:
        try:
            start = len(text) - len(text.lstrip(_WS))
            value, end = _scan(text, start)
            if not text[end:].strip(_WS):
                return value
        except Exception:
            pass
    import json

    return json.loads(text)


def json_dumps(value, default=None):
    if _scan is not None:
        try:
            if isinstance(value, str):
                return _quote(value)
            # json.dumps' defaults: check_circular, ensure_ascii, allow_nan, ", " and ": ".
            return "".join(_make_encoder({}, _no_default, _quote, None, ": ", ", ", False, False, True)(value, 0))
        except Exception:
            pass
    import json

    return json.dumps(value, default=default)


def _no_default(o):
    raise TypeError


_host, _port = os.environ.get("_STRATUS_CHANNEL", ":").rsplit(":", 1)
channel = _socket.socket(_socket.AF_INET6 if ":" in _host else _socket.AF_INET, _socket.SOCK_STREAM)
channel.connect((_host, int(_port)))
channel.setsockopt(_socket.IPPROTO_TCP, _socket.TCP_NODELAY, 1)
_buffer = b""


def send(header, body=b""):
    if isinstance(body, str):
        body = body.encode("utf-8")
    h = json_dumps(header).encode("utf-8")
    channel.sendall(struct.pack(">II", len(h), len(body)) + h + body)


def receive():
    global _buffer
    while True:
        if len(_buffer) >= 8:
            hl, bl = struct.unpack(">II", _buffer[:8])
            if len(_buffer) >= 8 + hl + bl:
                header = json_loads(_buffer[8 : 8 + hl].decode("utf-8"))
                body = _buffer[8 + hl : 8 + hl + bl]
                _buffer = _buffer[8 + hl + bl :]
                return header, body
        chunk = channel.recv(1 << 20)
        if not chunk:
            # The engine went away: nothing can reach this environment any more.
            os._exit(0)
        _buffer += chunk


_request_id = ""


def _write_log(text):
    sys.stdout.write(text.rstrip("\n").replace("\n", "\r") + "\n")
    sys.stdout.flush()


def setup_logging(logging):
    class LambdaLoggerHandler(logging.Handler):
        def emit(self, record):
            try:
                _write_log(self.format(record))
            except Exception:
                self.handleError(record)

    class LambdaLoggerFilter(logging.Filter):
        def filter(self, record):
            record.aws_request_id = _request_id
            return True

    logging.Formatter.converter = time.gmtime
    handler = LambdaLoggerHandler()
    handler.setFormatter(
        logging.Formatter(
            "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
            "%Y-%m-%dT%H:%M:%S",
        )
    )
    handler.addFilter(LambdaLoggerFilter())
    logging.getLogger().addHandler(handler)


class _SetUpLoggingOnImport(object):
    """Lambda's runtime has the root logger set up before the function runs. Rather than import
    logging (~5 ms) for functions that never use it, this finder sets it up as the function
    imports it: it finds logging with the other finders and runs setup_logging right after."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name != "logging":
            return None
        if cls in sys.meta_path:
            sys.meta_path.remove(cls)
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find else None
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                exec_module = spec.loader.exec_module

                def exec_and_set_up(module):
                    exec_module(module)
                    setup_logging(module)

                spec.loader.exec_module = exec_and_set_up
                return spec
        # Not found the usual way: let the import system go on, set up when it is there.
        return None


def prepare_logging():
    if "logging" in sys.modules:
        setup_logging(sys.modules["logging"])
    else:
        sys.meta_path.insert(0, _SetUpLoggingOnImport)


class FaultException(Exception):
    def __init__(self, exception_type, msg, trace=None):
        self.exception_type = exception_type
        self.msg = msg
        self.trace = trace


def make_error(message, error_type, stack_trace, request_id=None):
    return {
        "errorMessage": message if message else "",
        "errorType": error_type if error_type else "",
        "requestId": request_id if request_id is not None else "",
        "stackTrace": stack_trace if stack_trace is not None else [],
    }


def log_error(error):
    lines = ["[ERROR]" + (" " + error["errorType"] if error["errorType"] else "")]
    if error["errorMessage"]:
        lines[0] += (":" if error["errorType"] else "") + " " + error["errorMessage"]
    lines.append("Traceback (most recent call last):")
    for element in error["stackTrace"]:
        lines.extend(element.splitlines() if element else [""])
    _write_log("\n".join(lines))


def get_handler(handler):
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(handler, str(e)))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                "Runtime.BuiltInModuleConflict",
                "Cannot use built-in module {} as a handler module".format(modname),
            )
        # importlib.import_module without importing importlib (~1 ms): absolute names only.
        name = modname.replace("/", ".")
        __import__(name)
        module = sys.modules[name]
    except ImportError as e:
        raise FaultException("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(modname, str(e)))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(
            "Runtime.UserCodeSyntaxError", "Syntax error in module '{}': {}".format(modname, str(e)), trace
        )
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException("Runtime.HandlerNotFound", "Handler '{}' missing on module '{}'".format(fname, modname))


class CognitoIdentity(object):
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]


class Client(object):
    __slots__ = ["installation_id", "app_title", "app_version_name", "app_version_code", "app_package_name"]


class ClientContext(object):
    __slots__ = ["custom", "env", "client"]


def make_obj_from_dict(cls, data, obj=None):
    if data is None:
        return None
    obj = obj if obj is not None else cls()
    for slot in cls.__slots__:
        setattr(obj, slot, data.get(slot, None))
    return obj


class LambdaContext(object):
    def __init__(self, request_id, deadline_ms, invoked_arn, client_context, cognito_identity):
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_arn
        self.tenant_id = None
        self.identity = make_obj_from_dict(CognitoIdentity, json_loads(cognito_identity) if cognito_identity else {})
        self.client_context = None
        if client_context:
            data = json_loads(client_context)
            self.client_context = make_obj_from_dict(ClientContext, data)
            if self.client_context is not None:
                self.client_context.client = make_obj_from_dict(Client, data.get("client"))
        self._deadline_ms = int(deadline_ms)

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(round(time.time() * 1000)), 0)

    def log(self, msg):
        sys.stdout.write(str(msg))
        sys.stdout.flush()

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id={},log_group_name={},log_stream_name={},function_name={},"
            "memory_limit_in_mb={},function_version={},invoked_function_arn={},client_context={},identity={}])"
        ).format(
            self.aws_request_id, self.log_group_name, self.log_stream_name, self.function_name,
            self.memory_limit_in_mb, self.function_version, self.invoked_function_arn,
            self.client_context, self.identity,
        )


def decimal_serializer(o):
    # A Decimal in a result means the function imported decimal: no need to import it here.
    decimal = sys.modules.get("decimal")
    if decimal is not None and isinstance(o, decimal.Decimal):
        return float(o)
    raise TypeError(repr(o) + " is not JSON serializable")


def error_from_exception(e, request_id):
    import traceback

    tb = traceback.extract_tb(sys.exc_info()[2])
    # The runtime's own frames are not the function's business.
    tb = [f for f in tb if f.filename != __file__]
    return make_error(str(e), type(e).__name__, traceback.format_list(tb), request_id)


def specialise(header):
    env = header["env"]
    os.environ.clear()
    os.environ.update(env)
    try:
        time.tzset()
    except AttributeError:
        pass
    task_root = header["taskRoot"]
    runtime_dir = os.path.dirname(os.path.abspath(__file__))
    # Lambda's order: the task root first, then PYTHONPATH entries, then the interpreter's own.
    sys.path[:] = [p for p in sys.path if p and os.path.abspath(p) != runtime_dir]
    extra = [p for p in env.get("PYTHONPATH", "").split(":") if p and p != runtime_dir]
    # Layers (and, in a sandbox, the runtime's boto3) live under /opt, as on Lambda.
    layers = [p for p in ("/opt/python/lib/python%d.%d/site-packages" % sys.version_info[:2], "/opt/python") if os.path.isdir(p)]
    sys.path[0:0] = [task_root] + layers + extra
    sys.path.extend(p for p in _SITE_DIRS if p not in sys.path)
    try:
        os.chdir(task_root)
    except OSError:
        pass
    prepare_logging()
    try:
        handler = get_handler(header["handler"])
    except FaultException as e:
        error = make_error(e.msg, e.exception_type, e.trace)
        log_error(error)
        send({"t": "init-error", "errorType": e.exception_type}, json_dumps(error))
        os._exit(1)
    except Exception as e:
        error = error_from_exception(e, None)
        log_error(error)
        send({"t": "init-error", "errorType": error["errorType"]}, json_dumps(error))
        os._exit(1)
    send({"t": "init-done"})
    return handler


def invoke(handler, header, body):
    global _request_id
    request_id = header["id"]
    _request_id = request_id
    if header.get("traceId"):
        os.environ["_X_AMZN_TRACE_ID"] = header["traceId"]
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    try:
        event = json_loads(body.decode("utf-8")) if body else None
    except Exception as e:
        error = make_error("Unable to unmarshal input: {}".format(str(e)), "Runtime.UnmarshalError", None, request_id)
        log_error(error)
        return send({"t": "error", "id": request_id, "errorType": error["errorType"]}, json_dumps(error))
    context = LambdaContext(
        request_id, header["deadlineMs"], header.get("arn"), header.get("clientContext"), header.get("cognitoIdentity")
    )
    try:
        result = handler(event, context)
    except Exception as e:
        error = error_from_exception(e, request_id)
        log_error(error)
        sys.stdout.flush()
        return send({"t": "error", "id": request_id, "errorType": error["errorType"]}, json_dumps(error))
    try:
        payload = json_dumps(result, default=decimal_serializer)
    except Exception as e:
        error = make_error("Unable to marshal response: {}".format(str(e)), "Runtime.MarshalError", None, request_id)
        log_error(error)
        return send({"t": "error", "id": request_id, "errorType": error["errorType"]}, json_dumps(error))
    sys.stdout.flush()
    sys.stderr.flush()
    send({"t": "response", "id": request_id}, payload)


# What a pooled runtime does while it waits, at the engine's request (a cold start waiting for
# this runtime sends `init` instead): import the modules most functions and the runtime's error
# path load, and compile something (the first compile in a process costs ~0.7 ms more).
WARM_STEPS = (
    lambda: __import__("json"),
    lambda: __import__("logging"),
    lambda: __import__("traceback"),
    lambda: compile("def handler(event, context):\n    return event\n", "<warm-up>", "exec"),
)


def warm_up():
    global _buffer
    for step in WARM_STEPS:
        if _buffer:
            return
        try:
            chunk = channel.recv(1 << 20, _socket.MSG_DONTWAIT)
        except BlockingIOError:
            chunk = None
        if chunk is not None:
            if not chunk:
                os._exit(0)
            # A message arrived (an init): it goes first.
            _buffer += chunk
            return
        step()
    send({"t": "warm"})


def main():
    send({"t": "hello", "token": os.environ.get("_STRATUS_CHANNEL_TOKEN"), "pid": os.getpid()})
    handler = None
    while True:
        header, body = receive()
        if header["t"] == "warm":
            warm_up()
        elif header["t"] == "init":
            handler = specialise(header)
        elif header["t"] == "invoke":
            invoke(handler, header, body)


if __name__ == "__main__":
    main()
