"""SNS through boto3: topics, a filtered subscription, Publish, PublishBatch
and the errors boto3 maps to its modeled exceptions. boto3 finds Stratus
through AWS_ENDPOINT_URL and the keys through AWS_ACCESS_KEY_ID/SECRET.
Prints one JSON object for the Node test (test/sns-api.test.ts) to assert on.
"""
import json

import boto3
from botocore.exceptions import ClientError

sns = boto3.client("sns", region_name="us-east-1")
out = {}

topic = sns.create_topic(Name="boto3-topic", Attributes={"DisplayName": "From boto3"}, Tags=[{"Key": "team", "Value": "py"}])["TopicArn"]
out["topic"] = topic
out["again"] = sns.create_topic(Name="boto3-topic", Attributes={"DisplayName": "From boto3"})["TopicArn"]
out["displayName"] = sns.get_topic_attributes(TopicArn=topic)["Attributes"]["DisplayName"]

sub = sns.subscribe(
    TopicArn=topic,
    Protocol="lambda",
    Endpoint="arn:aws:lambda:us-east-1:123456789012:function:py-fn",
    Attributes={"FilterPolicy": json.dumps({"kind": ["order"]}), "FilterPolicyScope": "MessageAttributes"},
    ReturnSubscriptionArn=True,
)["SubscriptionArn"]
attrs = sns.get_subscription_attributes(SubscriptionArn=sub)["Attributes"]
out["filterPolicy"] = json.loads(attrs["FilterPolicy"])
out["pending"] = attrs["PendingConfirmation"]

out["messageId"] = sns.publish(TopicArn=topic, Message="hello", Subject="boto3", MessageAttributes={"kind": {"DataType": "String", "StringValue": "order"}})["MessageId"]
batch = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "a", "Message": "one"}, {"Id": "b", "Message": "two"}])
out["batch"] = {"successful": sorted(e["Id"] for e in batch["Successful"]), "failed": batch["Failed"]}

errors = {}
try:
    sns.publish(TopicArn=topic + "-missing", Message="x")
except sns.exceptions.NotFoundException as e:
    errors["notFound"] = [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
try:
    sns.publish(TopicArn=topic, Message="x", MessageAttributes={"n": {"DataType": "Number", "StringValue": "abc"}})
except sns.exceptions.InvalidParameterValueException as e:
    errors["badNumber"] = [e.response["Error"]["Code"], e.response["Error"]["Message"]]
try:
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="not-an-address")
except sns.exceptions.InvalidParameterException as e:
    errors["badEmail"] = [e.response["Error"]["Code"], e.response["Error"]["Message"]]
try:
    sns.set_subscription_attributes(SubscriptionArn=sub, AttributeName="FilterPolicy", AttributeValue=json.dumps({"a": {"b": ["c"]}}))
except ClientError as e:
    errors["nested"] = [e.response["Error"]["Code"], e.response["Error"]["Message"]]
out["errors"] = errors

paginator = sns.get_paginator("list_subscriptions_by_topic")
out["listed"] = [s["SubscriptionArn"] for page in paginator.paginate(TopicArn=topic) for s in page["Subscriptions"]]
sns.unsubscribe(SubscriptionArn=sub)
sns.delete_topic(TopicArn=topic)
out["afterDelete"] = [t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"] == topic]
print(json.dumps(out))
