# SPDX-License-Identifier: GPL-2.0-only
"""
The web panel in a real browser (headless chromium) against provisiond-testhv
serving build/web: what a customer and a hoster do in the pages, and what
they must not be able to do.  Screenshots: build/test-logs/browser/.
"""
import socket
import base64
import re
import os
import sqlite3
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from conftest import unique
import sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "api"))
from test_volumes import make_template, make_template_file  # noqa: E402

PASSWORD = "correct horse battery"


def customer_token(world, tenant_id):
    return world.make_token(tenant_id)["secret"]


def server_row(panel, server_id):
    return panel.find('#server-list tr[data-id="%s"]' % server_id)


def test_customer_sees_only_their_servers(world, browser):
    a = world.make_tenant()
    b = world.make_tenant()
    mine = [world.make_server(a["id"], hostname=h)[0] for h in ("alpha.example.com", "beta.example.com")]
    theirs, _ = world.make_server(b["id"], hostname="gamma.example.com")
    p = browser()
    p.go("/")
    p.find("#login-form")			# no session: the login form
    p.shot("login")
    p.login(customer_token(world, a["id"]))
    p.find("#server-list table")
    p.shot("servers")
    text = p.text("#server-list")
    for s in mine:
        assert s["hostname"] in text
        row = server_row(p, s["id"])
        assert "running" in row.text
        assert s["addresses"] == [] or s["addresses"][0]["address"] in row.text
    assert theirs["hostname"] not in text and theirs["id"] not in p.d.page_source
    assert len(p.all("#server-list tbody tr")) == 2
    # Hoster-only navigation is not offered.
    assert not p.all('a[href="/admin/tenants"]')
    p.logout()
    p.shot("logged-out")
    p.go("/servers")
    p.find("#login-form")			# the session is gone


def test_power_buttons_run_jobs(world, browser):
    t = world.make_tenant()
    server, _ = world.make_server(t["id"], hostname="power.example.com")
    # The monitor (every second here) has counted a minute for the new
    # server before the page opens: a loaded machine can take longer than
    # the page's 4 s below.
    recent = "/v1/servers/%s/usage/recent" % server["id"]
    deadline = time.monotonic() + 30
    while not world.admin.get(recent).json()["minutes"]:
        assert time.monotonic() < deadline, "no minute counted for the new server"
        time.sleep(0.2)
    p = browser()
    p.login(customer_token(world, t["id"]))
    p.click('a[href="/servers/%s"]' % server["id"])
    p.wait_text("#server-state", "running")
    # The last hour is drawn at once from the server's minutes
    # (/usage/recent), sooner than its first refresh (10 s).
    p.find("#chart-live-cpu[data-minutes] canvas", timeout=4)
    assert int(p.find("#chart-live-cpu").get_attribute("data-minutes")) >= 1
    # The last 30 days are drawn from the hourly usage export.
    p.find("#chart-month-cpu canvas")
    assert "does not keep hourly usage" not in p.text("#graphs")
    p.shot("running")
    for button, state in (("Stop", "stopped"), ("Start", "running"), ("Reboot", "running")):
        p.click_button(button, "#main .actions")
        # The job shown is this one; it runs to its end.
        p.wait_text("#job .job-kind", button.lower())
        p.wait_text("#job-state", "succeeded", 30)
        p.notice("%s succeeded" % button.lower())
        p.wait_text("#server-state", state)
        p.shot(button.lower())
        assert world.admin.get("/v1/servers/" + server["id"]).json()["actual_state"] == state
    # Reboot of a stopped server: the API's refusal is shown.
    p.click_button("Stop", "#main .actions")
    p.wait_text("#job .job-kind", "stop")
    p.wait_text("#job-state", "succeeded", 30)
    p.wait_text("#server-state", "stopped")
    p.click_button("Reboot", "#main .actions")
    p.notice("invalid_state")
    p.shot("reboot-refused")


def test_month_graphs_draw_a_month_of_hours(world, browser):
    """The last 30 days from a month of hourly buckets (planted in the
    database as the monitor would have kept them): a working-hours pattern
    with two days in the middle where the server did not exist, which the
    lines do not bridge."""
    t = world.make_tenant()
    server, _ = world.make_server(t["id"], hostname="month.example.com")
    hour = int(time.time()) // 3600 * 3600
    gap = range(hour - 16 * 86400, hour - 14 * 86400)
    rows = []
    for h in range(1, 30 * 24 - 1):
        start = hour - h * 3600
        if start in gap:
            continue
        busy = 8 <= (start // 3600) % 24 < 18
        rows.append((server["id"], t["id"], start,
                     (60 if busy else 5) * 36 * 10**9,		# 60% / 5% of one CPU
                     2 * 36 * 10**9 if busy else 0,		# 2% steal
                     (40 if busy else 1) << 20, 3 << 20,
                     (200 if busy else 10) << 20, (800 if busy else 20) << 20, 3600, 3600))
    con = sqlite3.connect(str(world.daemon.db), timeout=10)
    try:
        con.executemany("INSERT INTO usage_hourly (server_id, tenant_id, hour_start, cpu_ns,"
                        " steal_ns, disk_read_bytes, disk_write_bytes, net_rx_bytes,"
                        " net_tx_bytes, existed_seconds, running_seconds)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.commit()
    finally:
        con.close()
    p = browser()
    p.login(customer_token(world, t["id"]))
    p.go("/servers/" + server["id"])
    for chart in ("cpu", "disk", "net"):
        el = p.find("#chart-month-%s[data-hours] canvas" % chart)
        hours = int(p.find("#chart-month-%s" % chart).get_attribute("data-hours"))
        # The planted hours, and the current one the monitor is counting.
        assert len(rows) <= hours <= len(rows) + 2, (chart, hours, len(rows))
        assert el.size["width"] > 200 and el.size["height"] > 100, el.size
    p.d.execute_script("document.getElementById('chart-month-cpu').scrollIntoView()")
    p.shot("month")


def test_reinstall_through_the_form(world, browser, tmp_path):
    tpl, _ = make_template(world.admin, tmp_path, content=b"OLDROOT")
    new_tpl, _ = make_template(world.admin, tmp_path, content=b"NEWROOT")
    plan = world.make_plan(root_disk_gib=2, data_disk_gib=1)
    t = world.make_tenant()
    server, _ = world.make_server(t["id"], hostname="reinstall.example.com", plan_id=plan["id"],
                                  template_id=tpl["id"], root_password=PASSWORD)
    p = browser()
    p.login(customer_token(world, t["id"]))
    p.go("/servers/" + server["id"])
    form = p.find("#reinstall-form")
    p.select("#reinstall-form select[name=template_id]", "%s (%s)" % (
        new_tpl["name"], " ".join(x for x in (new_tpl["os"], new_tpl["version"]) if x)))
    p.fill("#reinstall-form input[name=root_password]", "a new password 123")
    p.find('#reinstall-form input[value=format]').click()
    submit = form.find_element(By.CSS_SELECTOR, "button[type=submit]")
    p.fill("#reinstall-form input[name=confirm]", "reinstall.example.co")
    assert not submit.is_enabled()		# the hostname must be typed exactly
    p.find("#reinstall-form input[name=confirm]").send_keys("m")
    p.wait(lambda d: submit.is_enabled(), what="reinstall enabled")
    p.shot("form")
    submit.click()
    p.wait_text("#job .job-kind", "reinstall")
    p.shot("job")
    p.wait_text("#job-state", "succeeded", 60)
    p.shot("done")
    s = world.admin.get("/v1/servers/" + server["id"]).json()
    assert s["template_id"] == new_tpl["id"] and s["actual_state"] == "running"
    jobs = world.admin.list_all("/v1/jobs", params={"server_id": server["id"]})
    reinstall = [j for j in jobs if j["kind"] == "reinstall"]
    assert len(reinstall) == 1 and reinstall[0]["state"] == "succeeded"
    assert reinstall[0]["params"].get("format_data") is True

    # Reset password: the API's answer is shown.
    p.fill("#password-form input[name=root_password]", "short")
    p.click("#password-form button[type=submit]")
    # The browser's own check (minlength) stops it; the API is not asked.
    assert p.find("#password-form input[name=root_password]").get_attribute("validationMessage")
    p.fill("#password-form input[name=root_password]", "another password 456")
    p.click("#password-form button[type=submit]")
    p.notice("applies at the next boot")
    p.shot("password")


def test_hoster_creates_and_suspends_customer_sees_it(world, browser):
    tenant_name = unique("Acme")
    plan_name = unique("small")
    hoster = browser("hoster")
    hoster.login(world.admin.token)
    hoster.shot("admin-servers")
    # A tenant
    hoster.click('a[href="/admin/tenants"]')
    hoster.fill("#create-tenant input[name=name]", tenant_name)
    hoster.click("#create-tenant button[type=submit]")
    hoster.notice("Tenant %s created" % tenant_name)
    hoster.shot("tenant")
    # its customer token
    hoster.d.find_element(By.LINK_TEXT, tenant_name).click()
    hoster.fill("#create-token input[name=name]", "owner")
    hoster.click("#create-token button[type=submit]")
    secret = hoster.find("#new-token-secret").text
    assert secret.startswith("pvd_")
    hoster.shot("token")
    # a plan
    hoster.click('a[href="/admin/plans"]')
    hoster.fill("#create-plan input[name=name]", plan_name)
    hoster.fill("#create-plan input[name=memory_mib]", "256")
    hoster.click("#create-plan button[type=submit]")
    hoster.notice("Plan %s created" % plan_name)
    hoster.shot("plan")
    # a server for the tenant
    hoster.click('a[href="/servers"]')
    hoster.select("#create-server select[name=tenant_id]", tenant_name)
    hoster.select("#create-server select[name=plan_id]", plan_name)
    hoster.select("#create-server select[name=source]", "Image: " + world.image["name"])
    hoster.fill("#create-server input[name=hostname]", "shop.example.com")
    hoster.click("#create-server button[type=submit]")
    hoster.wait_text("#job-state", "succeeded", 30)
    hoster.wait_text("#server-state", "running")
    hoster.shot("server")
    server_id = hoster.d.current_url.rstrip("/").split("/")[-1].split("?")[0]
    # suspend it
    hoster.d.execute_script("window.confirm = () => true;")
    hoster.click_button("Suspend", "#main .actions")
    hoster.wait_text("#job-state", "succeeded", 30)
    hoster.wait_text("#server-state", "suspended")
    hoster.shot("suspended")
    assert world.admin.get("/v1/servers/" + server_id).json()["suspended"] is True

    customer = browser("customer")
    customer.login(secret)
    row = server_row(customer, server_id)
    assert "shop.example.com" in row.text and "suspended" in row.text
    customer.shot("list")
    customer.click('a[href="/servers/%s"]' % server_id)
    customer.wait_text("#suspended-banner", "suspended")
    assert not customer.all(".act-suspend") and not customer.all(".act-unsuspend")
    for button in ("Start", "Reboot", "Stop"):
        customer.click_button(button, "#main .actions")
        customer.notice("server_suspended")
    customer.shot("refused")
    assert world.admin.get("/v1/servers/" + server_id).json()["actual_state"] == "stopped"


HOSTILE = ['<script>window.__xss = 1</script>', '<img src=x onerror="window.__xss = 1">']


def test_hostile_names_render_as_text(world, browser, tmp_path):
    t = world.make_tenant(name=HOSTILE[1])
    plan = world.make_plan(name=HOSTILE[0], root_disk_gib=2)
    path = make_template_file(tmp_path)
    r = world.admin.post("/v1/templates", json={"name": HOSTILE[1] + HOSTILE[0], "path": str(path),
                                                "os": "debian-12", "min_disk_gib": 1})
    assert r.status_code == 201, r.text
    tpl = r.json()
    server, _ = world.make_server(t["id"], plan_id=plan["id"], template_id=tpl["id"],
                                  hostname="xss.example.com", root_password=PASSWORD)
    p = browser()
    p.login(customer_token(world, t["id"]))
    p.go("/servers/" + server["id"])
    p.find("#reinstall-form select option")
    p.wait_text("#server-summary", "script")
    p.shot("customer")
    assert HOSTILE[0] in p.text("#server-summary")
    options = [o.text for o in p.all("#reinstall-form select[name=template_id] option")]
    assert any(HOSTILE[1] + HOSTILE[0] in o for o in options)
    hoster = browser("hoster")
    hoster.login(world.admin.token)
    for path, where, shown in (("/servers", "#server-list", HOSTILE[1]),
                               ("/admin/tenants", "main", HOSTILE[1]),
                               ("/admin/plans", "main", HOSTILE[0]),
                               ("/admin/templates", "main", HOSTILE[1] + HOSTILE[0])):
        hoster.go(path)
        hoster.wait_text(where, re.escape(shown))
        hoster.shot(path.strip("/").replace("/", "-"))
    for panel in (p, hoster):
        assert panel.d.execute_script("return window.__xss") is None
        # No element was made from the names: the only images are none.
        assert not panel.all("main img") and not panel.all("main script")


def test_other_tenants_server_is_not_found(world, browser):
    a, b = world.make_tenant(), world.make_tenant()
    theirs, _ = world.make_server(b["id"], hostname="secret.example.com")
    p = browser()
    p.login(customer_token(world, a["id"]))
    p.go("/servers/" + theirs["id"])
    p.find("#not-found")
    p.shot("not-found")
    assert "secret.example.com" not in p.d.page_source
    p.go("/servers/srv_0000000000000000")
    p.find("#not-found")
    p.go("/no/such/page")
    p.find("#not-found")


def ws_handshake(daemon, url):
    """A WebSocket opening handshake by hand; the status line's code."""
    key = base64.b64encode(os.urandom(16)).decode()
    req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\n"
           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n"
           % (url, daemon.port, key))
    with socket.create_connection(("127.0.0.1", daemon.port), timeout=10) as s:
        s.sendall(req.encode())
        head = b""
        while b"\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                break
            head += chunk
    return int(head.split()[1])


def test_reused_console_ticket_is_refused(world, browser, daemon):
    t = world.make_tenant()
    server, _ = world.make_server(t["id"], hostname="ticket.example.com")
    p = browser()
    p.login(customer_token(world, t["id"]))
    p.go("/servers/" + server["id"])
    p.find("#console")
    # The page's own session asks for a ticket and uses it twice.
    result = p.d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const csrf = sessionStorage.getItem("hv-panel-csrf");
        const r = await fetch("/v1/servers/%s/console-ticket", {method: "POST",
            headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
            body: JSON.stringify({write: false})});
        const ticket = await r.json();
        const open = (url) => new Promise((resolve) => {
            const ws = new WebSocket(url.replace(/^http/, "ws"));
            ws.onopen = () => { ws.close(); resolve("open"); };
            ws.onerror = () => resolve("refused");
        });
        const url = new URL(ticket.url, location.href).href;
        done({status: r.status, first: await open(url), second: await open(url), url: ticket.url});
    """ % server["id"])
    assert result["status"] == 201, result
    assert result["first"] == "open" and result["second"] == "refused", result
    # Read off the socket: refused before any upgrade.
    assert ws_handshake(daemon, result["url"]) == 403
    # Another tenant's server: no ticket.
    other, _ = world.make_server(world.make_tenant()["id"])
    status = p.d.execute_async_script("""
        const done = arguments[arguments.length - 1];
        const r = await fetch("/v1/servers/%s/console-ticket", {method: "POST",
            headers: {"Content-Type": "application/json",
                      "X-CSRF-Token": sessionStorage.getItem("hv-panel-csrf")},
            body: JSON.stringify({write: true})});
        done(r.status);
    """ % other["id"])
    assert status == 404


def test_console_shows_output_and_echoes_input(world, browser):
    t = world.make_tenant()
    server, _ = world.make_server(t["id"], hostname="console.example.com")
    p = browser()
    p.login(customer_token(world, t["id"]))
    p.go("/servers/" + server["id"])
    p.open_console()
    p.type_console("echo hello-from-the-browser")
    p.wait(lambda d: "echo hello-from-the-browser" in p.terminal_text(), what="echo")
    p.shot("console")
    # A second viewer with the watch-only button gets it too: from the
    # console's backlog, sent first to a new viewer.
    v = browser("viewer")
    v.login(customer_token(world, t["id"]))
    v.go("/servers/" + server["id"])
    v.click("#console-watch")
    v.wait(lambda d: "hello-from-the-browser" in v.terminal_text(), what="viewer output")
    assert v.find("#console-status").get_attribute("data-state") == "viewer"
    v.shot("viewer")
    # The viewer takes the keyboard: the first page is told it watches now.
    v.open_console()
    p.wait_text("#console-status", "Another viewer took the keyboard")
    assert p.find("#console-status").get_attribute("data-state") == "viewer"
    v.type_console(" from-the-viewer")
    v.wait(lambda d: "from-the-viewer" in v.terminal_text(), what="the viewer's echo")
    p.wait(lambda d: "from-the-viewer" in p.terminal_text(), what="the viewer's typing: %r" % p.terminal_text())
    p.shot("keyboard-taken")
    # The terminal is drawn (its styles applied despite the CSP).
    height = p.d.execute_script(
        "return document.querySelector('#terminal .xterm-rows > div').getBoundingClientRect().height")
    assert 8 < height < 40, height


def test_phone_width_and_keyboard(world, browser):
    t = world.make_tenant()
    server, _ = world.make_server(t["id"], hostname="phone.example.com")
    p = browser("phone", width=390, height=844, mobile=True)
    p.login(customer_token(world, t["id"]))
    p.find("#server-list table")
    p.shot("list")
    # Nothing wider than the screen but the scrollable table.
    overflow = p.d.execute_script("return document.documentElement.scrollWidth")
    assert overflow <= 400, overflow
    p.go("/servers/" + server["id"])
    p.find("#server-summary")
    p.shot("server")
    # Keyboard: Tab reaches the power buttons; focus is visible (an outline).
    k = browser("keyboard")
    k.login(customer_token(world, t["id"]))
    k.go("/servers/" + server["id"])
    k.find("#server-summary")
    body = k.find("body")
    for _ in range(30):
        body = k.d.switch_to.active_element
        body.send_keys(Keys.TAB)
        el = k.d.switch_to.active_element
        if el.text == "Start":
            break
    assert el.text == "Start"
    assert k.d.execute_script("return getComputedStyle(arguments[0]).outlineStyle", el) != "none"
    k.shot("focus")
