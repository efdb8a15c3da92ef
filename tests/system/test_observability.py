# SPDX-License-Identifier: GPL-2.0-only
"""provisiond's metrics and webhooks in the appliance (docs/metrics.md,
docs/webhooks.md): GET /v1/metrics reports the real hypervisor's free
memory (physinfo through libhv) and the data disk's volume pool, and passes
promtool; a webhook receiver on the host (QEMU's user network shows the
host's loopback to dom0 as 10.0.2.2) gets a signed job.succeeded from
dom0's provisiond over libcurl; a loopback URL is refused as the product
refuses it."""
import hashlib
import hmac
import http.server
import json
import re
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request

from pvd_dom0 import STARTED, tls_context

SECRET = "system-test-secret-123"


def call(base, token, method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Authorization", "Bearer " + token)
    if body is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60, context=tls_context()) as r:
            return r.status, r.headers["Content-Type"], r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read()


def test_metrics_and_webhooks_in_dom0(boot_dom0):
    received = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        m = boot_dom0(smp=2)
        started = m.wait_for(STARTED, timeout=150)
        assert "listening" in started.group(1), m.check("cat /data/provisiond/log")
        base = "https://127.0.0.1:%d" % m.https_port
        token = m.check("cat /data/provisiond/admin-token").strip()

        status, ctype, text = call(base, token, "GET", "/v1/metrics")
        assert status == 200 and ctype.startswith("text/plain; version=0.0.4"), (status, text)
        text = text.decode()
        free = float(re.search(r"^provisiond_memory_free_bytes (\S+)$", text, re.M).group(1))
        total = float(re.search(r"^provisiond_memory_total_bytes (\S+)$", text, re.M).group(1))
        assert 0 < free < total, text
        assert re.search(r"^provisiond_volume_pool_free_bytes [1-9]", text, re.M), text
        promtool = shutil.which("promtool")
        assert promtool, "promtool not installed (Debian package prometheus)"
        out = subprocess.run([promtool, "check", "metrics"], input=text, text=True,
                             capture_output=True, timeout=30)
        assert out.returncode == 0, out.stdout + out.stderr

        # The product refuses loopback; the host is 10.0.2.2 to dom0.
        status, _, err = call(base, token, "POST", "/v1/webhooks", {
            "url": "http://127.0.0.1:9/", "secret": SECRET, "event_types": ["job.succeeded"]})
        assert status == 400 and json.loads(err)["error"]["field"] == "url", err
        status, _, hook = call(base, token, "POST", "/v1/webhooks", {
            "url": "http://10.0.2.2:%d/hook" % receiver.server_address[1],
            "secret": SECRET, "event_types": ["job.succeeded"]})
        assert status == 201, hook
        hook = json.loads(hook)

        tenant = json.loads(call(base, token, "POST", "/v1/tenants", {"name": "obs"})[2])
        plan = json.loads(call(base, token, "POST", "/v1/plans",
                               {"name": "obs", "vcpus": 1, "memory_mib": 16})[2])
        image = json.loads(call(base, token, "POST", "/v1/images", {
            "name": "hb", "kernel_path": "/usr/share/guests/heartbeat.elf", "cmdline": ""})[2])
        status, _, made = call(base, token, "POST", "/v1/servers", {
            "tenant_id": tenant["id"], "plan_id": plan["id"], "image_id": image["id"],
            "hostname": "obs-1"})
        assert status == 202, made
        job = json.loads(made)["job"]
        deadline = time.monotonic() + 90
        while not received and time.monotonic() < deadline:
            time.sleep(0.5)
        assert received, call(base, token, "GET",
                              "/v1/webhooks/%s/deliveries" % hook["id"])[2]
        headers, body = received[0]
        event = json.loads(body)
        assert event["type"] == "job.succeeded" and event["data"]["job_id"] == job["id"]
        mac = hmac.new(SECRET.encode(), headers["X-Webhook-Timestamp"].encode() + b"." + body,
                       hashlib.sha256).hexdigest()
        assert headers["X-Webhook-Signature"] == "sha256=" + mac
    finally:
        receiver.shutdown()
        receiver.server_close()
