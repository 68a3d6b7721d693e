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

# --- the seed's handler, verbatim but for send_to -------------------------
import boto3
from base64 import b64decode
from urllib.parse import parse_qs

# Remplacez votre adresse email ici
send_to = 'contact@seed.example'

def lambda_handler(event, context):
    # Nous recevons nos données via des requêtes POST. API Gateway
    # envoie les données POST sous forme de chaîne encodée en Base64 dans
    # event['body'], donc nous devons la décoder.
    data = parse_qs(b64decode(event['body']).decode())

    subject = 'Vous avez un message de %s' % data['email'][0]
    text = '\n'.join([
        'Nom : %s' % data['name'][0],
        'Email : %s' % data['email'][0],
        'Message %s' % data['message'][0]
    ])

    # Envoyer un email via SES avec l'API SendEmail
    client = boto3.client('ses', region_name='us-east-1')
    client.send_email(
        Source=send_to,
        Destination={'ToAddresses': [send_to]},
        Message={
            'Subject': {'Data': subject},
            'Body': {'Text': {'Data': text}}
        },
        ReplyToAddresses=[data['email'][0]]
    )

    # Il s'agit de la réponse qui sera envoyée via
    # l'API Gateway au navigateur.
    return {
        'statusCode': 200,
        'headers': {
            'Access-Control-Allow-Origin': '*'
        },
        'body': '"Succès"' # jquery attend une réponse JSON
    }
# ---------------------------------------------------------------------------

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
