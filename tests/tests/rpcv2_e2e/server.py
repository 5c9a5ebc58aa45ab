"""The Garden service of tests/tests/rpcv2_e2e.rs over Smithy RPC v2 CBOR, with Python's cbor2
as the independent CBOR implementation.

Listens on 127.0.0.1 (a free port, printed as `port N`), checks the protocol's headers on each
request, prints what it decoded as `request <Operation> <JSON>` (timestamps as `ts:<epoch
seconds>`, byte strings as `hex:<hex>`) and answers canned CBOR: canonical encoding (the
shortest float that holds a value, half floats included), and for GetBed an indefinite-length
map around it, to read what a client might not write itself.
"""

import datetime
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import cbor2

UTC = datetime.timezone.utc


def plain(value):
    """A decoded CBOR value as JSON-friendly data."""
    if isinstance(value, datetime.datetime):
        return "ts:%s" % repr(value.timestamp())
    if isinstance(value, (bytes, bytearray)):
        return "hex:" + bytes(value).hex()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def encode(value):
    return cbor2.dumps(value, datetime_as_timestamp=True, canonical=True)


def indefinite_map(value):
    """`value` (a dict) as an indefinite-length map: 0xbf, the entries, 0xff."""
    return b"\xbf" + b"".join(encode(k) + encode(v) for k, v in value.items()) + b"\xff"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("smithy-protocol", "rpc-v2-cbor")
        self.send_header("Content-Type", "application/cbor")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def refuse(self, why):
        print("error " + why, flush=True)
        body = why.encode()
        self.send_response(500)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        prefix = "/service/Garden/operation/"
        if not self.path.startswith(prefix):
            return self.refuse("path " + self.path)
        op = self.path[len(prefix):]
        if self.headers.get("smithy-protocol") != "rpc-v2-cbor":
            return self.refuse("smithy-protocol header %r" % self.headers.get("smithy-protocol"))
        if self.headers.get("Accept") != "application/cbor":
            return self.refuse("Accept header %r" % self.headers.get("Accept"))
        if op == "ListBeds":
            if raw or self.headers.get("Content-Type") is not None:
                return self.refuse("ListBeds has no input: body %r, Content-Type %r"
                                   % (raw, self.headers.get("Content-Type")))
            request = None
        else:
            if self.headers.get("Content-Type") != "application/cbor":
                return self.refuse("Content-Type %r" % self.headers.get("Content-Type"))
            try:
                request = cbor2.loads(raw)
            except Exception as e:  # noqa: BLE001 - reported to the test
                return self.refuse("undecodable body %s: %s" % (raw.hex(), e))
        print("request %s %s" % (op, json.dumps(plain(request), sort_keys=True)), flush=True)

        if op == "PlantBed":
            bed = request["bed"]
            plants = bed.get("plants", [])
            out = {
                "bedId": "bed-" + bed["name"],
                "plantCount": sum(p.get("count", 1) for p in plants),
                "echo": bed,
                "care": request.get("care"),
                "somethingNew": {"the client": ["does not", "know this"]},
            }
            if "plantedAt" in request:
                out["receivedAt"] = request["plantedAt"]
            return self.answer(200, encode(out))
        if op == "GetBed":
            if request["bedId"] == "missing":
                return self.answer(400, encode({
                    "__type": "example.garden#NoSuchBed",
                    "message": "no bed missing",
                    "bedId": "missing",
                }))
            return self.answer(200, indefinite_map({
                "bed": {
                    "name": request["bedId"],
                    "plants": [
                        {"species": "Allium cepa", "count": 40, "perennial": False,
                         "sowedAt": datetime.datetime(2024, 3, 1, tzinfo=UTC)},
                        {"species": "Rheum rhabarbarum", "count": 2, "perennial": True},
                    ],
                    "soil": {"ph": 6.5, "nitrogen": 0.1},
                    "sizeCm": {"width": 120, "length": 5_000_000_000},
                    "heightsMm": [10, None, 30],
                },
                "lastWatered": datetime.datetime(2024, 6, 1, 12, 30, 15, 250000, tzinfo=UTC),
                "tags": {"sun": "full", "water": "drip"},
                "care": {"schedule": {"days": ["mon", "thu"], "note": "mornings"}},
                "photo": b"\x89PNG\r\n\x1a\n\x00\xff",
                "ratio": 0.1,
                "weights": {"a": 1.5, "b": None},
            }))
        if op == "ListBeds":
            return self.answer(200, encode({"bedIds": ["bed-north", "bed-south"]}))
        return self.refuse("unknown operation " + op)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print("port %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
