"""Print, as JSON, the credentials botocore resolves for a profile.

Used by ssoenv's tests as an independent client: botocore reads the AWS
config file, the AWS CLI's SSO token cache and credential_process output
with its own code, so agreement with ssoenv proves the files and formats.
"""

import json
import sys

import botocore.session

profile = sys.argv[1]
session = botocore.session.Session(profile=profile)
credentials = session.get_credentials()
if credentials is None:
    print(json.dumps({"error": "no credentials"}))
    sys.exit(1)
frozen = credentials.get_frozen_credentials()
print(
    json.dumps(
        {
            "method": credentials.method,
            "access_key_id": frozen.access_key,
            "secret_access_key": frozen.secret_key,
            "session_token": frozen.token,
        }
    )
)
