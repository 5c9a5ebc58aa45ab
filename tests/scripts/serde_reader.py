"""Reads the serde JSON of the generated types with Python's own json, base64 and datetime
modules (an independent reader of the documented representation) and prints what it found,
one `path = value` line per leaf, for the Rust test to compare.

stdin: {"secretsmanager": <GetSecretValueOutput>, "dynamodb": <GetItemOutput>}
"""
import base64
import datetime
import json
import sys


def attribute(value, path, out):
    """A DynamoDB AttributeValue: a map with exactly one key naming its type."""
    if not isinstance(value, dict) or len(value) != 1:
        raise SystemExit(f"{path}: an AttributeValue has exactly one key, got {value!r}")
    (kind, inner), = value.items()
    if kind == "S":
        out.append(f"{path} S = {inner}")
    elif kind == "N":
        out.append(f"{path} N = {inner}")
    elif kind == "B":
        out.append(f"{path} B = {base64.b64decode(inner, validate=True).hex()}")
    elif kind == "BOOL":
        out.append(f"{path} BOOL = {inner!r}")
    elif kind == "NULL":
        out.append(f"{path} NULL = {inner!r}")
    elif kind in ("SS", "NS"):
        out.append(f"{path} {kind} = {','.join(inner)}")
    elif kind == "L":
        for i, item in enumerate(inner):
            attribute(item, f"{path}[{i}]", out)
    elif kind == "M":
        for key in sorted(inner):
            attribute(inner[key], f"{path}.{key}", out)
    else:
        raise SystemExit(f"{path}: unknown AttributeValue type {kind}")


def main():
    doc = json.load(sys.stdin)
    out = []
    sm = doc["secretsmanager"]
    out.append(f"Name = {sm['Name']}")
    out.append(f"SecretString = {sm['SecretString']}")
    out.append(f"SecretBinary = {base64.b64decode(sm['SecretBinary'], validate=True).hex()}")
    created = datetime.datetime.fromisoformat(sm["CreatedDate"].replace("Z", "+00:00"))
    out.append(f"CreatedDate = {created.isoformat()}")
    out.append(f"VersionStages = {','.join(sm['VersionStages'])}")
    item = doc["dynamodb"]["Item"]
    for key in sorted(item):
        attribute(item[key], key, out)
    capacity = doc["dynamodb"]["ConsumedCapacity"]
    out.append(f"ConsumedCapacity = {capacity['TableName']} {capacity['CapacityUnits']}")
    print("\n".join(out))


main()
