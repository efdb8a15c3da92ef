# SPDX-License-Identifier: GPL-2.0-only
"""Bad input of every kind: each is refused with the one error shape and a
message that names what is wrong; injection strings are plain data."""
import json

import requests

import pvd
from conftest import unique
from pvd import error_of

INJECTIONS = [
    "'; DROP TABLE servers; --",
    "Robert'); DELETE FROM tokens; --",
    "\" OR \"1\"=\"1",
    "1; UPDATE tokens SET scope='admin'",
    "<script>alert(1)</script>",
    "%s%s%n",
    "../../etc/passwd",
    "名前 ✓ émoji 🚀",
]


def raw(daemon, method, path, data, content_type="application/json", token=True):
    headers = {"Content-Type": content_type} if content_type else {}
    if token:
        headers["Authorization"] = "Bearer " + daemon.admin_token
    return requests.request(method, daemon.url + path, data=data, headers=headers, timeout=30)


def assert_error(r, status, code):
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"}
    assert set(body["error"]) - {"field"} == {"code", "message", "retryable"}
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["retryable"], bool)
    return body["error"]


def test_malformed_json(daemon, admin):
    for data in (b"{", b"{\"name\": }", b"not json", b"{\"name\": \"a\",}", b"[1, 2",
                 b"{'name': 'a'}", b"\xff\xfe{}", b"{\"name\": \"\\u0000\"}",
                 b"{\"name\": \"a\"} trailing"):
        e = assert_error(raw(daemon, "POST", "/v1/tenants", data), 400, "invalid_json")
        assert "JSON" in e["message"]
    # Through the contract-checking client too.
    r = admin.request("POST", "/v1/tenants", data=b"{",
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 400


def test_body_must_be_an_object(daemon):
    for data in (b"[]", b"\"tenant\"", b"42", b"null", b"true"):
        assert_error(raw(daemon, "POST", "/v1/tenants", data), 400, "invalid_json")


def test_duplicate_keys_refused(daemon):
    assert_error(raw(daemon, "POST", "/v1/tenants", b'{"name": "a", "name": "b"}'),
                 400, "invalid_json")


def test_wrong_types_name_the_field(admin, world):
    t = world.make_tenant()
    cases = [
        ("/v1/tenants", {"name": ["a"]}, "name"),
        ("/v1/tenants", {"name": {"first": "a"}}, "name"),
        ("/v1/plans", {"name": "p", "vcpus": "one", "memory_mib": 64}, "vcpus"),
        ("/v1/plans", {"name": "p", "vcpus": True, "memory_mib": 64}, "vcpus"),
        ("/v1/plans", {"name": "p", "vcpus": 1, "memory_mib": 64.5}, "memory_mib"),
        ("/v1/plans", {"name": "p", "vcpus": 1, "memory_mib": 2 ** 70}, None),
        ("/v1/images", {"name": "i", "kernel_path": ["/k"]}, "kernel_path"),
        ("/v1/tokens", {"name": "t", "scope": 1}, "scope"),
        ("/v1/servers", {"tenant_id": t["id"], "plan_id": world.plan["id"],
                         "image_id": world.image["id"], "hostname": 42}, "hostname"),
    ]
    for path, body, field in cases:
        r = admin.post(path, json=body)
        assert r.status_code == 400, (path, body, r.text)
        err = r.json()["error"]
        if field:
            assert err["code"] == "invalid_field" and err["field"] == field, err
            assert err["message"].startswith(field + ":"), err
        else:
            assert err["code"] == "invalid_json", err	# too big for JSON integers


def test_unknown_fields(admin, world):
    t = world.make_tenant()
    server, _ = world.make_server(t["id"], wait=False)
    cases = [
        ("POST", "/v1/tenants", {"name": "a", "admin": True}),
        ("PATCH", "/v1/tenants/" + t["id"], {"id": "ten_0000000000000000"}),
        ("POST", "/v1/tokens", {"name": "a", "scope": "admin", "secret": "x"}),
        ("POST", "/v1/servers/%s/start" % server["id"], {"now": True}),
        ("POST", "/v1/servers/%s/stop" % server["id"], {"force": True, "hard": True}),
        ("PATCH", "/v1/servers/" + server["id"], {"tenant_id": "ten_0000000000000000"}),
    ]
    for method, path, body in cases:
        r = admin.request(method, path, json_body=body)
        assert r.status_code == 400, (path, r.text)
        code, message = error_of(r)
        assert code == "invalid_field" and message.endswith("unknown field"), message


def test_body_too_large(daemon, admin):
    big = json.dumps({"name": "x" * (2 * 1024 * 1024)}).encode()	# 2 MiB > 64 KiB
    e = assert_error(raw(daemon, "POST", "/v1/tenants", big), 413, "payload_too_large")
    assert e["retryable"] is False
    # Chunked, without a Content-Length: refused all the same.
    def chunks():
        for _ in range(64):
            yield b"x" * 4096
    r = requests.post(daemon.url + "/v1/tenants", data=chunks(), timeout=30,
                      headers={"Content-Type": "application/json",
                               "Authorization": "Bearer " + daemon.admin_token})
    assert_error(r, 413, "payload_too_large")
    # Just under the limit is read (and then judged on its content).
    near = json.dumps({"name": "y" * (60 * 1024)})
    r = admin.request("POST", "/v1/tenants", data=near,
                      headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "name"
    # The server is fine afterwards.
    assert admin.get("/v1/health").status_code == 200


def test_media_type(daemon):
    body = b'{"name": "a"}'
    assert_error(raw(daemon, "POST", "/v1/tenants", body, "text/plain"), 415,
                 "unsupported_media_type")
    assert_error(raw(daemon, "POST", "/v1/tenants", body, None), 415,
                 "unsupported_media_type")
    assert_error(raw(daemon, "POST", "/v1/tenants", body, "application/jsonp"), 415,
                 "unsupported_media_type")
    r = raw(daemon, "POST", "/v1/tenants", body, "application/json; charset=utf-8")
    assert r.status_code == 201


def test_empty_and_missing_bodies(daemon, admin, world):
    # No body where fields are required: they are named.
    e = assert_error(raw(daemon, "POST", "/v1/tenants", b"", None), 400, "invalid_field")
    assert e["message"] == "name: is required"
    # No body where none is needed: fine.
    t = world.make_tenant()
    server, _ = world.make_server(t["id"])
    r = admin.post("/v1/servers/%s/reboot" % server["id"])
    assert r.status_code == 202
    admin.wait_job(r.json()["job"]["id"])
    # A body where the route takes none.
    r = raw(daemon, "DELETE", "/v1/servers/" + server["id"], b'{"force": true}')
    assert_error(r, 400, "invalid_request")
    r = raw(daemon, "GET", "/v1/servers", b'{"limit": 1}')
    assert_error(r, 400, "invalid_request")


def test_injection_strings_are_stored_verbatim(admin, world):
    for text in INJECTIONS:
        r = admin.post("/v1/tenants", json={"name": text, "external_id": text + unique("")})
        assert r.status_code == 201, (text, r.text)
        t = r.json()
        assert t["name"] == text
        assert admin.get("/v1/tenants/" + t["id"]).json()["name"] == text
        found = admin.get("/v1/tenants", params={"external_id": t["external_id"]}).json()
        assert [x["id"] for x in found["items"]] == [t["id"]]
        r = admin.post("/v1/plans", json={"name": text + unique(""), "vcpus": 1,
                                           "memory_mib": 64})
        assert r.status_code == 201 and r.json()["name"].startswith(text)
        # As ids and filters, they simply match nothing.
        assert admin.get("/v1/servers", params={"tenant_id": text}).json()["items"] == []
        assert admin.get("/v1/jobs", params={"server_id": text}).json()["items"] == []
    # Everything is still there.
    assert admin.get("/v1/servers").status_code == 200
    assert len(admin.list_all("/v1/tokens")) >= 1


def test_injection_in_path(daemon, admin):
    for bad in ("srv_1' OR '1'='1", "1;DROP TABLE servers", "%27%20OR%201=1"):
        r = admin.get("/v1/servers/" + requests.utils.quote(bad, safe=""))
        assert r.status_code == 404 and error_of(r)[0] == "not_found"
    assert admin.get("/v1/servers").status_code == 200


def test_unknown_paths_and_methods(daemon, admin):
    r = admin.get("/v1/nothing")
    assert r.status_code == 404 and error_of(r)[0] == "not_found"
    r = admin.get("/v2/servers")
    assert r.status_code == 404
    r = admin.get("/v1/servers/")
    assert r.status_code == 404
    r = admin.request("PUT", "/v1/servers")
    assert r.status_code == 405 and error_of(r)[0] == "method_not_allowed"
    assert set(r.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST"}
    r = admin.delete("/v1/jobs/job_0000000000000000")
    assert r.status_code == 405 and set(r.headers["Allow"].split(", ")) == {"GET", "HEAD"}
    r = admin.post("/v1/health")
    assert r.status_code == 405


def test_query_parameters(admin):
    r = admin.get("/v1/servers", params={"colour": "red"})
    assert r.status_code == 400 and error_of(r) == ("invalid_query",
                                                    "colour: unknown query parameter")
    for bad in ("0", "201", "-1", "ten", "1.5"):
        r = admin.get("/v1/servers", params={"limit": bad})
        assert r.status_code == 400 and error_of(r)[1].startswith("limit:"), bad
    for bad in ("abc", "-5", "1e3"):
        r = admin.get("/v1/servers", params={"cursor": bad})
        assert r.status_code == 400 and error_of(r)[1].startswith("cursor:"), bad
    r = admin.get("/v1/tenants/ten_0000000000000000", params={"wait": 1})
    assert r.status_code == 400


def test_every_error_has_a_request_id(daemon):
    r = requests.get(daemon.url + "/v1/servers", timeout=10)
    assert r.status_code == 401 and r.headers["X-Request-Id"].startswith("req_")


# --- The contract is the validation: what drifted before it was generated ---

def test_wait_takes_the_contracts_range(admin, world):
    """?wait= is 0 to 600 as the contract says (provisiond waits at most
    long_poll_max; test_system checks how long)."""
    t = world.make_tenant()
    _, job = world.make_server(t["id"])
    for wait in (0, 60, 61, 600):
        r = admin.get("/v1/jobs/" + job["id"], params={"wait": wait})
        assert r.status_code == 200 and r.json()["state"] == "succeeded", (wait, r.text)
    for bad in ("601", "-1", "ten", "1.5", ""):
        r = admin.get("/v1/jobs/" + job["id"], params={"wait": bad})
        assert r.status_code == 400, (bad, r.text)
        assert error_of(r) == ("invalid_query", "wait: must be an integer from 0 to 600")


def test_query_values_are_the_contracts(admin):
    """Every list's integer and enum query parameters, at and beyond the
    contract's edges."""
    for method, template, op in pvd.CONTRACT.operations():
        if method != "GET" or "{" in template:
            continue
        for p in (pvd.CONTRACT.resolve(p) for p in op.get("parameters", [])):
            schema = pvd.CONTRACT.resolve(p.get("schema", {}))
            if p["in"] != "query":
                continue
            if schema.get("type") == "integer":
                for good in (schema["minimum"], schema["maximum"]):
                    r = admin.get(template, params={p["name"]: good})
                    assert r.status_code == 200, (template, p["name"], good, r.text)
                for bad in (schema["minimum"] - 1, schema["maximum"] + 1):
                    r = admin.get(template, params={p["name"]: bad})
                    assert r.status_code == 400, (template, p["name"], bad, r.text)
                    assert error_of(r)[1].startswith(p["name"] + ": ")
            if "enum" in schema:
                for good in schema["enum"]:
                    assert admin.get(template, params={p["name"]: good}).status_code == 200
                r = admin.get(template, params={p["name"]: "bogus"})
                assert r.status_code == 400, (template, p["name"], r.text)
                assert error_of(r) == ("invalid_query", "%s: must be one of: %s"
                                       % (p["name"], ", ".join(schema["enum"])))


def test_required_bodies_are_required(daemon, admin, world):
    """Every operation whose requestBody is required refuses a request
    without one (a PATCH with no body changed nothing and answered 200)."""
    t = world.make_tenant()
    server, _ = world.make_server(t["id"])
    hook = admin.post("/v1/webhooks", json={"url": "http://192.0.2.1/", "secret": "x" * 16,
                                            "event_types": ["job.failed"]}).json()
    ids = {"tenants": t["id"], "plans": world.plan["id"], "images": world.image["id"],
           "servers": server["id"], "webhooks": hook["id"]}
    checked = 0
    for method, template, op in pvd.CONTRACT.operations():
        body = pvd.CONTRACT.resolve(op.get("requestBody", {}))
        if not body.get("required"):
            continue
        path = template.replace("{id}", ids.get(template.split("/")[2], "x"))
        e = assert_error(raw(daemon, method, path, b""), 400,
                         "invalid_field" if "required" in pvd.CONTRACT.resolve(
                             body["content"]["application/json"]["schema"]) else "invalid_json")
        checked += 1
        # An empty object is a body: the same request then passes validation.
        if "required" not in pvd.CONTRACT.resolve(
                body["content"]["application/json"]["schema"]):
            assert e["message"] == "%s %s needs a JSON object body" % (method, template)
            r = raw(daemon, method, path, b"{}")
            assert r.status_code == 200, (method, path, r.text)
    assert checked >= 4


def test_customer_cannot_patch_a_suspended_server(admin, world, tenant):
    """Every customer action is refused while a server is suspended: PATCH
    too; the hoster still may."""
    t, customer = tenant
    server, _ = world.make_server(t["id"], client=customer)
    assert world.action(server["id"], "suspend")["state"] == "succeeded"
    r = customer.patch("/v1/servers/" + server["id"], json={"hostname": "new.example.com"})
    assert r.status_code == 403 and error_of(r)[0] == "server_suspended", r.text
    assert customer.get("/v1/servers/" + server["id"]).json()["hostname"] == server["hostname"]
    r = admin.patch("/v1/servers/" + server["id"], json={"hostname": "new.example.com"})
    assert r.status_code == 200 and r.json()["hostname"] == "new.example.com"


def test_list_default_limit_is_the_contracts(admin, world):
    """A list without ?limit= answers the contract's default page size."""
    default = pvd.CONTRACT.resolve({"$ref": "#/components/parameters/Limit"})["schema"]["default"]
    for _ in range(default + 1):
        world.make_tenant()
    page = admin.get("/v1/tenants").json()
    assert len(page["items"]) == default and page["next_cursor"] is not None
