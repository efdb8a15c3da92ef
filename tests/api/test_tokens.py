# SPDX-License-Identifier: GPL-2.0-only
"""API tokens: shown once, stored as a hash, scopes, expiry, revocation,
last use, and every way a token can be wrong."""
import datetime
import hashlib
import sqlite3
import time

from pvd import error_of


def in_seconds(s):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=s)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_secret_shown_once_and_stored_as_hash(daemon, admin, world):
    t = world.make_tenant()
    created = world.make_token(t["id"])
    secret, token = created["secret"], created["token"]
    assert secret.startswith("pvd_") and len(secret) == 85
    assert token["id"] == "tok_" + secret[4:20]
    assert token["scope"] == "customer" and token["tenant_id"] == t["id"]
    assert token["expires_at"] is None and token["revoked_at"] is None

    # Never again through the API...
    r = admin.get("/v1/tokens/" + token["id"])
    assert r.status_code == 200 and secret not in r.text and "secret" not in r.json()
    listed = admin.list_all("/v1/tokens", params={"tenant_id": t["id"]})
    assert [x["id"] for x in listed] == [token["id"]]
    assert secret not in str(listed)

    # ...and the database keeps only SHA-256 of it.
    db = sqlite3.connect("file:%s?mode=ro" % daemon.db, uri=True)
    try:
        (stored,) = db.execute("SELECT hash FROM tokens WHERE id = ?", (token["id"],)).fetchone()
        dump = "\n".join(db.iterdump())
    finally:
        db.close()
    assert stored == hashlib.sha256(secret.encode()).digest()
    assert secret[21:] not in dump


def test_customer_token_works_and_records_last_use(daemon, admin, world):
    t = world.make_tenant()
    created = world.make_token(t["id"])
    customer = daemon.client(created["secret"])
    r = customer.get("/v1/tenants/" + t["id"])
    assert r.status_code == 200 and r.json()["id"] == t["id"]
    token = admin.get("/v1/tokens/" + created["token"]["id"]).json()
    assert token["last_used_at"] is not None


def test_missing_and_malformed_tokens(daemon):
    for token in (None, "", "pvd_nope", "pvd_" + "0" * 16 + "_" + "0" * 64,
                  "' OR '1'='1", "pvd_" + "g" * 16 + "_" + "0" * 64):
        c = daemon.client(token)
        r = c.get("/v1/servers")
        assert r.status_code == 401
        assert error_of(r)[0] == "unauthorized"
        assert r.json()["error"]["retryable"] is False
    r = daemon.client().get("/v1/servers", headers={"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert r.status_code == 401 and error_of(r)[0] == "unauthorized"


def test_wrong_secret_for_known_id_is_unauthorized(daemon, admin, world):
    created = world.make_token()
    secret = created["secret"]
    forged = secret[:-1] + ("0" if secret[-1] != "0" else "1")
    r = daemon.client(forged).get("/v1/plans")
    assert r.status_code == 401 and error_of(r)[0] == "unauthorized"
    # Revoke it: a caller without the secret still learns nothing new.
    assert admin.delete("/v1/tokens/" + created["token"]["id"]).status_code == 200
    r = daemon.client(forged).get("/v1/plans")
    assert error_of(r)[0] == "unauthorized"


def test_revoked_token(daemon, admin, world):
    t = world.make_tenant()
    created = world.make_token(t["id"])
    customer = daemon.client(created["secret"])
    assert customer.get("/v1/servers").status_code == 200
    r = admin.delete("/v1/tokens/" + created["token"]["id"])
    assert r.status_code == 200 and r.json()["revoked_at"] is not None
    first = r.json()["revoked_at"]
    r = customer.get("/v1/servers")
    assert r.status_code == 401 and error_of(r)[0] == "token_revoked"
    # Revoking again is harmless and keeps the first time.
    r = admin.delete("/v1/tokens/" + created["token"]["id"])
    assert r.status_code == 200 and r.json()["revoked_at"] == first


def test_expired_token(daemon, admin, world):
    t = world.make_tenant()
    created = world.make_token(t["id"], expires_at=in_seconds(2))
    assert created["token"]["expires_at"] is not None
    customer = daemon.client(created["secret"])
    assert customer.get("/v1/servers").status_code == 200
    time.sleep(2.2)
    r = customer.get("/v1/servers")
    assert r.status_code == 401 and error_of(r)[0] == "token_expired"


def test_expiry_must_be_future_and_valid(admin, world):
    t = world.make_tenant()
    r = admin.post("/v1/tokens", json={"name": "x", "scope": "customer", "tenant_id": t["id"],
                                        "expires_at": in_seconds(-10)})
    assert r.status_code == 400 and r.json()["error"]["field"] == "expires_at"
    r = admin.post("/v1/tokens", json={"name": "x", "scope": "customer", "tenant_id": t["id"],
                                        "expires_at": "next tuesday"})
    assert r.status_code == 400 and "expires_at" in error_of(r)[1]
    r = admin.post("/v1/tokens", json={"name": "x", "scope": "customer", "tenant_id": t["id"],
                                        "expires_at": in_seconds(3600).replace("Z", "+00:00")})
    assert r.status_code == 201


def test_scope_rules(daemon, admin, world):
    t = world.make_tenant()
    customer = world.customer(t["id"])
    # Customers create customer tokens of their own tenant only.
    r = customer.post("/v1/tokens", json={"name": "mine", "scope": "customer"})
    assert r.status_code == 201 and r.json()["token"]["tenant_id"] == t["id"]
    r = customer.post("/v1/tokens", json={"name": "root", "scope": "admin"})
    assert r.status_code == 403 and error_of(r)[0] == "forbidden"
    other = world.make_tenant()
    r = customer.post("/v1/tokens", json={"name": "x", "scope": "customer",
                                           "tenant_id": other["id"]})
    assert r.status_code == 400 and r.json()["error"]["field"] == "tenant_id"
    # Admins: admin tokens have no tenant, customer tokens need one.
    r = admin.post("/v1/tokens", json={"name": "x", "scope": "admin", "tenant_id": t["id"]})
    assert r.status_code == 400 and r.json()["error"]["field"] == "tenant_id"
    r = admin.post("/v1/tokens", json={"name": "x", "scope": "customer"})
    assert r.status_code == 400 and r.json()["error"]["field"] == "tenant_id"
    r = admin.post("/v1/tokens", json={"name": "x", "scope": "customer",
                                        "tenant_id": "ten_0000000000000000"})
    assert r.status_code == 400 and "no such tenant" in error_of(r)[1]
    r = admin.post("/v1/tokens", json={"name": "x", "scope": "root"})
    assert r.status_code == 400 and "scope" in error_of(r)[1]
    # A new admin token works as admin.
    r = admin.post("/v1/tokens", json={"name": unique_name(), "scope": "admin",
                                        "tenant_id": None})
    assert r.status_code == 201 and r.json()["token"]["tenant_id"] is None
    second_admin = daemon.client(r.json()["secret"])
    assert second_admin.get("/v1/system").status_code == 200


def test_customer_sees_only_own_tokens(daemon, admin, world):
    t = world.make_tenant()
    mine = world.make_token(t["id"])
    customer = daemon.client(mine["secret"])
    other = world.make_tenant()
    theirs = world.make_token(other["id"])
    ids = {x["id"] for x in customer.list_all("/v1/tokens")}
    assert mine["token"]["id"] in ids and theirs["token"]["id"] not in ids
    assert all(x["tenant_id"] == t["id"] for x in customer.list_all("/v1/tokens"))
    # Admin tokens are invisible to customers.
    assert customer.list_all("/v1/tokens", params={"scope": "admin"}) == []
    admin_id = "tok_" + daemon.admin_token[4:20]
    r = customer.get("/v1/tokens/" + admin_id)
    assert r.status_code == 404
    r = customer.delete("/v1/tokens/" + admin_id)
    assert r.status_code == 404
    assert admin.get("/v1/tokens/" + admin_id).json()["revoked_at"] is None
    # A customer may revoke its own tokens.
    r = customer.delete("/v1/tokens/" + mine["token"]["id"])
    assert r.status_code == 200
    assert customer.get("/v1/servers").status_code == 401


def unique_name():
    return "admin-%d" % time.monotonic_ns()
