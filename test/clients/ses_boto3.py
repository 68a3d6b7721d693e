"""SES through boto3, the way the seed tutorial uses it.

Verifies the address (VerifyEmailIdentity, then the link from the inbox, as
the tutorial's console step), then runs the seed's Lambda handler unchanged
except for send_to, which the tutorial tells you to edit. boto3 finds Stratus
through AWS_ENDPOINT_URL and the keys through AWS_ACCESS_KEY_ID/SECRET, as the
seed's bare boto3.client('ses', region_name='us-east-1') does inside Lambda.
Prints one JSON object for the Node test (test/ses.test.ts) to assert on.
"""
import json
import os
import re
import urllib.request
from base64 import b64encode
from urllib.parse import urlencode

import boto3
from botocore.exceptions import ClientError

url = os.environ["AWS_ENDPOINT_URL"]
out = {}

# The seed's handler is the example's own file (the tutorial's code, verbatim but for
# send_to); this script points send_to at its own address, as the tutorial says to edit it.
import importlib.util
_spec = importlib.util.spec_from_file_location(
    "lambda_function", os.path.join(os.path.dirname(__file__), "..", "..", "examples", "contact-form", "lambda_function.py"))
seed = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(seed)
send_to = seed.send_to = 'contact@seed.example'
lambda_handler = seed.lambda_handler

event = {"body": b64encode(urlencode({"name": "John", "email": "john@example.com", "message": "bonjour"}).encode()).decode(), "isBase64Encoded": True}
ses = boto3.client("ses", region_name="us-east-1")

# Before verification: the sandbox refuses the unverified address.
try:
    lambda_handler(event, None)
    out["before"] = None
except ClientError as e:
    out["before"] = {"code": e.response["Error"]["Code"], "message": e.response["Error"]["Message"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"]}

# The tutorial's SES step: verify the address, open the link in the mail.
ses.verify_email_identity(EmailAddress=send_to)
out["pending"] = ses.get_identity_verification_attributes(Identities=[send_to])["VerificationAttributes"]
inbox = json.load(urllib.request.urlopen(url + "/_stratus/ses/messages?to=" + send_to))["messages"]
mail = json.load(urllib.request.urlopen(url + "/_stratus/ses/messages/" + inbox[-1]["id"]))
out["verificationSubject"] = mail["subject"]
out["verificationFrom"] = mail["from"]
link = re.search(r"http\S+/_stratus/ses/verify\?token=\S+", mail["text"]).group(0)
page = urllib.request.urlopen(link)
out["pageStatus"] = page.status
out["page"] = page.read().decode()
out["verified"] = ses.get_identity_verification_attributes(Identities=[send_to])["VerificationAttributes"]

out["result"] = lambda_handler(event, None)
out["identities"] = ses.list_identities()["Identities"]
out["quota"] = ses.get_send_quota()
out["quota"].pop("ResponseMetadata")
print(json.dumps(out))
