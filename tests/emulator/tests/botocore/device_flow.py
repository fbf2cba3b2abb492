"""RegisterClient, StartDeviceAuthorization and CreateToken (pending, then
approved) through botocore's sso-oidc client.

The endpoint comes from AWS_ENDPOINT_URL_SSO_OIDC, as botocore resolves it.
Protocol with the Rust test: after the first (pending) poll, prints one JSON
line with the user code and waits for a line on stdin (the test has approved
the code by then), then polls again and prints a JSON summary as its last
line.
"""

import json
import sys

import botocore.session
from botocore import UNSIGNED
from botocore.config import Config


def main():
    client = botocore.session.get_session().create_client(
        "sso-oidc", region_name="us-east-1", config=Config(signature_version=UNSIGNED)
    )
    registration = client.register_client(clientName="botocore-test", clientType="public")
    start = client.start_device_authorization(
        clientId=registration["clientId"],
        clientSecret=registration["clientSecret"],
        startUrl="https://d-1234567890.awsapps.com/start",
    )
    def create_token():
        return client.create_token(
            clientId=registration["clientId"],
            clientSecret=registration["clientSecret"],
            grantType="urn:ietf:params:oauth:grant-type:device_code",
            deviceCode=start["deviceCode"],
        )

    pending = None
    try:
        create_token()
    except client.exceptions.AuthorizationPendingException as error:
        pending = {
            "code": error.response["Error"]["Code"],
            "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
            "oauthError": error.response.get("error"),
        }

    # Only now may the test approve: the poll above must have seen the code pending.
    print(json.dumps({"userCode": start["userCode"]}), flush=True)
    sys.stdin.readline()
    token = create_token()
    print(
        json.dumps(
            {
                "registration": {
                    "clientIdIssuedAt": registration["clientIdIssuedAt"],
                    "clientSecretExpiresAt": registration["clientSecretExpiresAt"],
                },
                "start": {
                    "verificationUriComplete": start["verificationUriComplete"],
                    "expiresIn": start["expiresIn"],
                    "interval": start["interval"],
                },
                "pending": pending,
                "token": {
                    "accessToken": token["accessToken"],
                    "tokenType": token["tokenType"],
                    "expiresIn": token["expiresIn"],
                    "refreshToken": token.get("refreshToken"),
                },
            }
        ),
        flush=True,
    )


main()
