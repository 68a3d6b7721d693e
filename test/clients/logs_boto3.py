"""CloudWatch Logs through boto3: the calls a Python app or script makes.

Reads STRATUS_URL, ROOT_AK, ROOT_SK from the environment and prints one JSON
object with what each step returned, for the Node test to assert on.
"""
import json
import os
import time

import boto3
from botocore.exceptions import ClientError

url = os.environ["STRATUS_URL"]
logs = boto3.client(
    "logs",
    endpoint_url=url,
    region_name="us-east-1",
    aws_access_key_id=os.environ["ROOT_AK"],
    aws_secret_access_key=os.environ["ROOT_SK"],
)


def error_of(call, **kwargs):
    try:
        call(**kwargs)
    except ClientError as e:
        return {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
    return None


out = {}
group = "/boto3/app"
logs.create_log_group(logGroupName=group, tags={"team": "py"})
for s in ("s-a", "s-b"):
    logs.create_log_stream(logGroupName=group, logStreamName=s)

now = int(time.time() * 1000)
put = logs.put_log_events(
    logGroupName=group,
    logStreamName="s-a",
    logEvents=[{"timestamp": now - 2000 + i, "message": f"boto3 line {i}" + (" ERROR" if i % 3 == 0 else "")} for i in range(12)],
)
out["nextSequenceToken"] = put.get("nextSequenceToken")
logs.put_log_events(logGroupName=group, logStreamName="s-b", logEvents=[{"timestamp": now, "message": json.dumps({"level": "error", "code": 503})}])

got = logs.get_log_events(logGroupName=group, logStreamName="s-a", startFromHead=True, limit=5)
out["get"] = [e["message"] for e in got["events"]]
out["forwardToken"] = got["nextForwardToken"]

pages = logs.get_paginator("filter_log_events").paginate(logGroupName=group, filterPattern="ERROR", PaginationConfig={"PageSize": 2})
out["filtered"] = [e["message"] for page in pages for e in page["events"]]
out["json"] = [e["message"] for e in logs.filter_log_events(logGroupName=group, filterPattern='{ $.code >= 500 && $.level = "error" }')["events"]]

streams = logs.get_paginator("describe_log_streams").paginate(logGroupName=group, orderBy="LastEventTime", descending=True, PaginationConfig={"PageSize": 1})
out["streams"] = [s["logStreamName"] for page in streams for s in page["logStreams"]]
out["tags"] = logs.list_tags_for_resource(resourceArn=f"arn:aws:logs:us-east-1:123456789012:log-group:{group}")["tags"]

out["errors"] = {
    "exists": error_of(logs.create_log_group, logGroupName=group),
    "noGroup": error_of(logs.get_log_events, logGroupName="/missing", logStreamName="x"),
    "noStream": error_of(logs.put_log_events, logGroupName=group, logStreamName="missing", logEvents=[{"timestamp": now, "message": "x"}]),
    "retention": error_of(logs.put_retention_policy, logGroupName=group, retentionInDays=2),
}
print(json.dumps(out))
