"""TLS-terminating proxy for the secret_memory test (Python standard library only).

Usage: tls_proxy.py CERT_PEM KEY_PEM UPSTREAM_PORT
Listens on 127.0.0.1 (ephemeral port, printed as `port N` on stdout), accepts TLS connections
with the given certificate and pipes each one, as plain bytes, to 127.0.0.1:UPSTREAM_PORT (the
project's fault server). Either side closing or resetting closes the other. Runs until killed.
"""

import socket
import ssl
import sys
import threading


def pump(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(conn, ctx, upstream_port):
    try:
        tls = ctx.wrap_socket(conn, server_side=True)
    except (OSError, ssl.SSLError):
        conn.close()
        return
    try:
        up = socket.create_connection(("127.0.0.1", upstream_port))
    except OSError:
        tls.close()
        return
    t = threading.Thread(target=pump, args=(up, tls), daemon=True)
    t.start()
    pump(tls, up)
    t.join(timeout=5)
    tls.close()
    up.close()


def main():
    cert, key, upstream_port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(cert, key)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    print(f"port {listener.getsockname()[1]}", flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, ctx, upstream_port), daemon=True).start()


if __name__ == "__main__":
    main()
