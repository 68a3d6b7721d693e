"""boto3's turn in the client matrix: create a Node CJS, a Node ESM and a Python function
from the zips given as base64 in JSON on stdin, invoke each, then update one's code and
configuration and invoke it again. Prints the results as JSON."""
import base64, json, os, sys

import boto3

spec = json.load(sys.stdin)
c = boto3.client('lambda', endpoint_url=os.environ['URL'], region_name='us-east-1',
                 aws_access_key_id=os.environ['AK'], aws_secret_access_key=os.environ['SK'])
out = {}
for f in spec['functions']:
    c.create_function(FunctionName=f['name'], Runtime=f['runtime'], Handler=f['handler'], Role=spec['role'],
                      Code={'ZipFile': base64.b64decode(f['zip'])})
    c.get_waiter('function_active_v2').wait(FunctionName=f['name'])
    out[f['name']] = json.loads(c.invoke(FunctionName=f['name'], Payload=b'{"x":1}')['Payload'].read())
u = spec['update']
c.update_function_code(FunctionName=u['name'], ZipFile=base64.b64decode(u['zip']))
c.get_waiter('function_updated_v2').wait(FunctionName=u['name'])
c.update_function_configuration(FunctionName=u['name'], Environment={'Variables': {'MODE': 'updated'}})
c.get_waiter('function_updated_v2').wait(FunctionName=u['name'])
out['updated'] = json.loads(c.invoke(FunctionName=u['name'], Payload=b'{"x":1}')['Payload'].read())
print(json.dumps(out))
