"""The seed's IAM steps with boto3, then the enforcement checks.

Reads STRATUS_URL, ROOT_AK, ROOT_SK from the environment and prints one JSON
object with what each step returned, for the Node test to assert on.
"""
import json
import os

import boto3
from botocore.exceptions import ClientError

url = os.environ["STRATUS_URL"]
root = dict(aws_access_key_id=os.environ["ROOT_AK"], aws_secret_access_key=os.environ["ROOT_SK"])
iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", **root)

out = {}
iam.create_user(UserName="lambda_upload")
key = iam.create_access_key(UserName="lambda_upload")["AccessKey"]
iam.put_user_policy(
    UserName="lambda_upload",
    PolicyName="lambda-upload-policy",
    PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Action": ["lambda:GetFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration"],
            "Resource": "*",
        }],
    }),
)
iam.create_role(
    RoleName="ContactFormRole",
    AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }),
)
for name in ("AmazonSESFullAccess", "CloudWatchFullAccess"):
    iam.attach_role_policy(RoleName="ContactFormRole", PolicyArn=f"arn:aws:iam::aws:policy/{name}")

out["attached"] = sorted(p["PolicyName"] for p in iam.list_attached_role_policies(RoleName="ContactFormRole")["AttachedPolicies"])
out["inline"] = iam.get_user_policy(UserName="lambda_upload", PolicyName="lambda-upload-policy")["PolicyDocument"]
out["trust"] = iam.get_role(RoleName="ContactFormRole")["Role"]["AssumeRolePolicyDocument"]

user = dict(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
user_iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1", **user)
try:
    user_iam.create_user(UserName="intruder")
    out["denied"] = None
except ClientError as e:
    out["denied"] = {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}
out["identity"] = boto3.client("sts", endpoint_url=url, region_name="us-east-1", **user).get_caller_identity()["Arn"]
print(json.dumps(out))
