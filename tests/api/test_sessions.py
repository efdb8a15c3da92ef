# SPDX-License-Identifier: GPL-2.0-only
"""Web panel sessions: an API token exchanged for a cookie (POST
/v1/sessions), the cookie as an alternative to the bearer token, CSRF on
every state-changing request made with it, logout, and a session ending
with its token."""
import datetime
import hashlib
import sqlite3
import time

import pvd


def login(daemon, token):
    """A client without a token that logged in: its cookie jar holds the
    session.  Returns (client, the login answer, its Set-Cookie)."""
    c = daemon.client()
    r = c.post("/v1/sessions", json={"token": token})
    assert r.status_code == 201, r.text
    return c, r.json(), r.headers["Set-Cookie"]


def csrf(session):
    return {"X-CSRF-Token": session["csrf_token"]}


def cookie_value(set_cookie):
    return set_cookie.split(";")[0].split("=", 1)[1]


def test_login_sets_a_strict_httponly_cookie(daemon, tenant, world):
    t, _ = tenant
    tok = world.make_token(t["id"])
    c, s, set_cookie = login(daemon, tok["secret"])
    assert s["role"] == "customer" and s["tenant_id"] == t["id"]
    assert s["token_id"] == tok["token"]["id"]
    assert len(s["csrf_token"]) == 64
    attrs = [a.strip() for a in set_cookie.split(";")]
    assert attrs[0].startswith("hv_session=") and len(cookie_value(set_cookie)) == 64
    assert "HttpOnly" in attrs and "SameSite=Strict" in attrs and "Path=/" in attrs
    assert "Secure" not in attrs		# plain HTTP here; see the TLS test
    assert any(a.startswith("Max-Age=") and int(a[8:]) > 0 for a in attrs)
    # The database keeps the cookie's digest, never the cookie.
    value = cookie_value(set_cookie)
    db = sqlite3.connect(str(daemon.db))
    rows = db.execute("SELECT hash, csrf_token FROM sessions WHERE id = ?",
                      (s["id"],)).fetchall()
    assert rows and rows[0][0] == hashlib.sha256(value.encode()).digest()
    dump = "\n".join(db.iterdump())
    assert value not in dump
    db.close()


def test_admin_login(daemon):
    _, s, _ = login(daemon, daemon.admin_token)
    assert s["role"] == "admin" and s["tenant_id"] is None


def test_wrong_token_is_401(daemon):
    c = daemon.client()
    for token, code in [("pvd_0123456789abcdef_" + "0" * 64, "unauthorized"),
                        ("not-a-token", "unauthorized")]:
        r = c.post("/v1/sessions", json={"token": token})
        assert r.status_code == 401
        assert pvd.error_of(r)[0] == code
        assert "Set-Cookie" not in r.headers
    r = c.post("/v1/sessions", json={})
    assert r.status_code == 400


def test_cookie_reads_and_writes_with_csrf(daemon, world, tenant):
    t, customer = tenant
    server, _ = world.make_server(t["id"])
    c, s, _ = login(daemon, customer.token)
    r = c.get("/v1/servers")
    assert r.status_code == 200
    assert [x["id"] for x in r.json()["items"]] == [server["id"]]

    # A write without the CSRF header is refused, whatever else it has.
    path = "/v1/servers/" + server["id"]
    r = c.patch(path, json={"hostname": "panel-1.example.com"})
    assert r.status_code == 403
    assert pvd.error_of(r)[0] == "csrf_failed"
    r = c.patch(path, json={"hostname": "panel-1.example.com"},
                headers={"X-CSRF-Token": "0" * 64})
    assert r.status_code == 403
    r = c.patch(path, json={"hostname": "panel-1.example.com"},
                headers={"X-CSRF-Token": s["csrf_token"][:-1]})
    assert r.status_code == 403
    assert c.get(path).json()["hostname"] == server["hostname"]
    # With it, it goes through, audited as the token.
    r = c.patch(path, json={"hostname": "panel-1.example.com"}, headers=csrf(s))
    assert r.status_code == 200, r.text
    assert r.json()["hostname"] == "panel-1.example.com"
    audit = c.list_all("/v1/audit")
    mine = [e for e in audit if e["action"] == "server.update" and e["target_id"] == server["id"]]
    assert [e["result"] for e in mine] == ["error", "error", "error", "ok"]
    assert {e["error_code"] for e in mine[:3]} == {"csrf_failed"}
    assert mine[-1]["actor"] == s["token_id"]


def test_bearer_requests_need_no_csrf(tenant, world):
    t, customer = tenant
    server, _ = world.make_server(t["id"])
    r = customer.patch("/v1/servers/" + server["id"], json={"hostname": "b.example.com"})
    assert r.status_code == 200


def test_current_session(daemon, tenant):
    _, customer = tenant
    c, s, _ = login(daemon, customer.token)
    r = c.get("/v1/sessions/current")
    assert r.status_code == 200
    assert r.json()["id"] == s["id"] and r.json()["csrf_token"] == s["csrf_token"]
    # A bearer request has no session.
    r = customer.get("/v1/sessions/current")
    assert r.status_code == 404


def test_logout_needs_csrf_and_ends_the_session(daemon, tenant):
    _, customer = tenant
    c, s, set_cookie = login(daemon, customer.token)
    r = c.delete("/v1/sessions/current")
    assert r.status_code == 403
    assert pvd.error_of(r)[0] == "csrf_failed"
    r = c.delete("/v1/sessions/current", headers=csrf(s))
    assert r.status_code == 204
    cleared = r.headers["Set-Cookie"]
    assert cleared.startswith("hv_session=;") and "Max-Age=0" in cleared
    # The old cookie, replayed by hand, is worthless.
    stale = daemon.client()
    stale.session.cookies.set("hv_session", cookie_value(set_cookie))
    r = stale.get("/v1/servers")
    assert r.status_code == 401
    assert pvd.error_of(r)[0] == "unauthorized"


def test_revoked_token_ends_its_sessions(daemon, world, admin, tenant):
    t, _ = tenant
    tok = world.make_token(t["id"])
    c, s, _ = login(daemon, tok["secret"])
    assert c.get("/v1/servers").status_code == 200
    assert admin.delete("/v1/tokens/" + tok["token"]["id"]).status_code == 200
    r = c.get("/v1/servers")
    assert r.status_code == 401
    assert pvd.error_of(r)[0] == "token_revoked"
    # A session cannot be made from it either.
    r = daemon.client().post("/v1/sessions", json={"token": tok["secret"]})
    assert r.status_code == 401
    assert pvd.error_of(r)[0] == "token_revoked"


def test_expired_token_ends_its_sessions(daemon, world, tenant):
    t, _ = tenant
    expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)
    tok = world.make_token(t["id"], expires_at=expires.strftime("%Y-%m-%dT%H:%M:%SZ"))
    c, _, _ = login(daemon, tok["secret"])
    assert c.get("/v1/servers").status_code == 200
    time.sleep(3)
    r = c.get("/v1/servers")
    assert r.status_code == 401
    assert pvd.error_of(r)[0] == "token_expired"
    r = daemon.client().post("/v1/sessions", json={"token": tok["secret"]})
    assert r.status_code == 401
    assert pvd.error_of(r)[0] == "token_expired"


def test_tenant_isolation_through_cookies(daemon, world):
    a, b = world.make_tenant(), world.make_tenant()
    server_a, _ = world.make_server(a["id"])
    cb, sb, _ = login(daemon, world.make_token(b["id"])["secret"])
    r = cb.get("/v1/servers/" + server_a["id"])
    assert r.status_code == 404
    r = cb.post("/v1/servers/%s/stop" % server_a["id"], json={}, headers=csrf(sb))
    assert r.status_code == 404
    r = cb.post("/v1/servers/%s/console-ticket" % server_a["id"], json={},
                headers=csrf(sb))
    assert r.status_code == 404
    assert cb.get("/v1/servers").json()["items"] == []


def test_bearer_wins_over_the_cookie(daemon, world, tenant):
    """With both, the Authorization header decides (no CSRF needed, and
    the cookie's identity is not used)."""
    t, customer = tenant
    c, _, _ = login(daemon, daemon.admin_token)
    c.token = customer.token
    r = c.get("/v1/tenants")
    assert [x["id"] for x in r.json()["items"]] == [t["id"]]
    server, _ = world.make_server(t["id"])
    r = c.patch("/v1/servers/" + server["id"], json={"hostname": "w.example.com"})
    assert r.status_code == 200


def test_secure_cookie_over_https(tmp_path):
    d = pvd.Daemon(tmp_path, tls=True).start()
    try:
        c = d.client()
        r = c.post("/v1/sessions", json={"token": d.admin_token})
        assert r.status_code == 201
        attrs = [a.strip() for a in r.headers["Set-Cookie"].split(";")]
        assert "Secure" in attrs and "HttpOnly" in attrs
    finally:
        assert d.stop() == 0


def test_panel_use_counts_as_token_use(daemon, world, admin, tenant):
    t, _ = tenant
    tok = world.make_token(t["id"])
    c, _, _ = login(daemon, tok["secret"])
    time.sleep(1.1)		# last_used_at has a resolution of one second
    assert c.get("/v1/servers").status_code == 200
    r = admin.get("/v1/tokens/" + tok["token"]["id"])
    assert r.json()["last_used_at"] is not None
