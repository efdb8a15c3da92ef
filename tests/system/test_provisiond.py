# SPDX-License-Identifier: GPL-2.0-only
"""provisiond in the appliance: dom0's service 60-provisiond starts it with
the real backend (--hv=libhv) over HTTPS on port 443, with a certificate
made on the first boot, and a server made through its REST API becomes a
running customer domain.

The API is driven from inside dom0 with busybox wget (its own TLS, which
checks no certificate: the fingerprint is checked from the host), at
127.0.0.1:443 (dom0 has no curl; test_dom0.py reaches the same API from the
host through the forwarded port).  Answers are written to /tmp/r in dom0 and examined there
(grep's exit status), ids kept in files in dom0: the hypervisor's lines
share the serial console and can land in the middle of anything dom0
prints."""

from machine import HV
from pvd_dom0 import LOG, STARTED, restart_provisiond, served_fingerprint

PVD = "https://127.0.0.1:443"

# api TOKENFILE PATH [BODY]: GET, or POST of a JSON body; the answer in /tmp/r.
API_FN = (
    'api() { if [ $# -ge 3 ]; then '
    'wget -q --no-check-certificate -O /tmp/r --header "Authorization: Bearer $(cat $1)" '
    '--header "Content-Type: application/json" --post-data "$3" "%s$2"; '
    'else wget -q --no-check-certificate -O /tmp/r --header "Authorization: Bearer $(cat $1)" '
    '"%s$2"; fi; }' % (PVD, PVD))
ADMIN = "/data/provisiond/admin-token"


def keep(m, prefix, name):
    """Saves the first id starting with prefix_ in the last answer as
    /tmp/name in dom0."""
    m.check("grep -o '\"id\":\"%s_[^\"]*\"' /tmp/r | head -n 1 | cut -d'\"' -f4"
            " > /tmp/%s && test -s /tmp/%s" % (prefix, name, name))


def answer_has(m, text):
    """Whether the last answer contains text (checked in dom0: the console's
    hypervisor lines may land in the middle of anything printed)."""
    return m.run("grep -qF '%s' /tmp/r" % text)[0] == 0


def post(m, path, body, token=ADMIN):
    """POST; body is shell-quoted by the caller ("$(cat /tmp/x)" works)."""
    m.check('api %s %s "%s"' % (token, path, body.replace('"', '\\"')))


def wait_job(m):
    """Waits for the job in /tmp/job; True if it succeeded."""
    m.check("api %s /v1/jobs/$(cat /tmp/job)?wait=30" % ADMIN, timeout=60)
    return answer_has(m, '"state":"succeeded"')


def test_server_through_api_runs_as_domain(boot_dom0):
    m = boot_dom0(smp=2)
    started = m.wait_for(STARTED, timeout=150)
    assert "listening" in started.group(1), \
        m.check("cat /data/provisiond/log; ps; date")
    fingerprint = started.group(2)

    # The first admin token was made at first boot, readable by root only;
    # so was the certificate's key.
    m.check("ls -l %s | grep -q '^-rw------- '" % ADMIN)
    m.check("ls -l /data/provisiond/tls-key.pem | grep -q '^-rw------- '")
    # The API answers on HTTPS, from the host through the forwarded port,
    # with the certificate whose fingerprint the console showed.
    assert served_fingerprint("127.0.0.1", m.https_port) == fingerprint
    # The test kernel ignores the power button: give it 5 s, not 30.
    restart_provisiond(m, ["stop_timeout = 5"])
    m.check(API_FN)
    m.check("api %s /v1/health" % ADMIN)
    # After the restart: the same certificate, which GET /v1/system names.
    assert served_fingerprint("127.0.0.1", m.https_port) == fingerprint
    m.check("api %s /v1/system" % ADMIN)
    assert answer_has(m, '"tls":{"enabled":true,"fingerprint_sha256":"%s"}'
                      % fingerprint), m.check("cat /tmp/r")

    post(m, "/v1/tenants", '{"name":"acme"}')
    keep(m, "ten", "ten")
    post(m, "/v1/tokens", '{"name":"acme-key","scope":"customer",'
         '"tenant_id":"$(cat /tmp/ten)"}')
    m.check("grep -o '\"secret\":\"[^\"]*\"' /tmp/r | cut -d'\"' -f4 > /tmp/ctok"
            " && test -s /tmp/ctok")
    post(m, "/v1/plans", '{"name":"tiny","vcpus":1,"memory_mib":16}')
    keep(m, "pln", "pln")
    post(m, "/v1/images", '{"name":"heartbeat",'
         '"kernel_path":"/usr/share/guests/heartbeat.elf","cmdline":""}')
    keep(m, "img", "img")

    # The customer orders a server; the create job makes and starts it.
    post(m, "/v1/servers", '{"plan_id":"$(cat /tmp/pln)",'
         '"image_id":"$(cat /tmp/img)","hostname":"hb-1"}', token="/tmp/ctok")
    keep(m, "srv", "srv")
    keep(m, "job", "job")
    assert wait_job(m), m.check("cat /tmp/r; echo; tail /data/provisiond/log")

    # It is a domain named after the server, running its kernel.
    beat = m.wait_for(HV + r"\(d(\d+)\) heartbeat 3$", timeout=30)
    domid = int(beat.group(1))
    m.check("hvctl list | grep -Eq '^%d +'$(cat /tmp/srv)' +(running|blocked) '"
            % domid)
    m.check("api %s /v1/servers/$(cat /tmp/srv)" % ADMIN)
    assert answer_has(m, '"actual_state":"running"'), m.check("cat /tmp/r")
    assert answer_has(m, '"domain_id":%d,' % domid), m.check("cat /tmp/r")

    # Stopped through the API: the stop presses the domain's power button,
    # which this test kernel ignores, so after stop_timeout the job destroys
    # the domain (the fallback), and says so in its log.
    post(m, "/v1/servers/$(cat /tmp/srv)/stop", "{}", token="/tmp/ctok")
    keep(m, "job", "job")
    assert wait_job(m), m.check("cat /tmp/r")
    m.wait_for(HV + r"d%d: power button pressed$" % domid, timeout=10)
    m.check("! hvctl list | grep -q $(cat /tmp/srv)")
    m.check("api %s /v1/servers/$(cat /tmp/srv)" % ADMIN)
    assert answer_has(m, '"actual_state":"stopped"'), m.check("cat /tmp/r")
    m.check("grep -q \"$(cat /tmp/srv) did not shut down within 5 s: "
            "destroying it (the fallback)\" %s" % LOG)
