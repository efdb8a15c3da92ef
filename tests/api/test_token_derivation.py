# SPDX-License-Identifier: GPL-2.0-only
"""
Derived tokens: a token made with a customer token never has more than its
parent (tenant, scope, lifetime) and dies with it, at any depth, whether
the parent is revoked or expires.  Tokens the hoster makes (admin tokens,
the CLI) are grants of their own.
"""
import datetime
import sqlite3
import time

from pvd import error_of


def in_seconds(s):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=s)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def mint(client, **fields):
    body = dict({"name": "derived", "scope": "customer"}, **fields)
    return client.post("/v1/tokens", json=body)


def chain(daemon, world, depth=3, **first):
    """A customer token made by the admin, then depth - 1 tokens each made
    with the one before.  [(token, client)]."""
    t = world.make_tenant()
    made = world.make_token(t["id"], **first)
    links = [(made["token"], daemon.client(made["secret"]))]
    for _ in range(depth - 1):
        r = mint(links[-1][1])
        assert r.status_code == 201, r.text
        links.append((r.json()["token"], daemon.client(r.json()["secret"])))
    return t, links


def refusal(client):
    r = client.get("/v1/servers")
    return r.status_code, error_of(r)[0] if r.status_code != 200 else None


def test_a_derived_token_inherits_its_parents_expiry(daemon, world):
    expires = in_seconds(3600)
    t, links = chain(daemon, world, depth=3, expires_at=expires)
    for token, client in links:
        assert token["expires_at"] == expires, token
        assert client.get("/v1/servers").status_code == 200
    # Asking for more than the parent has is refused, never trimmed.
    for _, client in links:
        for later in (in_seconds(7200), "2999-01-01T00:00:00Z"):
            r = mint(client, expires_at=later)
            assert r.status_code == 400, r.text
            assert r.json()["error"]["field"] == "expires_at"
    # Sooner is fine.
    sooner = in_seconds(1800)
    r = mint(links[-1][1], expires_at=sooner)
    assert r.status_code == 201 and r.json()["token"]["expires_at"] == sooner


def test_a_derived_token_never_exceeds_its_parents_scope(daemon, world):
    t, links = chain(daemon, world, depth=2)
    other = world.make_tenant()
    for _, client in links:
        r = mint(client, scope="admin")
        assert r.status_code == 403
        r = mint(client, tenant_id=other["id"])
        assert r.status_code == 400 and r.json()["error"]["field"] == "tenant_id"
        r = mint(client, tenant_id=t["id"])
        assert r.status_code == 201 and r.json()["token"]["tenant_id"] == t["id"]


def test_revoking_a_token_kills_every_descendant(daemon, admin, world):
    # Revoked by the admin, by the customer itself, at the root or midway.
    for revoker, at in (("admin", 0), ("self", 0), ("admin", 1), ("self", 1)):
        t, links = chain(daemon, world, depth=4)
        token, client = links[at]
        by = admin if revoker == "admin" else client
        r = by.delete("/v1/tokens/" + token["id"])
        assert r.status_code == 200 and r.json()["revoked_at"] is not None
        for i, (tok, c) in enumerate(links):
            if i < at:
                assert c.get("/v1/servers").status_code == 200, (revoker, at, i)
            else:
                assert refusal(c) == (401, "token_revoked"), (revoker, at, i)
                shown = admin.get("/v1/tokens/" + tok["id"]).json()
                assert shown["revoked_at"] is not None, (revoker, at, i)


def test_a_derived_token_dies_when_its_parent_expires(daemon, world):
    """The issue's case: a parent that expires in seconds."""
    t, links = chain(daemon, world, depth=3, expires_at=in_seconds(3))
    parent_expiry = links[0][0]["expires_at"]
    assert all(tok["expires_at"] == parent_expiry for tok, _ in links)
    deadline = time.monotonic() + 30
    while refusal(links[0][1]) != (401, "token_expired"):
        assert time.monotonic() < deadline, "the parent never expired"
        time.sleep(0.5)
    for _, client in links[1:]:
        assert refusal(client) == (401, "token_expired")


def test_the_chain_is_checked_when_the_token_is_used(daemon, admin, world):
    """A child stored with a longer life than its parent (made before
    derivation existed, or a parent revoked without its children) is still
    refused once the parent is revoked or expired."""
    t, links = chain(daemon, world, depth=3)
    (root, _), (mid, _), (leaf, leaf_client) = links
    assert leaf_client.get("/v1/servers").status_code == 200
    db = sqlite3.connect(str(daemon.db), timeout=10)
    try:
        db.execute("UPDATE tokens SET expires_at = 1 WHERE id = ?", (root["id"],))
        db.commit()
        assert refusal(leaf_client) == (401, "token_expired")
        db.execute("UPDATE tokens SET expires_at = NULL, revoked_at = 1 WHERE id = ?",
                   (mid["id"],))
        db.commit()
        assert refusal(leaf_client) == (401, "token_revoked")
    finally:
        db.close()


def test_tokens_the_hoster_made_are_independent(daemon, admin, world):
    """Rotating the panel's admin token does not log every customer out."""
    panel = daemon.client(world.make_token()["secret"])
    t = world.make_tenant()
    r = mint(panel, tenant_id=t["id"])
    assert r.status_code == 201 and r.json()["token"]["expires_at"] is None
    customer = daemon.client(r.json()["secret"])
    panel_id = r.json()["token"]["created_by"]
    assert admin.delete("/v1/tokens/" + panel_id).status_code == 200
    assert refusal(panel) == (401, "token_revoked")
    assert customer.get("/v1/servers").status_code == 200
