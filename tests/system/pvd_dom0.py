# SPDX-License-Identifier: GPL-2.0-only
"""provisiond as dom0 runs it (dom0-image/rootfs/etc/dom0/services.d/
60-provisiond), for the system tests: its log, and stopping and starting
the service from dom0's console."""

LOG = "/data/provisiond/log"
SERVICE = "/etc/dom0/services.d/60-provisiond"


def wait_provisiond_gone(m):
    """Waits (up to 30 s) until no provisiond runs."""
    m.check("n=0; while pidof provisiond >/dev/null && [ $n -lt 300 ]; do "
            "usleep 100000; n=$((n + 1)); done; ! pidof provisiond >/dev/null")


def start_provisiond(m):
    """Starts provisiond as dom0's boot does, once the last one has gone
    (after a kill: SIGTERM lets it finish, SIGKILL is a crash)."""
    wait_provisiond_gone(m)
    out = m.check(SERVICE, timeout=60)
    assert "listening on port 80" in out, out


def restart_provisiond(m, settings):
    """Restarts provisiond cleanly with settings ("key = value" lines of
    provisiond.conf) in /etc/provisiond.conf, which the service reads."""
    m.check("printf '%%s\\n' %s > /etc/provisiond.conf"
            % " ".join("'%s'" % line for line in settings))
    m.check("kill -TERM $(pidof provisiond)")
    start_provisiond(m)
