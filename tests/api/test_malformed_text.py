# SPDX-License-Identifier: GPL-2.0-only
"""
Bytes that are not UTF-8, on every route of the contract, from every kind
of caller: in a path segment, a query value or name, a header, a JSON body's
strings and keys.  Every answer must be a complete JSON error in the one
error shape (never a closed connection, never a 5xx, never a success), and
the audit log must stay readable JSON afterwards.

The routes and their query parameters and body fields are read from
api/openapi.yaml, so a new operation is covered without touching this file.
"""
import json
import sqlite3

import pytest

from pvd import CONTRACT, raw_request

# Path segments and query values as they appear on the wire (percent
# escapes are decoded by the server) and as raw bytes.
BAD_SEGMENTS = [
    b"%ff",                     # a byte that is never UTF-8
    b"%c0%af",                  # an overlong "/"
    b"%ed%a0%80",               # a UTF-16 surrogate, encoded
    b"%f4%90%80%80",            # above U+10FFFF
    b"%e2%82",                  # a truncated sequence
    b"abc%80def",               # a stray continuation byte
    b"\xff\xfe",                # raw, not escaped
    b"%0a%0d",                  # control characters (they reach the log)
    b"ab%00cd",                 # NUL: never silently cut to "ab"
]

# JSON string literals that no valid document holds.
BAD_JSON_STRINGS = [
    b'"\xff"',
    b'"\xc0\xaf"',
    b'"\xed\xa0\x80"',
    b'"a\xf4\x90\x80\x80"',
    b'"\xe2\x82"',
    b'"\\ud800"',               # a lone surrogate escape
    b'"x\\udc00y"',
    b'"\\u0000"',               # NUL inside a string
]

SAMPLE_ID = "zzz_0000000000000000"


def operations():
    return list(CONTRACT.operations())


def op_params(template, op):
    item = CONTRACT.doc["paths"][template]
    for p in item.get("parameters", []) + op.get("parameters", []):
        yield CONTRACT.resolve(p)


def body_fields(op):
    body = op.get("requestBody")
    if not body:
        return []
    schema = CONTRACT.resolve(CONTRACT.resolve(body)["content"]["application/json"]["schema"])
    return sorted(schema.get("properties", {}))


def fill(template, segment):
    out = template.encode()
    while b"{" in out:
        start = out.index(b"{")
        out = out[:start] + segment + out[out.index(b"}") + 1:]
    return out


@pytest.fixture(scope="module")
def callers(daemon, world):
    """Every kind of caller: admin, customer, none, a bad token."""
    t = world.make_tenant()
    customer = world.make_token(t["id"])["secret"]
    return {
        "admin": [("Authorization", ("Bearer " + daemon.admin_token).encode())],
        "customer": [("Authorization", ("Bearer " + customer).encode())],
        "anonymous": [],
        "bad-token": [("Authorization", b"Bearer pvd_\xff")],
    }


def check_error(answer, what, allowed=None):
    """A complete JSON error, in the contract's shape, not a 5xx."""
    assert answer.status < 500, "%s: %d %r" % (what, answer.status, answer.body[:300])
    assert answer.status >= 400, "%s: accepted (%d)" % (what, answer.status)
    if allowed:
        assert answer.status in allowed, "%s: %d %r" % (what, answer.status, answer.body[:300])
    assert (answer.header("Content-Type") or "").startswith("application/json"), what
    body = json.loads(answer.body.decode("utf-8"))      # strict: UTF-8 only
    CONTRACT.validate(CONTRACT.error_schema(), body, what)
    return body


def test_bad_bytes_in_every_path_segment(daemon, callers):
    for method, template, _ in operations():
        # Routes without {id} get the bad segment appended: still a path.
        targets = [fill(template, seg) if "{" in template else
                   template.encode() + b"/" + seg for seg in BAD_SEGMENTS]
        for who, headers in callers.items():
            for target in targets:
                what = "%s %r as %s" % (method, target, who)
                a = raw_request(daemon.port, method, target, headers)
                body = check_error(a, what, allowed={400})
                assert body["error"]["code"] == "invalid_request", what


def test_bad_bytes_in_every_query_parameter(daemon, callers):
    for method, template, op in operations():
        path = fill(template, SAMPLE_ID.encode())
        names = [p["name"] for p in op_params(template, op) if p.get("in") == "query"]
        for who, headers in callers.items():
            for seg in BAD_SEGMENTS:
                # Each documented parameter, and the bytes as a name.
                targets = [path + b"?" + n.encode() + b"=" + seg for n in names]
                targets.append(path + b"?" + seg + b"=1")
                for target in targets:
                    what = "%s %r as %s" % (method, target, who)
                    body = check_error(raw_request(daemon.port, method, target, headers),
                                       what, allowed={400})
                    assert body["error"]["code"] == "invalid_request", what


def test_bad_bytes_in_headers(daemon, callers):
    bad_values = [b"\xff", b"abc\xc0\xaf", b"\xed\xa0\x80", b"key-\xe2\x82"]
    for method, template, _ in operations():
        path = fill(template, SAMPLE_ID.encode())
        for value in bad_values:
            cases = [
                ("Authorization", [("Authorization", b"Bearer " + value)]),
                ("Idempotency-Key", callers["admin"] + [("Idempotency-Key", value)]),
                ("Content-Type", callers["customer"] + [("Content-Type", value)]),
                ("X-Anything", callers["admin"] + [("X-Anything", value)]),
            ]
            for name, headers in cases:
                what = "%s %s with %s: %r" % (method, template, name, value)
                body = check_error(raw_request(daemon.port, method, path, headers),
                                   what, allowed={400})
                assert body["error"]["code"] == "invalid_request", what


def test_bad_strings_in_every_json_body(daemon, callers):
    """Every string field of every request body, and bad bytes as a key."""
    json_type = [("Content-Type", b"application/json")]
    for method, template, op in operations():
        fields = body_fields(op)
        if not fields:
            continue
        path = fill(template, SAMPLE_ID.encode())
        for who in ("admin", "customer"):
            headers = callers[who] + json_type
            for bad in BAD_JSON_STRINGS:
                bodies = [b'{"' + f.encode() + b'": ' + bad + b"}" for f in fields]
                bodies.append(b"{" + bad + b": 1}")
                for body in bodies:
                    what = "%s %s as %s: %r" % (method, template, who, body)
                    check_error(raw_request(daemon.port, method, path, headers, body),
                                what, allowed={400, 403, 404})


def audit_pages_are_json(daemon, token):
    cursor = None
    while True:
        target = b"/v1/audit?limit=200" + (b"&cursor=" + str(cursor).encode()
                                           if cursor else b"")
        a = raw_request(daemon.port, "GET", target,
                        [("Authorization", ("Bearer " + token).encode())])
        assert a.status == 200, a.body[:300]
        page = json.loads(a.body.decode("utf-8"))
        CONTRACT.validate({"$ref": "#/components/schemas/AuditList"}, page, "audit page")
        cursor = page["next_cursor"]
        if cursor is None:
            return


def test_audit_log_stays_json(daemon, world, callers):
    """After refused writes with bad bytes (the example of the issue
    included), every page of the audit log is valid JSON for everyone."""
    t = world.make_tenant()
    customer = world.make_token(t["id"])["secret"]
    for seg in BAD_SEGMENTS:
        a = raw_request(daemon.port, "POST", b"/v1/servers/" + seg + b"/start",
                        [("Authorization", ("Bearer " + customer).encode())])
        check_error(a, "POST /v1/servers/%r/start" % seg, allowed={400})
    audit_pages_are_json(daemon, daemon.admin_token)
    audit_pages_are_json(daemon, customer)


def test_stored_bytes_that_are_not_utf8_are_served_as_json(own_daemon):
    """A database written before requests were checked may hold such bytes
    (an audit entry, a name): every answer stays valid JSON."""
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    t = admin.post("/v1/tenants", json={"name": "Old Data"}).json()
    d.stop()
    db = sqlite3.connect(str(d.db))
    db.execute("UPDATE tenants SET name = CAST(? AS TEXT) WHERE id = ?",
               (b"Old \xff Data", t["id"]))
    db.execute("UPDATE audit_log SET target_id = CAST(? AS TEXT)"
               " WHERE target_id = ?", (b"ten_\xff\xfe", t["id"]))
    db.commit()
    db.close()
    d.start()
    headers = [("Authorization", ("Bearer " + d.admin_token).encode())]
    for target in (b"/v1/tenants", b"/v1/tenants/" + t["id"].encode(), b"/v1/audit"):
        a = raw_request(d.port, "GET", target, headers)
        assert a.status == 200, (target, a.status, a.body[:300])
        body = json.loads(a.body.decode("utf-8"))
        assert "\ufffd" not in json.dumps(body, ensure_ascii=False)
    named = json.loads(raw_request(d.port, "GET", b"/v1/tenants/" + t["id"].encode(),
                                   headers).body.decode("utf-8"))
    assert named["name"] == "Old ? Data"
