"""Lambda with boto3: create a Node.js function from an in-memory zip, wait for
it to become Active, read it back, invoke it, and ask for a missing function.

Reads STRATUS_URL, ROOT_AK, ROOT_SK and ROLE_ARN from the environment and
prints one JSON object for the Node test to assert on.
"""
import base64
import hashlib
import io
import json
import os
import zipfile

import boto3

HANDLER = "export const handler = async (event, context) => ({ statusCode: 200, sum: (event.a ?? 0) + (event.b ?? 0), name: context.functionName });"

buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    # World-readable, as Lambda needs it (writestr's default is 0600, which the function's user cannot read).
    entry = zipfile.ZipInfo("index.mjs", date_time=(2026, 1, 1, 0, 0, 0))
    entry.external_attr = 0o644 << 16
    z.writestr(entry, HANDLER, compress_type=zipfile.ZIP_DEFLATED)
package = buf.getvalue()

client = boto3.client(
    "lambda",
    endpoint_url=os.environ["STRATUS_URL"],
    region_name="us-east-1",
    aws_access_key_id=os.environ["ROOT_AK"],
    aws_secret_access_key=os.environ["ROOT_SK"],
)
out = {}
created = client.create_function(
    FunctionName="boto-fn", Runtime="nodejs20.x", Handler="index.handler", Role=os.environ["ROLE_ARN"], Code={"ZipFile": package}
)
out["created"] = created["State"]
client.get_waiter("function_active_v2").wait(FunctionName="boto-fn", WaiterConfig={"Delay": 1, "MaxAttempts": 20})
got = client.get_function(FunctionName="boto-fn")
out["active"] = got["Configuration"]["State"]
out["sha_matches"] = got["Configuration"]["CodeSha256"] == base64.b64encode(hashlib.sha256(package).digest()).decode()
res = client.invoke(FunctionName="boto-fn", Payload=json.dumps({"a": 3, "b": 4}))
out["status"] = res["StatusCode"]
out["payload"] = json.loads(res["Payload"].read())
try:
    client.get_function(FunctionName="nope")
except client.exceptions.ResourceNotFoundException as e:
    out["missing"] = e.response["Error"]["Code"]
print(json.dumps(out))
