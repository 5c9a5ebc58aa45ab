"""Reference presigned URLs from botocore, for tests/tests/presign_botocore.rs.

Reads a JSON list of cases on stdin and prints a JSON list of results, one per case, in order:
``{"name", "method", "url", "headers"}`` where ``headers`` are the headers botocore signed
(lowercase names, ``host`` included) and ``url`` is exactly what botocore returns.

Every case carries ``access_key``, ``secret_key``, optional ``token``, ``time`` (Unix seconds:
the signing time; botocore reads the clock through ``botocore.auth.get_current_datetime``,
which is replaced here) and ``expires`` (seconds). Then, by ``kind``:

* ``client``: ``client.generate_presigned_url(operation, params, expires, http_method)`` of a
  botocore client for ``service`` in ``region`` (optional ``endpoint_url``; for S3
  ``addressing`` ``path`` or ``virtual`` and signature version ``s3v4``). ``headers`` are
  added to the request just before it is signed, as ``aws eks get-token`` adds
  ``x-k8s-aws-id`` (a ``before-sign`` handler). ``literal_query`` (``x-id=GetObject``) is put
  first in the query string the same way: the Smithy S3 model has that literal in its URIs
  (``/{Bucket}/{Key+}?x-id=GetObject``), botocore's older S3 model does not. ``url_path``
  replaces the path the same way: path-style, botocore writes an operation on the bucket as
  ``/bucket?list-type=2``, the Smithy endpoint rules' URL ``/bucket`` joined with the
  operation's ``/`` gives ``/bucket/?list-type=2`` (as the official Rust SDK sends it); S3
  reads both alike.
  With ``eks_token``, the result also has ``token``: ``k8s-aws-v1.`` and the URL in unpadded
  URL-safe base64, as ``aws eks get-token`` builds it from such a presigned
  ``GetCallerIdentity`` (``HttpMethod='GET'``, 60 s, header ``x-k8s-aws-id``).
* ``rds``: ``rds_client.generate_db_auth_token(hostname, port, user, region)``.
* ``request``: botocore's ``SigV4QueryAuth`` applied to a request given as ``method``,
  ``url``, ``headers`` and ``body``, for ``signing_name`` in ``region``. botocore's presigner
  moves any body into the query string (right for the query protocol, wrong for a JSON
  body, which the service reads from the body); with ``keep_body`` it is kept and its
  SHA-256 is signed instead, everything else being botocore's own code.

Nothing is sent: the clients have no network to reach and need none.
"""

import base64
import datetime
import json
import sys
from urllib.parse import urlsplit, urlunsplit

import botocore.auth
import botocore.session
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials


def freeze_clock(unix_seconds):
    frozen = datetime.datetime.fromtimestamp(unix_seconds, datetime.timezone.utc)

    def now(remove_tzinfo=True):
        return frozen.replace(tzinfo=None) if remove_tzinfo else frozen

    botocore.auth.get_current_datetime = now


def session():
    s = botocore.session.Session()
    # Nothing from the environment or ~/.aws: only what the case gives.
    s.set_config_variable("config_file", "/dev/null")
    s.set_config_variable("credentials_file", "/dev/null")
    return s


def signed_headers(request):
    probe = botocore.auth.SigV4Auth(None, "probe", "probe")
    return {k.lower(): v for k, v in probe.headers_to_sign(request).items()}


def client_case(case):
    config = {"retries": {"max_attempts": 1}}
    if case["service"] == "s3":
        config["signature_version"] = "s3v4"
        config["s3"] = {"addressing_style": case.get("addressing", "auto")}
    client = session().create_client(
        case["service"],
        region_name=case["region"],
        endpoint_url=case.get("endpoint_url"),
        aws_access_key_id=case["access_key"],
        aws_secret_access_key=case["secret_key"],
        aws_session_token=case.get("token"),
        config=Config(**config),
    )
    seen = []
    extra = case.get("headers") or {}
    literal = case.get("literal_query")

    def before_sign(request, **kwargs):
        for name, value in extra.items():
            request.headers[name] = value
        if literal:
            parts = urlsplit(request.url)
            query = literal + ("&" + parts.query if parts.query else "")
            request.url = urlunsplit(parts._replace(query=query))
        if case.get("url_path"):
            request.url = urlunsplit(urlsplit(request.url)._replace(path=case["url_path"]))
        seen.append(request)

    client.meta.events.register("before-sign", before_sign)
    url = client.generate_presigned_url(
        case["operation"],
        Params=case.get("params") or {},
        ExpiresIn=case["expires"],
        HttpMethod=case.get("http_method"),
    )
    request = seen[-1]
    result = {"method": request.method, "url": url, "headers": signed_headers(request)}
    if case.get("eks_token"):
        encoded = base64.urlsafe_b64encode(url.encode("utf-8")).decode("ascii")
        result["token"] = "k8s-aws-v1." + encoded.rstrip("=")
    return result


def rds_case(case):
    client = session().create_client(
        "rds",
        region_name=case["region"],
        aws_access_key_id=case["access_key"],
        aws_secret_access_key=case["secret_key"],
        aws_session_token=case.get("token"),
    )
    token = client.generate_db_auth_token(
        case["hostname"], case["port"], case["user"], Region=case.get("signing_region")
    )
    return {"method": "GET", "url": token, "headers": {}}


class KeepBodyQueryAuth(botocore.auth.SigV4QueryAuth):
    """botocore's query presigner, except that the body stays where it is (and is hashed)."""

    def _modify_request_before_signing(self, request):
        body = request.data
        request.data = b""
        try:
            super()._modify_request_before_signing(request)
        finally:
            request.data = body


def request_case(case):
    creds = Credentials(case["access_key"], case["secret_key"], case.get("token"))
    signer_class = KeepBodyQueryAuth if case.get("keep_body") else botocore.auth.SigV4QueryAuth
    signer = signer_class(creds, case["signing_name"], case["region"], expires=case["expires"])
    request = AWSRequest(
        method=case["method"],
        url=case["url"],
        headers=case.get("headers") or {},
        data=case.get("body", "").encode("utf-8"),
    )
    signer.add_auth(request)
    prepared = request.prepare()
    return {
        "method": prepared.method,
        "url": prepared.url,
        "headers": signed_headers(request),
    }


KINDS = {"client": client_case, "rds": rds_case, "request": request_case}


def main():
    out = []
    for case in json.load(sys.stdin):
        freeze_clock(case["time"])
        result = KINDS[case["kind"]](case)
        result["name"] = case["name"]
        out.append(result)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
