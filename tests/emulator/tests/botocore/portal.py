"""ListAccounts through botocore's paginator, GetRoleCredentials, and the
error botocore reports for a bad token, through its sso client.

argv[1]: a valid access token. The endpoint comes from AWS_ENDPOINT_URL_SSO.
Prints a JSON summary as its last line.
"""

import json
import sys

import botocore.session
from botocore import UNSIGNED
from botocore.config import Config


def main():
    token = sys.argv[1]
    client = botocore.session.get_session().create_client(
        "sso", region_name="us-east-1", config=Config(signature_version=UNSIGNED)
    )

    pages = 0
    account_ids = []
    paginator = client.get_paginator("list_accounts")
    for page in paginator.paginate(accessToken=token, PaginationConfig={"PageSize": 100}):
        pages += 1
        account_ids.extend(account["accountId"] for account in page["accountList"])

    roles = client.list_account_roles(accessToken=token, accountId=account_ids[-1])["roleList"]
    credentials = client.get_role_credentials(
        accessToken=token, accountId=account_ids[-1], roleName=roles[0]["roleName"]
    )["roleCredentials"]

    bad = None
    try:
        client.list_accounts(accessToken="not-a-valid-token")
    except client.exceptions.UnauthorizedException as error:
        bad = {
            "modeled": True,
            "code": error.response["Error"]["Code"],
            "message": error.response["Error"]["Message"],
            "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
        }
    except botocore.exceptions.ClientError as error:
        bad = {"modeled": False, "code": error.response["Error"]["Code"]}

    print(
        json.dumps(
            {
                "pages": pages,
                "accountIds": account_ids,
                "roles": [role["roleName"] for role in roles],
                "roleAccountIds": sorted({role["accountId"] for role in roles}),
                "credentials": {
                    "accessKeyId": credentials["accessKeyId"],
                    "secretAccessKeyLength": len(credentials["secretAccessKey"]),
                    "sessionTokenLength": len(credentials["sessionToken"]),
                    "expiration": credentials["expiration"],
                    "expirationIsInt": isinstance(credentials["expiration"], int),
                },
                "badToken": bad,
            }
        ),
        flush=True,
    )


main()
