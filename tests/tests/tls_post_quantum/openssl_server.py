"""TLS 1.3 server on OpenSSL, the independent peer of tests/tests/tls_post_quantum.rs.

OpenSSL (4.x, through pyOpenSSL and the OpenSSL inside the `cryptography` wheel) has its own
ML-KEM, so a handshake that negotiates X25519MLKEM768 with it shows the client's hybrid key
exchange agrees with another implementation.

    python openssl_server.py CA_OUT --groups X25519MLKEM768:X25519 --cert good|expired|untrusted

Makes a CA and a server certificate for 127.0.0.1 (signed by that CA; or expired; or signed by
another CA that is never written out), writes the CA certificate (DER) to CA_OUT, listens on
127.0.0.1 (port chosen by the system) and prints `port N`. For each connection it prints
`handshake version=V group=G` or `handshake-failed REASON`, answers one HTTP/1.1 request with
a fixed awsJson body and prints `request LINE`. It exits after 20 connections, when stdin
closes, or after 120 seconds, whichever comes first.
"""

import argparse
import datetime
import ipaddress
import os
import socket
import sys
import threading

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from OpenSSL import SSL
from OpenSSL._util import lib as _lib

BODY = (
    b'{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:pq-AbCdEf",'
    b'"Name":"pq","SecretString":"hybrid","VersionId":"v1"}'
)


def name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def ca_cert(cn):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name(cn))
        .issuer_name(name(cn))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return cert, key


def leaf_cert(ca, ca_key, expired):
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    if expired:
        start, end = now - datetime.timedelta(days=30), now - datetime.timedelta(days=1)
    else:
        start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=30)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    return cert, key


def say(line):
    print(line, flush=True)


def serve_one(ctx, raw):
    conn = SSL.Connection(ctx, raw)
    conn.set_accept_state()
    try:
        conn.do_handshake()
    except (SSL.Error, OSError) as e:
        say(f"handshake-failed {e!r}")
        return
    say(f"handshake version={conn.get_protocol_version_name()} group={conn.get_group_name()}")
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            key, _, value = line.partition(b":")
            if key.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = conn.recv(65536)
            if not chunk:
                return
            body += chunk
        say("request " + head.split(b"\r\n")[0].decode("latin-1"))
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
            b"x-amzn-RequestId: pq-request\r\nConnection: close\r\n"
            + b"Content-Length: %d\r\n\r\n" % len(BODY)
            + BODY
        )
        conn.shutdown()
    except (SSL.Error, OSError) as e:
        say(f"io-failed {e!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("ca_out")
    parser.add_argument("--groups", default="X25519MLKEM768:X25519")
    parser.add_argument("--cert", choices=["good", "expired", "untrusted"], default="good")
    args = parser.parse_args()

    # Bounded life: never outlive the test that started it.
    threading.Timer(120, lambda: os._exit(0)).start()
    threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()

    ca, ca_key = ca_cert("awsrt post-quantum test CA")
    if args.cert == "untrusted":
        other, other_key = ca_cert("a CA the client does not trust")
        leaf, key = leaf_cert(other, other_key, expired=False)
    else:
        leaf, key = leaf_cert(ca, ca_key, expired=args.cert == "expired")
    with open(args.ca_out, "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.DER))

    ctx = SSL.Context(SSL.TLS_SERVER_METHOD)
    ctx.set_min_proto_version(SSL.TLS1_3_VERSION)
    ctx.use_certificate(leaf)
    ctx.use_privatekey(key)
    if _lib.SSL_CTX_set1_curves_list(ctx._context, args.groups.encode()) != 1:
        say(f"error: OpenSSL refused the group list {args.groups}")
        sys.exit(2)

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    say(f"port {sock.getsockname()[1]}")
    for _ in range(20):
        raw, _ = sock.accept()
        try:
            serve_one(ctx, raw)
        finally:
            raw.close()
    os._exit(0)


if __name__ == "__main__":
    main()
