"""botocore's own SSO credential provider, reading the token cache that
`sso-emulator --write-token-cache` wrote, for the profile named in argv[1].

HOME, AWS_CONFIG_FILE and AWS_ENDPOINT_URL_SSO come from the environment.
Prints a JSON summary as its last line.
"""

import json
import sys
import time

import boto3


def main():
    session = boto3.Session(profile_name=sys.argv[1])
    credentials = session.get_credentials()
    frozen = credentials.get_frozen_credentials()
    expiry = getattr(credentials, "_expiry_time", None)
    print(
        json.dumps(
            {
                "method": credentials.method,
                "accessKeyId": frozen.access_key,
                "secretAccessKeyLength": len(frozen.secret_key),
                "sessionTokenLength": len(frozen.token or ""),
                "expiresInSeconds": None if expiry is None else expiry.timestamp() - time.time(),
            }
        ),
        flush=True,
    )


main()
