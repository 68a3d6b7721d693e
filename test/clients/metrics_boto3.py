"""CloudWatch metrics through boto3.

botocore's CloudWatch model lists the protocols ['smithy-rpc-v2-cbor', 'json',
'query'] and botocore picks by its own priority (json first, in 1.43).
BOTOCORE_PROTOCOL moves one protocol to the front of that priority, so the
same calls can run over smithy RPC v2 CBOR.

Reads STRATUS_URL, ROOT_AK, ROOT_SK and FUNCTION from the environment, after
the Node test has invoked FUNCTION 3 times successfully, once failing and once
throttled; prints one JSON object with what each call returned.
"""
import datetime
import json
import os

import boto3
import botocore.model
from botocore.exceptions import ClientError

preferred = os.environ.get("BOTOCORE_PROTOCOL")
if preferred:
    order = botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS
    botocore.model.PRIORITY_ORDERED_SUPPORTED_PROTOCOLS = (preferred,) + tuple(p for p in order if p != preferred)

cw = boto3.client(
    "cloudwatch",
    endpoint_url=os.environ["STRATUS_URL"],
    region_name="us-east-1",
    aws_access_key_id=os.environ["ROOT_AK"],
    aws_secret_access_key=os.environ["ROOT_SK"],
)
fn = [{"Name": "FunctionName", "Value": os.environ["FUNCTION"]}]
now = datetime.datetime.now(datetime.timezone.utc)
start = now - datetime.timedelta(minutes=10)
end = now + datetime.timedelta(minutes=1)


def error_of(call, **kwargs):
    try:
        call(**kwargs)
    except ClientError as e:
        return {
            "class": type(e).__name__,
            "code": e.response["Error"]["Code"],
            "message": e.response["Error"]["Message"],
            "status": e.response["ResponseMetadata"]["HTTPStatusCode"],
        }
    return None


def stats(metric, statistics, namespace="AWS/Lambda", dims=fn, period=3600):
    return cw.get_metric_statistics(
        Namespace=namespace, MetricName=metric, Dimensions=dims, StartTime=start, EndTime=end, Period=period, Statistics=statistics
    )["Datapoints"]


out = {"protocol": cw.meta.service_model.resolved_protocol}
out["sums"] = {m: sum(d["Sum"] for d in stats(m, ["Sum", "SampleCount"])) for m in ("Invocations", "Errors", "Throttles")}

duration = stats("Duration", ["SampleCount", "Average", "Minimum", "Maximum"])
out["duration"] = {
    "points": len(duration),
    "sampleCount": duration[0]["SampleCount"],
    "unit": duration[0]["Unit"],
    "ordered": 0 <= duration[0]["Minimum"] <= duration[0]["Average"] <= duration[0]["Maximum"],
    "timestampIsDatetime": isinstance(duration[0]["Timestamp"], datetime.datetime),
}

data = cw.get_metric_data(
    StartTime=start,
    EndTime=end,
    MetricDataQueries=[{"Id": "inv", "MetricStat": {"Metric": {"Namespace": "AWS/Lambda", "MetricName": "Invocations", "Dimensions": fn}, "Period": 3600, "Stat": "Sum"}}],
)["MetricDataResults"][0]
out["data"] = {"id": data["Id"], "status": data["StatusCode"], "sum": sum(data["Values"]), "timestamps": len(data["Timestamps"])}

pages = cw.get_paginator("list_metrics").paginate(Namespace="AWS/Lambda", Dimensions=[{"Name": "FunctionName", "Value": os.environ["FUNCTION"]}])
out["names"] = sorted({m["MetricName"] for page in pages for m in page["Metrics"]})
out["throttlesOnly"] = cw.list_metrics(Namespace="AWS/Lambda", MetricName="Throttles", Dimensions=[{"Name": "FunctionName"}])["Metrics"]

# One namespace per protocol, so runs over each protocol start from zero.
custom_ns = "Boto3/" + out["protocol"]
dims = [{"Name": "Shop", "Value": "py"}]
cw.put_metric_data(
    Namespace=custom_ns,
    MetricData=[
        {"MetricName": "Placed", "Dimensions": dims, "Value": 5, "Unit": "Count"},
        {"MetricName": "Placed", "Dimensions": dims, "Values": [1, 2], "Counts": [1, 3], "Unit": "Count"},
    ],
)
custom = stats("Placed", ["Sum", "SampleCount", "Maximum", "Minimum"], namespace=custom_ns, dims=dims, period=300)
out["custom"] = [{k: v for k, v in d.items() if k != "Timestamp"} for d in custom]

sent = []
cw.meta.events.register("before-send.cloudwatch.*", lambda request, **_: sent.append((request.url, request.headers.get("smithy-protocol"), request.headers.get("X-Amz-Target"))))
cw.list_metrics(Namespace="AWS/Lambda", MetricName="Errors")
url, smithy, target = sent[-1]
out["wire"] = {"path": url.split("/", 3)[3] if url.count("/") >= 3 else "", "smithyProtocol": smithy.decode() if isinstance(smithy, bytes) else smithy, "target": target.decode() if isinstance(target, bytes) else target}

base = {"Namespace": "AWS/Lambda", "MetricName": "Invocations", "StartTime": start, "EndTime": end, "Period": 60, "Statistics": ["Sum"]}
out["errors"] = {
    "period": error_of(cw.get_metric_statistics, **{**base, "Period": 90}),
    "noStatistics": error_of(cw.get_metric_statistics, **{k: v for k, v in base.items() if k != "Statistics"}),
    "reversed": error_of(cw.get_metric_statistics, **{**base, "StartTime": end, "EndTime": start}),
    "expression": error_of(cw.get_metric_data, StartTime=start, EndTime=end, MetricDataQueries=[{"Id": "e1", "Expression": "SUM(METRICS())"}]),
    "reservedNamespace": error_of(cw.put_metric_data, Namespace="AWS/Lambda", MetricData=[{"MetricName": "x", "Value": 1}]),
}
try:
    cw.get_metric_statistics(**{**base, "Period": 90})
    out["modeledClass"] = False
except cw.exceptions.InvalidParameterValueException:
    out["modeledClass"] = True

print(json.dumps(out))
