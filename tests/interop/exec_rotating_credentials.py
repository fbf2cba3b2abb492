"""Resolve credentials with boto3 in a loop, as a long-running program would.

Run by ssoenv's tests as the child of `ssoenv exec`: boto3's own credential
chain must find the container endpoint ssoenv serves (no static variables in
the environment), and keep getting renewed credentials from it as they expire.

Usage: exec_rotating_credentials.py SECONDS
Prints one JSON object: the method boto3 chose, what it observed, and which
credential variables it saw in its environment.
"""

import json
import os
import sys
import time
from datetime import datetime, timezone

import boto3

duration = float(sys.argv[1])
session = boto3.Session()
credentials = session.get_credentials()
if credentials is None:
    print(json.dumps({"error": "boto3 found no credentials"}))
    sys.exit(1)

observations = []
deadline = time.monotonic() + duration
while time.monotonic() < deadline:
    # Refreshes through the endpoint whenever fewer than 15 minutes are left.
    frozen = credentials.get_frozen_credentials()
    expiry = credentials._expiry_time  # the expiry of exactly these credentials
    now = datetime.now(timezone.utc)
    observations.append(
        {
            "access_key": frozen.access_key,
            "has_secret": bool(frozen.secret_key),
            "has_token": bool(frozen.token),
            "seconds_left": (expiry - now).total_seconds(),
        }
    )
    time.sleep(0.2)

print(
    json.dumps(
        {
            "method": credentials.method,
            "observations": observations,
            "env": sorted(
                name
                for name in os.environ
                if name.startswith("AWS_")
                and name
                not in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
                and not name.startswith("AWS_ENDPOINT_URL")
            ),
        }
    )
)
