# SPDX-License-Identifier: GPL-2.0-only
"""
HTTP points every route shares: HEAD answers as GET does without the body,
on every GET route of the contract and for every caller; a header whose
repetition would be ambiguous (Authorization, Idempotency-Key,
Content-Type, Content-Length) is refused on every route, never resolved by
order.
"""
import json

from pvd import CONTRACT, raw_request

SAMPLE_ID = "zzz_0000000000000000"


def concrete(template, ids):
    """The template with {id} replaced by a real id of its resource."""
    if "{" not in template:
        return template
    resource = template.split("/")[2]
    return template.replace(template[template.index("{"):template.index("}") + 1],
                            ids.get(resource, SAMPLE_ID))


def test_head_answers_like_get_without_a_body(daemon, world):
    t = world.make_tenant()
    token = world.make_token(t["id"])
    server, job = world.make_server(t["id"])
    ids = {"tenants": t["id"], "tokens": token["token"]["id"], "plans": world.plan["id"],
           "images": world.image["id"], "servers": server["id"], "jobs": job["id"]}
    callers = {"admin": daemon.admin_token, "customer": token["secret"], "anonymous": None}
    checked = 0
    for method, template, _ in CONTRACT.operations():
        if method != "GET":
            continue
        path = concrete(template, ids).encode()
        for who, secret in callers.items():
            headers = [("Authorization", ("Bearer " + secret).encode())] if secret else []
            got = raw_request(daemon.port, "GET", path, headers)
            head = raw_request(daemon.port, "HEAD", path, headers)
            what = "HEAD %s as %s" % (template, who)
            assert head.status == got.status, "%s: %d, GET %d" % (what, head.status, got.status)
            assert head.body == b"", what
            assert head.header("Content-Type") == got.header("Content-Type"), what
            assert head.header("Cache-Control") == got.header("Cache-Control"), what
            # The length a body would have (not compared with GET's: usage
            # and job figures move between the two requests).
            assert int(head.header("Content-Length")) > 0, what
            checked += 1
    assert checked >= 3 * 10


def test_repeated_headers_are_refused_on_every_route(daemon, world):
    t = world.make_tenant()
    customer = world.make_token(t["id"])["secret"]
    repeats = {
        "Authorization": lambda tok: [("Authorization", b"Bearer " + tok),
                                      ("Authorization", b"Bearer " + tok)],
        "Idempotency-Key": lambda tok: [("Authorization", b"Bearer " + tok),
                                        ("Idempotency-Key", b"k1"),
                                        ("Idempotency-Key", b"k2")],
        "Content-Type": lambda tok: [("Authorization", b"Bearer " + tok),
                                     ("Content-Type", b"application/json"),
                                     ("Content-Type", b"text/plain")],
        # Which one frames the body is what request smuggling plays on.
        "Content-Length": lambda tok: [("Authorization", b"Bearer " + tok),
                                       ("Content-Length", b"2"),
                                       ("Content-Length", b"2")],
    }
    for method, template, _ in CONTRACT.operations():
        path = template.replace("{id}", SAMPLE_ID).encode()
        for secret in (daemon.admin_token, customer):
            for name, make in repeats.items():
                # raw_request adds a Content-Length for POST and PATCH.
                headers = make(secret.encode())
                if name == "Content-Length" and method in ("POST", "PATCH"):
                    headers = headers[:-1]
                body = b"{}" if method in ("POST", "PATCH") or name == "Content-Length" \
                    else b""
                a = raw_request(daemon.port, method, path, headers, body)
                what = "%s %s with two %s headers" % (method, template, name)
                assert a.status == 400, "%s: %d %r" % (what, a.status, a.body[:200])
                err = json.loads(a.body.decode("utf-8"))
                CONTRACT.validate(CONTRACT.error_schema(), err, what)
                assert err["error"]["code"] == "invalid_request", what
                assert name in err["error"]["message"], what
    # Two Authorization headers, the first an admin's: nothing is done.
    before = len(daemon.client(daemon.admin_token).list_all("/v1/tenants"))
    a = raw_request(daemon.port, "POST", b"/v1/tenants",
                    [("Authorization", ("Bearer " + daemon.admin_token).encode()),
                     ("Authorization", ("Bearer " + customer).encode()),
                     ("Content-Type", b"application/json")], b'{"name": "dup"}')
    assert a.status == 400
    assert len(daemon.client(daemon.admin_token).list_all("/v1/tenants")) == before


def test_every_method_on_every_path_answers_json(daemon, world):
    """Methods the contract does not list (and made-up ones) get a JSON
    405 naming the ones it does; every answer is JSON in the error shape or
    a documented success."""
    t = world.make_tenant()
    customer = world.make_token(t["id"])["secret"]
    for template, item in CONTRACT.doc["paths"].items():
        path = template.replace("{id}", SAMPLE_ID).encode()
        listed = {m.upper() for m in item if m in ("get", "post", "patch", "put", "delete")}
        if "GET" in listed:
            listed.add("HEAD")    # every GET route answers HEAD too
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE",
                       "CONNECT", "PROPFIND", "BREW"):
            for secret in (None, customer, daemon.admin_token):
                headers = [("Authorization", b"Bearer " + secret.encode())] if secret else []
                a = raw_request(daemon.port, method, path, headers)
                what = "%s %s" % (method, template)
                text = (a.header("Content-Type") or "").startswith("text/plain")
                body = json.loads(a.body.decode("utf-8")) if a.status != 204 and not text \
                    else None   # GET /v1/metrics: Prometheus's text format
                if method not in listed:
                    assert a.status == 405, "%s: %d" % (what, a.status)
                    assert set(a.header("Allow").split(", ")) == listed, what
                if a.status >= 400:
                    CONTRACT.validate(CONTRACT.error_schema(), body, what)
                assert a.status < 500, what
