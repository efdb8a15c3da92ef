# SPDX-License-Identifier: GPL-2.0-only
"""
Helpers for the provisiond API tests: start a real provisiond on a free port
with a temporary database and the fake hypervisor backend (--hv=fake, a test
double that runs no guest, built only into provisiond-testhv: the product
binary has none), talk to it, and check every answer against the contract
in api/openapi.yaml.

    d = Daemon(tmp_path).start()
    admin = d.client(d.admin_token)
    r = admin.post("/v1/tenants", json={"name": "Acme"})

Every request made through Client is checked by Contract: the path and
method must be in the contract, the status documented for that operation,
and the body must match the documented schema (errors: the one error shape).
The (method, path) pairs used are recorded, so that at the end of the
session (conftest.py) the suite is checked to have called every operation
of the contract.
"""
import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path

import requests
import yaml
from jsonschema import Draft202012Validator, RefResolver, FormatChecker

REPO = Path(__file__).resolve().parents[2]
OPENAPI = REPO / "api" / "openapi.yaml"
# The daemon the tests run (with the test double), and the one dom0 ships.
BINARY = Path(os.environ.get("PROVISIOND",
                             REPO / "build" / "provisiond" / "provisiond-testhv"))
PRODUCT = Path(os.environ.get("PROVISIOND_PRODUCT",
                              REPO / "build" / "provisiond" / "provisiond"))

FAKE_BOOTLOADER = Path(__file__).resolve().parent / "fake_bootloader.py"

# (METHOD, path template) of every request the tests made.
CALLED = set()


class Contract:
    """The OpenAPI document, and checks of requests and answers against it."""

    def __init__(self, path=OPENAPI):
        self.doc = yaml.safe_load(path.read_text())
        self.resolver = RefResolver.from_schema(self.doc)
        self.routes = []
        for template, item in self.doc["paths"].items():
            rx = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
            self.routes.append((re.compile(rx), template, item))

    def operations(self):
        for template, item in self.doc["paths"].items():
            for method in ("get", "post", "patch", "put", "delete"):
                if method in item:
                    yield method.upper(), template, item[method]

    def resolve(self, obj):
        while isinstance(obj, dict) and "$ref" in obj:
            _, obj = self.resolver.resolve(obj["$ref"])
        return obj

    def match(self, path):
        for rx, template, item in self.routes:
            if rx.match(path):
                return template, item
        return None, None

    def validate(self, schema, value, what):
        validator = Draft202012Validator(schema, resolver=self.resolver,
                                         format_checker=FormatChecker())
        errors = sorted(validator.iter_errors(value), key=lambda e: list(e.path))
        assert not errors, "%s does not match the contract: %s\n%s" % (
            what, "; ".join("%s at %s" % (e.message, list(e.path)) for e in errors[:5]),
            json.dumps(value)[:2000])

    def error_schema(self):
        return {"$ref": "#/components/schemas/Error"}

    def check(self, method, path, response):
        """Checks one answer; returns the path template (or None)."""
        what = "%s %s -> %d" % (method, path, response.status_code)
        template, item = self.match(path)
        status = response.status_code
        body = None
        ctype = response.headers.get("Content-Type", "").split(";")[0]
        if status != 204 and ctype != "application/json":
            # Another media type only where the contract documents it
            # (GET /v1/usage?format=csv answers text/csv).
            op = (item or {}).get(method.lower()) or {}
            documented = self.resolve(op.get("responses", {}).get(str(status), {}))
            assert ctype in documented.get("content", {}), \
                "%s: not JSON (%s)" % (what, response.headers.get("Content-Type"))
            return template
        if status != 204:
            body = response.json()
        if template is None:
            assert status == 404, "%s: a path outside the contract" % what
            self.validate(self.error_schema(), body, what)
            return None
        op = item.get(method.lower())
        if op is None:
            assert status == 405, "%s: a method outside the contract" % what
            self.validate(self.error_schema(), body, what)
            return None
        responses = op["responses"]
        assert str(status) in responses, "%s: status not documented for %s %s" % (
            what, method, template)
        spec = self.resolve(responses[str(status)])
        content = spec.get("content")
        if status == 204 or not content:
            assert not response.content, "%s: a body where none is documented" % what
        elif "text/plain" in content:
            assert response.headers.get("Content-Type", "").startswith("text/plain"), \
                "%s: not text/plain (%s)" % (what, response.headers.get("Content-Type"))
        else:
            self.validate(content["application/json"]["schema"], body, what)
        if status >= 400:
            self.validate(self.error_schema(), body, what)
        return template


CONTRACT = Contract()


def uncalled_operations(called):
    """The contract's (METHOD, path template) pairs not in called, sorted."""
    return sorted({(m, t) for m, t, _ in CONTRACT.operations()} - set(called))


class Client:
    """requests with a base URL and a token; every answer is contract-checked."""

    def __init__(self, base, token=None):
        self.base = base
        self.token = token
        self.session = requests.Session()
        # Passed on each request: the environment's CA bundle would
        # override the session's setting.
        self.verify = True

    def request(self, method, path, json_body=None, data=None, headers=None,
                params=None, check=True, timeout=30, **kw):
        hdrs = {}
        if self.token:
            hdrs["Authorization"] = "Bearer " + self.token
        if json_body is not None:
            data = json.dumps(json_body)
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        r = self.session.request(method, self.base + path, data=data, headers=hdrs,
                                 params=params, timeout=timeout,
                                 verify=kw.pop("verify", self.verify), **kw)
        if check:
            template = CONTRACT.check(method, path, r)
            if template:
                CALLED.add((method, template))
        return r

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, json=None, **kw):
        return self.request("POST", path, json_body=json, **kw)

    def patch(self, path, json=None, **kw):
        return self.request("PATCH", path, json_body=json, **kw)

    def put(self, path, json=None, **kw):
        return self.request("PUT", path, json_body=json, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def wait_job(self, job_id, timeout=20):
        """Long-polls a job until it is finished; returns it."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.get("/v1/jobs/" + job_id, params={"wait": 5})
            assert r.status_code == 200, r.text
            job = r.json()
            if job["state"] in ("succeeded", "failed"):
                return job
            assert time.monotonic() < deadline, "job %s still %s" % (job_id, job["state"])

    def list_all(self, path, params=None, limit=200):
        """Every item of a paginated list, following next_cursor."""
        items, cursor = [], None
        while True:
            p = dict(params or {}, limit=limit)
            if cursor:
                p["cursor"] = cursor
            r = self.get(path, params=p)
            assert r.status_code == 200, r.text
            page = r.json()
            items += page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return items


class RawAnswer:
    """An answer read off the socket: status, headers (lower-case names, a
    list of values each) and the body's bytes."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        values = self.headers.get(name.lower(), [])
        return values[0] if values else None


def raw_request(port, method, target, headers=(), body=b"", timeout=10):
    """One request written byte for byte, for what requests refuses to send
    (bytes that are not UTF-8 in the path, repeated headers).  target and
    header values are bytes; headers a list of (name, value) pairs.  Raises
    if the server closes the connection without a complete answer."""
    import socket
    lines = [method.encode() + b" " + target + b" HTTP/1.1",
             b"Host: 127.0.0.1:%d" % port, b"Connection: close"]
    lines += [n.encode() + b": " + v for n, v in headers]
    if body or method in ("POST", "PATCH", "PUT"):
        lines.append(b"Content-Length: %d" % len(body))
    data = b"\r\n".join(lines) + b"\r\n\r\n" + body
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(data)
        reply = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            reply += chunk
    head, sep, rest = reply.partition(b"\r\n\r\n")
    assert sep, "%s %r: the connection closed without an answer (%r)" % (
        method, target, reply[:200])
    status_line, *header_lines = head.split(b"\r\n")
    status = int(status_line.split()[1])
    hdrs = {}
    for line in header_lines:
        name, _, value = line.partition(b":")
        hdrs.setdefault(name.decode().strip().lower(), []).append(value.decode().strip())
    length = hdrs.get("content-length")
    if length is not None and method != "HEAD":
        assert len(rest) >= int(length[0]), "%s %r: a truncated answer" % (method, target)
        rest = rest[:int(length[0])]
    return RawAnswer(status, hdrs, rest)


def error_of(r):
    """The (code, message) of an error answer."""
    e = r.json()["error"]
    return e["code"], e["message"]


class Daemon:
    """One provisiond process on a temporary database (kept across restarts)."""

    def __init__(self, workdir, *extra_args, monitor_interval=1, stop_timeout=1,
                 orphans="report", tls=False):
        self.dir = Path(workdir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.db = self.dir / "provisiond.db"
        self.state = self.dir / "hv-fake.json"
        self.faults = Path(str(self.state) + ".faults")
        self.blocked = Path(str(self.state) + ".blocked")
        self.log = self.dir / "provisiond.log"
        # Servers' disks: a pool on the host's filesystem, cloned with the
        # sparse-copy test double (most hosts' filesystems cannot reflink),
        # kernels read by the test double of hv-bootloader.
        self.pool = self.dir / "volumes"
        self.pool.mkdir(exist_ok=True)
        self.args = ["--db", str(self.db), "--hv=fake", "--hv-fake-state", str(self.state),
                     "--listen", "127.0.0.1", "--port", "0",
                     "--monitor-interval", str(monitor_interval),
                     "--stop-timeout", str(stop_timeout), "--orphans", orphans,
                     "--http-threads", "4", "--job-workers", "2",
                     # HTTPS is the default; tests speak plain HTTP on
                     # loopback unless they test TLS (test_tls.py).
                     "--tls", "on" if tls else "off",
                     "--volume-pool", str(self.pool), "--volume-store", "copy",
                     "--hv-bootloader", str(FAKE_BOOTLOADER)] + list(extra_args)
        self.tls = tls
        self.proc = None
        self.port = None
        self.admin_token = None
        self.starts = 0

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self.port)

    def create_admin_token(self, name="test-admin"):
        out = subprocess.run([str(BINARY), "--db", str(self.db), "--create-admin-token", name],
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        return out.stdout.strip()

    def start(self, timeout=15):
        if self.admin_token is None:
            self.admin_token = self.create_admin_token()
        offset = self.log.stat().st_size if self.log.exists() else 0
        logf = open(self.log, "ab")
        self.proc = subprocess.Popen([str(BINARY)] + self.args, stdout=logf, stderr=logf)
        logf.close()
        self.starts += 1
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log.read_bytes()[offset:].decode(errors="replace")
            m = re.search(r"listening on \S+ port (\d+)", text)
            if m:
                self.port = int(m.group(1))
                return self
            if self.proc.poll() is not None:
                raise AssertionError("provisiond exited with %d:\n%s" % (
                    self.proc.returncode, text))
            time.sleep(0.02)
        self.kill9()
        raise AssertionError("provisiond did not start:\n" + self.log.read_text())

    def client(self, token=None):
        c = Client(self.url, token)
        # The certificate is self-signed: test_tls.py checks it by its
        # fingerprint instead.
        c.verify = not self.tls
        return c

    def stop(self, timeout=15):
        """SIGTERM, then SIGKILL if it does not stop in time.  The exit code."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        rc = self.proc.returncode
        self.proc = None
        return rc

    def kill9(self):
        if self.proc is not None:
            self.proc.kill()		# SIGKILL
            self.proc.wait()
            self.proc = None

    def restart(self):
        self.stop()
        return self.start()

    def log_text(self):
        return self.log.read_text(errors="replace")

    # --- the fake hypervisor's state (test double) ---

    def domains(self):
        """The fake hypervisor's domains, by name."""
        state = json.loads(self.state.read_text())
        return {d["name"]: d for d in state["domains"]}

    def write_state(self, state):
        """Replaces the fake's state; only while provisiond is stopped."""
        assert self.proc is None
        self.state.write_text(json.dumps(state))

    def read_state(self):
        return json.loads(self.state.read_text())

    def set_faults(self, *rules):
        self.faults.write_text("".join(r + "\n" for r in rules))

    def clear_faults(self):
        if self.faults.exists():
            self.faults.unlink()

    def wait_blocked(self, op, timeout=10):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.blocked.exists() and self.blocked.read_text().strip() == op:
                return
            time.sleep(0.01)
        raise AssertionError("the fake hypervisor never blocked in " + op)
