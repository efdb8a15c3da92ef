# SPDX-License-Identifier: GPL-2.0-only
"""
Fixtures of the web panel's browser tests: one provisiond-testhv (the API
tests' daemon, fake hypervisor; tests/api/pvd.py) serving the built panel
(build/web) from its web_root, driven by Debian's chromium through
chromedriver and selenium.  Every test gets a fresh browser profile (no
cookies); Panel wraps the few things the tests do with it and saves a
screenshot of each step into build/test-logs/browser/.
"""
import importlib.util
import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "api"))

import pvd  # noqa: E402

# The API tests' World (makes tenants, tokens, plans, servers through the
# API), loaded under another name than our own conftest.
_spec = importlib.util.spec_from_file_location("api_conftest", REPO / "tests" / "api" / "conftest.py")
api_conftest = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(api_conftest)
World = api_conftest.World
unique = api_conftest.unique

from browserlib import SHOTS, Panel, chrome  # noqa: E402

WEB_ROOT = Path(os.environ.get("WEB_ROOT", REPO / "build" / "web"))


def pytest_configure(config):
    assert (WEB_ROOT / "index.html").exists(), "%s not built: make web" % WEB_ROOT
    assert pvd.BINARY.exists(), "%s not built: make provisiond-testhv" % pvd.BINARY
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("test_*.png"):		# the last run's
        old.unlink()


def web_daemon(workdir):
    return pvd.Daemon(workdir, "--web-root", str(WEB_ROOT))


@pytest.fixture(scope="session")
def daemon(tmp_path_factory):
    d = web_daemon(tmp_path_factory.mktemp("web")).start()
    yield d
    d.stop()


@pytest.fixture(scope="session")
def admin(daemon):
    return daemon.client(daemon.admin_token)


@pytest.fixture(scope="session")
def world(daemon, admin):
    return World(daemon, admin)


@pytest.fixture
def browser(request, daemon):
    """A function making Panels (one per user); all are closed at the end."""
    drivers = []

    def make(label="", **kw):
        drv = chrome(**kw)
        drivers.append(drv)
        return Panel(drv, daemon.url, request.node.name + ("-" + label if label else ""))

    yield make
    # No page threw: an uncaught exception in any browser fails the test.
    # (Refused requests and xterm.js's ignored <style> elements, see
    # web/src/csp_styles.js, are logged as errors too: those are expected.)
    thrown = []
    for drv in drivers:
        thrown += [e["message"] for e in drv.get_log("browser") if "Uncaught" in e["message"]]
        drv.quit()
    assert not thrown, "exceptions in the page:\n" + "\n".join(thrown)
