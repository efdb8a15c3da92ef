# SPDX-License-Identifier: GPL-2.0-only
"""provisiond as dom0 runs it (dom0-image/rootfs/etc/dom0/services.d/
60-provisiond), for the system tests: its log, and stopping and starting
the service from dom0's console, and its HTTPS certificate."""
import hashlib
import socket
import ssl

LOG = "/data/provisiond/log"
SERVICE = "/etc/dom0/services.d/60-provisiond"
# What the service prints once provisiond answers (or fails), with the
# certificate's SHA-256 fingerprint.
STARTED = (r"^dom0: (service provisiond listening on port 443 \(HTTPS, certificate "
           r"((?:[0-9A-F]{2}:){31}[0-9A-F]{2})\)|ERROR: provisiond.*)$")


def tls_context():
    """A client context for the appliance's API.  Its certificate is
    self-signed, made on the first boot, so no CA vouches for it: the tests
    check it by its fingerprint instead (served_fingerprint)."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def served_fingerprint(host, port):
    """The SHA-256 fingerprint ("AB:CD:...") of the certificate a TLS
    handshake with host:port shows."""
    with socket.create_connection((host, port), timeout=30) as sock:
        with tls_context().wrap_socket(sock) as tls:
            der = tls.getpeercert(binary_form=True)
    return ":".join("%02X" % b for b in hashlib.sha256(der).digest())


def wait_provisiond_gone(m):
    """Waits (up to 30 s) until no provisiond runs."""
    m.check("n=0; while pidof provisiond >/dev/null && [ $n -lt 300 ]; do "
            "usleep 100000; n=$((n + 1)); done; ! pidof provisiond >/dev/null")


def start_provisiond(m):
    """Starts provisiond as dom0's boot does, once the last one has gone
    (after a kill: SIGTERM lets it finish, SIGKILL is a crash)."""
    wait_provisiond_gone(m)
    out = m.check(SERVICE, timeout=60)
    assert "listening on port 443 (HTTPS" in out, out


def restart_provisiond(m, settings):
    """Restarts provisiond cleanly with settings ("key = value" lines of
    provisiond.conf) in /etc/provisiond.conf, which the service reads."""
    m.check("printf '%%s\\n' %s > /etc/provisiond.conf"
            % " ".join("'%s'" % line for line in settings))
    m.check("kill -TERM $(pidof provisiond)")
    start_provisiond(m)
