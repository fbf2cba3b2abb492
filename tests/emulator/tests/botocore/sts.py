"""STS through botocore's own client and its assume-role credential provider.

Reads a JSON object from stdin: `sso` and `expired` credentials
(`accessKeyId`, `secretAccessKey`, `sessionToken`) from the emulator's
portal, and the `roleArn` and `externalId` of a role they may assume.
The endpoint comes from AWS_ENDPOINT_URL_STS; the profiles for the provider
(`chained`, whose `source_profile` holds the `sso` keys) from
AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE. Prints a JSON summary as
its last line.
"""

import json
import sys

import boto3
import botocore.session
from botocore.exceptions import ClientError


def sts_client(keys):
    return botocore.session.get_session().create_client(
        "sts",
        region_name="eu-west-1",
        aws_access_key_id=keys["accessKeyId"],
        aws_secret_access_key=keys["secretAccessKey"],
        aws_session_token=keys["sessionToken"],
    )


def error_of(call):
    """The error botocore parsed from a failed call, or None if it worked."""
    try:
        call()
    except ClientError as error:
        return {
            "code": error.response["Error"]["Code"],
            "message": error.response["Error"]["Message"],
            "type": error.response["Error"].get("Type"),
            "status": error.response["ResponseMetadata"]["HTTPStatusCode"],
        }
    return None


def main():
    given = json.load(sys.stdin)
    sso = given["sso"]

    identity = sts_client(sso).get_caller_identity()
    assumed = sts_client(sso).assume_role(
        RoleArn=given["roleArn"],
        RoleSessionName="botocore-test",
        ExternalId=given["externalId"],
        DurationSeconds=900,
    )
    credentials = assumed["Credentials"]
    assumed_keys = {
        "accessKeyId": credentials["AccessKeyId"],
        "secretAccessKey": credentials["SecretAccessKey"],
        "sessionToken": credentials["SessionToken"],
    }
    assumed_identity = sts_client(assumed_keys).get_caller_identity()

    secret = sso["secretAccessKey"]
    altered = dict(sso, secretAccessKey=secret[:-1] + ("B" if secret[-1] == "A" else "A"))
    bad_signature = error_of(lambda: sts_client(altered).get_caller_identity())
    expired = error_of(lambda: sts_client(given["expired"]).get_caller_identity())

    # botocore's AssumeRoleProvider: role_arn + source_profile in the config file.
    session = boto3.Session(profile_name="chained")
    provided = session.get_credentials()
    frozen = provided.get_frozen_credentials()
    provider_identity = session.client("sts").get_caller_identity()

    print(
        json.dumps(
            {
                "identity": {
                    "arn": identity["Arn"],
                    "account": identity["Account"],
                    "userId": identity["UserId"],
                },
                "assumed": {
                    "arn": assumed["AssumedRoleUser"]["Arn"],
                    "assumedRoleId": assumed["AssumedRoleUser"]["AssumedRoleId"],
                    "accessKeyId": credentials["AccessKeyId"],
                    "expiration": credentials["Expiration"].isoformat(),
                },
                "assumedIdentity": {
                    "arn": assumed_identity["Arn"],
                    "account": assumed_identity["Account"],
                },
                "badSignature": bad_signature,
                "expired": expired,
                "provider": {
                    "method": provided.method,
                    "accessKeyId": frozen.access_key,
                    "arn": provider_identity["Arn"],
                },
            }
        ),
        flush=True,
    )


main()
