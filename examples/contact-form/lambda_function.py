import boto3
from base64 import b64decode
from urllib.parse import parse_qs

# Remplacez votre adresse email ici
send_to = 'contact@example.com'

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
