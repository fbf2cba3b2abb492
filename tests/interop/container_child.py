"""Ask boto3 for credentials every second, inside a container.

Run by tests/container.rs as the command of `ssoenv exec --container --
podman run … python3 /child.py SECONDS`, in an image with Debian's own
python3-boto3 (botocore 1.29, which knows no
AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE). boto3's own credential chain must
find what ssoenv mounted, and keep getting renewed credentials as they
expire.

Prints one JSON object: the method boto3 chose, botocore's version, what it
observed each second (the values in full: they come from the test's
emulator, and the test looks for them in `podman inspect`), and which AWS_
variables the container has.
"""

import json
import os
import sys
import time
from datetime import datetime, timezone

import boto3
import botocore

duration = float(sys.argv[1])
credentials = boto3.Session().get_credentials()
observations = []
deadline = time.monotonic() + duration
while time.monotonic() < deadline:
    if credentials is None:
        observations.append({"error": "boto3 found no credentials"})
    else:
        try:
            # Refreshes through credential_process whenever fewer than 15
            # minutes are left: with 20-second credentials, at every call.
            frozen = credentials.get_frozen_credentials()
            left = (credentials._expiry_time - datetime.now(timezone.utc)).total_seconds()
            observations.append(
                {
                    "access_key": frozen.access_key,
                    "secret": frozen.secret_key,
                    "token": frozen.token,
                    "seconds_left": left,
                }
            )
        except Exception as error:  # the test shows what went wrong
            observations.append({"error": repr(error)})
    time.sleep(1)

print(
    json.dumps(
        {
            "method": credentials.method if credentials else None,
            "botocore": botocore.__version__,
            "observations": observations,
            "env": sorted(name for name in os.environ if name.startswith("AWS_")),
        }
    ),
    flush=True,
)
