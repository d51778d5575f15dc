#!/usr/bin/env python3
"""Verifies a webhook delivery (Standard Webhooks), as docs/connectors.md quotes it; Python 3.9+,
standard library only.

    python3 verify.py SECRET ID TIMESTAMP BODY_FILE HEADER [NOW]

SECRET is the subscription's `whsec_...`, ID, TIMESTAMP and HEADER the delivery's `webhook-id`,
`webhook-timestamp` and `webhook-signature` headers, BODY_FILE a file holding the request body's
exact bytes, NOW the current Unix time (default: this machine's clock). Exits 0 when the
delivery is genuine and fresh, 1 when it is not (2 on a usage error).
"""

import base64
import hashlib
import hmac
import sys
import time


def verify(secret, msg_id, timestamp, body, header, now=None):
    """True when `timestamp` is within five minutes of `now` and one of the space-separated
    `v1,<base64>` signatures of `header` is the HMAC-SHA256 of `{msg_id}.{timestamp}.{body}`
    keyed with the base64-decoded part of `secret` after `whsec_`."""
    now = time.time() if now is None else now
    try:
        if abs(now - int(timestamp)) > 5 * 60:
            return False  # too old (a replay) or from the future
        key = base64.b64decode(secret.removeprefix("whsec_"), validate=True)
    except ValueError:
        return False
    signed = f"{msg_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, signature.removeprefix("v1,"))  # constant-time
        for signature in header.split(" ")
        if signature.startswith("v1,")
    )


if __name__ == "__main__":
    if len(sys.argv) not in (6, 7):
        print("usage: verify.py SECRET ID TIMESTAMP BODY_FILE HEADER [NOW]", file=sys.stderr)
        sys.exit(2)
    secret, msg_id, timestamp, body_file, header = sys.argv[1:6]
    now = int(sys.argv[6]) if len(sys.argv) == 7 else None
    with open(body_file, "rb") as f:
        body = f.read()
    sys.exit(0 if verify(secret, msg_id, timestamp, body, header, now) else 1)
