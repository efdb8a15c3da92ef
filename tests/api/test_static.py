# SPDX-License-Identifier: GPL-2.0-only
"""The web panel's files (web_root) and the security headers of every
answer, the API's included."""
import pytest
import requests

import pvd
from conftest import WEB_FILES, WEB_SECRET

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
       "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
       "base-uri 'none'; form-action 'self'")


def assert_security_headers(headers):
    assert headers.get("Content-Security-Policy") == CSP
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers.get("X-Content-Type-Options") == "nosniff"
    assert headers.get("Referrer-Policy") == "no-referrer"
    assert headers.get("X-Frame-Options") == "DENY"


def get(d, path, **kw):
    return requests.get(d.url + path, timeout=10, **kw)


@pytest.mark.parametrize("path,ctype", [
    ("/index.html", "text/html; charset=utf-8"),
    ("/assets/app-3f2a.js", "text/javascript; charset=utf-8"),
    ("/assets/mod.mjs", "text/javascript; charset=utf-8"),
    ("/assets/style-9c1d.css", "text/css; charset=utf-8"),
    ("/logo.svg", "image/svg+xml"),
    ("/icon.png", "image/png"),
    ("/favicon.ico", "image/x-icon"),
    ("/manifest.json", "application/json"),
    ("/assets/font.woff2", "font/woff2"),
    ("/assets/app-3f2a.js.map", "application/json"),
    ("/blob.bin", "application/octet-stream"),
])
def test_files_and_their_types(web_daemon, path, ctype):
    r = get(web_daemon, path)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == ctype
    assert r.content == WEB_FILES[path[1:]]
    assert_security_headers(r.headers)
    assert r.headers["ETag"].startswith('"')


def test_caching(web_daemon):
    assert get(web_daemon, "/index.html").headers["Cache-Control"] == "no-cache"
    assert get(web_daemon, "/assets/app-3f2a.js").headers["Cache-Control"] == \
        "public, max-age=31536000, immutable"
    assert get(web_daemon, "/logo.svg").headers["Cache-Control"] == "no-cache"


def test_etag_revalidation(web_daemon):
    r = get(web_daemon, "/assets/app-3f2a.js")
    etag = r.headers["ETag"]
    r = get(web_daemon, "/assets/app-3f2a.js", headers={"If-None-Match": etag})
    assert r.status_code == 304 and r.content == b""
    assert r.headers["ETag"] == etag
    assert_security_headers(r.headers)
    r = get(web_daemon, "/assets/app-3f2a.js",
            headers={"If-None-Match": '"other", W/' + etag})
    assert r.status_code == 304
    r = get(web_daemon, "/assets/app-3f2a.js", headers={"If-None-Match": '"other"'})
    assert r.status_code == 200
    # A changed file has a new tag.
    path = web_daemon.web_root / "logo.svg"
    old = get(web_daemon, "/logo.svg").headers["ETag"]
    path.write_bytes(WEB_FILES["logo.svg"] + b"\n")
    try:
        r = get(web_daemon, "/logo.svg", headers={"If-None-Match": old})
        assert r.status_code == 200 and r.headers["ETag"] != old
    finally:
        path.write_bytes(WEB_FILES["logo.svg"])


def test_root_is_the_panel_for_browsers_and_the_index_for_programs(web_daemon):
    r = get(web_daemon, "/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200 and r.content == WEB_FILES["index.html"]
    assert r.headers["Cache-Control"] == "no-cache"
    r = web_daemon.client().get("/")
    assert r.status_code == 200 and r.json()["api"] == "/v1"
    assert_security_headers(r.headers)


def test_page_routes_get_index_html(web_daemon):
    for path in ("/servers", "/servers/srv_0123456789abcdef", "/tenants/", "/a/b/c"):
        r = get(web_daemon, path)
        assert r.status_code == 200, path
        assert r.content == WEB_FILES["index.html"]
        assert r.headers["Cache-Control"] == "no-cache"
    # A file that exists without an extension is itself.
    r = get(web_daemon, "/notes")
    assert r.content == WEB_FILES["notes"]


def test_missing_files_are_404_in_the_api_shape(web_daemon):
    c = web_daemon.client()
    for path in ("/missing.js", "/assets/nope.css", "/v1/nope", "/v1"):
        r = c.get(path)
        assert r.status_code == 404, path
        assert pvd.error_of(r)[0] == "not_found"
        assert_security_headers(r.headers)


def test_only_get_and_head(web_daemon):
    r = requests.head(web_daemon.url + "/assets/app-3f2a.js", timeout=10)
    assert r.status_code == 200 and r.content == b""
    assert r.headers["Content-Length"] == str(len(WEB_FILES["assets/app-3f2a.js"]))
    r = requests.post(web_daemon.url + "/index.html", data=b"x", timeout=10)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("target", [
    b"/../outside.txt", b"/%2e%2e/outside.txt", b"/assets/../../outside.txt",
    b"/assets/%2e%2e/%2e%2e/outside.txt", b"/..%2foutside.txt", b"/escape.txt",
    b"/escapedir/outside.txt", b"/.hidden", b"/assets/./app-3f2a.js",
    b"//outside.txt", b"/assets//app-3f2a.js", b"/%00index.html",
    b"/assets\\..\\..\\outside.txt", b"/inner.js",
])
def test_nothing_outside_web_root(web_daemon, target):
    """Traversal, encoded or not, symlinks (out of the root or not), hidden
    files and odd segments: never the file, never the secret."""
    a = pvd.raw_request(web_daemon.port, "GET", target)
    assert WEB_SECRET not in a.body
    assert a.status in (400, 404), (target, a.status)


def test_security_headers_on_api_answers(daemon, admin):
    """Every answer carries them: successes, errors, writes."""
    assert_security_headers(admin.get("/v1/health").headers)
    assert_security_headers(admin.get("/v1/servers/srv_0000000000000000").headers)
    r = admin.post("/v1/tenants", json={})
    assert r.status_code == 400
    assert_security_headers(r.headers)
    assert_security_headers(daemon.client().get("/v1/tenants").headers)


def test_no_web_root_no_panel(daemon):
    """The shared daemon's web_root is the default, which does not exist
    here: the API alone answers."""
    c = daemon.client()
    r = c.get("/index.html")
    assert r.status_code == 404 and pvd.error_of(r)[0] == "not_found"
    r = requests.get(daemon.url + "/", headers={"Accept": "text/html"}, timeout=10)
    assert r.status_code == 200 and r.json()["api"] == "/v1"
