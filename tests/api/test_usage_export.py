# SPDX-License-Identifier: GPL-2.0-only
"""
Usage meters and their export (GET /v1/usage with from/to/granularity/
format; docs/usage.md), with the fake hypervisor's counters file setting
each domain's counters (tests/api/testhv/hv_fake.c):

- the monitor's samples reach the hourly buckets exactly, and stay exact
  across a domain made anew (stop and start), a provisiond kill -9 between
  samples, and samples replayed after the restart;
- JSON and CSV agree, and day and month records are exactly the sums of
  their hours;
- a customer sees its tenant's usage only; bad parameters are 400s naming
  the field.
"""
import csv
import io
import sqlite3
import time

import pytest

from conftest import World

HOUR = 3600
METERS = ["cpu_ns", "steal_ns", "disk_read_bytes", "disk_write_bytes", "disk_read_ops",
          "disk_write_ops", "net_rx_bytes", "net_tx_bytes", "net_rx_packets",
          "net_tx_packets", "disk_kib_seconds", "address_seconds", "existed_seconds",
          "running_seconds"]
COUNTERS = METERS[:10]


def set_counters(d, values):
    """values: {server_id: {key: N}} -> the fake's counters file."""
    lines = ["%s %s\n" % (name, " ".join("%s=%d" % kv for kv in sorted(kv.items())))
             for name, kv in values.items()]
    path = str(d.state) + ".counters"
    with open(path + ".tmp", "w") as f:
        f.write("".join(lines))
    import os
    os.replace(path + ".tmp", path)


def fake_keys(c):
    """Meter names -> the fake's keys (cpu_ns is cpu_time_ns there)."""
    return {("cpu_time_ns" if k == "cpu_ns" else k): v for k, v in c.items()}


def totals(client, **params):
    """Each server's sum of every counter over this month's hours."""
    out = {}
    for r in export(client, granularity="month", **params):
        t = out.setdefault(r["server_id"], dict.fromkeys(METERS, 0))
        for m in METERS:
            t[m] += r[m]
    return out


def export(client, **params):
    items, cursor = [], None
    while True:
        p = dict(params)
        if cursor:
            p["cursor"] = cursor
        r = client.get("/v1/usage", params=p)
        assert r.status_code == 200, r.text
        items += r.json()["items"]
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return items


def export_csv(client, **params):
    rows, cursor = [], None
    while True:
        p = dict(params, format="csv")
        if cursor:
            p["cursor"] = cursor
        r = client.get("/v1/usage", params=p, check=False)
        assert r.status_code == 200, r.text
        assert r.headers["Content-Type"].startswith("text/csv")
        lines = list(csv.reader(io.StringIO(r.text)))
        assert lines[0][:6] == ["server_id", "tenant_id", "external_id", "hostname",
                                "period_start", "period_end"]
        assert lines[0][6:] == METERS
        rows += [dict(zip(lines[0], line)) for line in lines[1:]]
        cursor = r.headers.get("X-Next-Cursor")
        if cursor is None:
            return rows


def wait_totals(client, server_id, want, timeout=15):
    """Until the server's counters in the export are want (a subset)."""
    deadline = time.monotonic() + timeout
    while True:
        got = totals(client, server_id=server_id).get(server_id, {})
        if all(got.get(k) == v for k, v in want.items()):
            return got
        assert time.monotonic() < deadline, "usage %s, wanted %s" % (got, want)
        time.sleep(0.2)


def write_db(d, sql, *args):
    con = sqlite3.connect(str(d.db), timeout=10)
    try:
        con.execute(sql, args)
        con.commit()
    finally:
        con.close()


@pytest.fixture
def metered(own_daemon):
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    return d, admin, World(d, admin)


def test_counters_exact_across_new_domain_and_kill9(metered):
    d, admin, world = metered
    t = world.make_tenant()
    s = world.make_server(t["id"], external_id="acct-1")[0]
    first = {"cpu_ns": 5_000_000_123, "steal_ns": 77, "disk_read_bytes": 1 << 33,
             "disk_write_bytes": 123_456_789, "disk_read_ops": 1000, "disk_write_ops": 999,
             "net_rx_bytes": 10**10 + 1, "net_tx_bytes": 3, "net_rx_packets": 7,
             "net_tx_packets": 11}
    set_counters(d, {s["id"]: fake_keys(first)})
    wait_totals(admin, s["id"], first)

    # Stop: the job's final sample keeps what the domain counted last.
    more = dict(first, cpu_ns=first["cpu_ns"] + 10, net_tx_bytes=1003)
    set_counters(d, {s["id"]: fake_keys(more)})
    assert world.action(s["id"], "stop")["state"] == "succeeded"
    got = totals(admin, server_id=s["id"])[s["id"]]
    assert {k: got[k] for k in COUNTERS} == more

    # A new domain counts from 0: its counters add to the old ones'.
    second = dict.fromkeys(COUNTERS, 5)
    set_counters(d, {s["id"]: fake_keys(second)})
    assert world.action(s["id"], "start")["state"] == "succeeded"
    want = {k: more[k] + 5 for k in COUNTERS}
    wait_totals(admin, s["id"], want)

    # kill -9 between samples, counters moved meanwhile: nothing lost,
    # nothing counted twice, and the samples after the restart add only
    # what is new.
    d.kill9()
    third = dict.fromkeys(COUNTERS, 50)
    set_counters(d, {s["id"]: fake_keys(third)})
    d.start()
    admin = d.client(d.admin_token)
    want = {k: more[k] + 50 for k in COUNTERS}
    wait_totals(admin, s["id"], want)
    time.sleep(2.5)		# more samples of the same counters
    got = totals(admin, server_id=s["id"])[s["id"]]
    assert {k: got[k] for k in COUNTERS} == want
    assert got["existed_seconds"] > 0 and got["running_seconds"] > 0

    # The lifetime shape is still there, with the new filters.
    r = admin.get("/v1/usage", params={"external_id": "acct-1"})
    assert [u["server_id"] for u in r.json()["items"]] == [s["id"]]


def test_csv_never_holds_a_formula(metered):
    """A spreadsheet opening the export runs no text a hoster or customer
    chose: a field that starts like a formula gets a leading quote in CSV;
    JSON keeps the value as it is."""
    d, admin, world = metered
    t = world.make_tenant()
    hostile = {'=HYPERLINK("http://x","y")': '"\'=HYPERLINK(""http://x"",""y"")"',
               "+1": '"\'+1"', "-2+3": '"\'-2+3"', "@SUM(A1)": '"\'@SUM(A1)"',
               "a=1": "a=1"}
    ids = {world.make_server(t["id"], external_id=e)[0]["id"]: e for e in hostile}
    con = sqlite3.connect(str(d.db), timeout=10)
    for sid in ids:
        con.execute("INSERT INTO usage_hourly (server_id, tenant_id, hour_start, cpu_ns)"
                    " VALUES (?, ?, ?, 1)", (sid, t["id"], 1769904000))
    con.commit()
    con.close()
    rng = {"from": "2026-02-01T00:00:00Z", "to": "2026-03-01T00:00:00Z",
           "tenant_id": t["id"]}
    assert {r["server_id"]: r["external_id"] for r in export(admin, **rng)} == ids
    r = admin.get("/v1/usage", params=dict(rng, format="csv"))
    assert r.status_code == 200, r.text
    lines = r.text.split("\r\n")[1:-1]
    assert len(lines) == len(hostile), lines
    for line in lines:
        external_id = ids[line.split(",", 1)[0]]
        assert "," + hostile[external_id] + "," in line, (external_id, line)
    # Read back as CSV, the quote is all that was added.
    for row in export_csv(admin, **rng):
        want = ids[row["server_id"]]
        assert row["external_id"] == (want if hostile[want] == want else "'" + want)


def test_periods_sum_exactly_and_csv_agrees(metered):
    d, admin, world = metered
    t = world.make_tenant()
    a = world.make_server(t["id"], external_id='acct,"7"')[0]
    b = world.make_server(t["id"])[0]
    # Two months of hours planted directly, with odd values, for a and b.
    month0 = 1769904000			# 2026-02-01 00:00 UTC
    for sid, seed in ((a["id"], 7), (b["id"], 13)):
        con = sqlite3.connect(str(d.db), timeout=10)
        rows = []
        for h in range(0, (28 + 31) * 24, 5):
            hour = month0 + h * HOUR
            rows.append((sid, t["id"], hour) + tuple(
                (seed * (h + 1) * (i + 3)) % 1_000_003 + (10**15 if i == 0 else 0)
                for i in range(len(METERS))))
        con.executemany("INSERT INTO usage_hourly (server_id, tenant_id, hour_start, %s)"
                        " VALUES (%s)" % (", ".join(METERS), ", ".join("?" * (3 + len(METERS)))),
                        rows)
        con.commit()
        con.close()
    rng = {"from": "2026-02-01T00:00:00Z", "to": "2026-04-01T00:00:00Z",
           "tenant_id": t["id"]}
    hours = export(admin, granularity="hour", limit=97, **rng)
    days = export(admin, granularity="day", **rng)
    months = export(admin, granularity="month", **rng)
    assert len(months) == 4 and len(hours) == 2 * len(range(0, 59 * 24, 5))

    def rollup(items, key):
        out = {}
        for r in items:
            k = (r["server_id"], key(r["period_start"]))
            acc = out.setdefault(k, dict.fromkeys(METERS, 0))
            for m in METERS:
                acc[m] += r[m]
        return out

    day_of, month_of = (lambda p: p[:10]), (lambda p: p[:7])
    assert rollup(hours, day_of) == {(r["server_id"], r["period_start"][:10]):
                                     {m: r[m] for m in METERS} for r in days}
    assert rollup(hours, month_of) == rollup(days, month_of) == \
        {(r["server_id"], r["period_start"][:7]): {m: r[m] for m in METERS}
         for r in months}
    assert {r["period_end"] for r in months if r["period_start"].startswith("2026-02")} \
        == {"2026-03-01T00:00:00Z"}

    # CSV: the same records, the same numbers, in the same order.
    for g, items in (("hour", hours), ("day", days), ("month", months)):
        rows = export_csv(admin, granularity=g, limit=50, **rng)
        assert len(rows) == len(items)
        for row, item in zip(rows, items):
            assert row["server_id"] == item["server_id"]
            assert row["hostname"] == item["hostname"]
            assert row["external_id"] == (item["external_id"] or "")
            assert row["period_start"] == item["period_start"]
            assert {m: int(row[m]) for m in METERS} == {m: item[m] for m in METERS}
    assert any(r["external_id"] == 'acct,"7"' for r in export_csv(admin, **rng))

    # A month for every server in one request.
    r = admin.get("/v1/usage", params=dict(rng, granularity="month", format="csv"),
                  check=False)
    assert "X-Next-Cursor" not in r.headers and r.text.count("\r\n") == 1 + 4

    # The range widens to whole periods: mid-month to mid-month is two months.
    mid = export(admin, granularity="month", **dict(rng, **{
        "from": "2026-02-15T10:30:00Z", "to": "2026-03-02T00:00:01Z"}))
    assert mid == months


def test_customers_see_their_tenant_only(metered):
    d, admin, world = metered
    t1, t2 = world.make_tenant(), world.make_tenant()
    s1 = world.make_server(t1["id"])[0]
    s2 = world.make_server(t2["id"])[0]
    set_counters(d, {s1["id"]: {"cpu_time_ns": 100}, s2["id"]: {"cpu_time_ns": 200}})
    wait_totals(admin, s1["id"], {"cpu_ns": 100})
    wait_totals(admin, s2["id"], {"cpu_ns": 200})
    c1 = world.customer(t1["id"])
    assert set(totals(c1)) == {s1["id"]}
    assert totals(c1, tenant_id=t2["id"]) == {}
    assert totals(c1, server_id=s2["id"]) == {}
    assert {r["server_id"] for r in export_csv(c1)} == {s1["id"]}
    assert set(totals(admin)) >= {s1["id"], s2["id"]}


@pytest.mark.parametrize("params,field", [
    ({"from": "2026-03-02T00:00:00Z", "to": "2026-03-01T00:00:00Z"}, "from"),
    ({"from": "2026-03-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"}, "from"),
    ({"from": "2020-01-01T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "to"),
    ({"granularity": "week"}, "granularity"),
    ({"format": "xml"}, "format"),
    ({"from": "yesterday"}, "from"),
    ({"granularity": "day", "cursor": "nonsense"}, "cursor"),
])
def test_bad_parameters(daemon, admin, params, field):
    r = admin.get("/v1/usage", params=params)
    assert r.status_code == 400, r.text
    err = r.json()["error"]
    assert field in err.get("field", "") or err["message"].startswith(field), err


def test_metrics_report_the_meters(metered):
    """GET /v1/metrics's per-server counters are the meters summed over the
    server's hours: the same figures as the export (docs/metrics.md)."""
    from test_metrics import samples, value

    d, admin, world = metered
    t = world.make_tenant()
    s = world.make_server(t["id"])[0]
    want = {"cpu_ns": 2_000_000_000, "steal_ns": 500_000_000,
            "disk_read_bytes": 1 << 31, "disk_write_bytes": 123_456_789,
            "disk_read_ops": 4321, "disk_write_ops": 1234, "net_rx_bytes": 10**9 + 7,
            "net_tx_bytes": 55_555, "net_rx_packets": 777, "net_tx_packets": 88}
    throttled = {"disk_throttled_ns": 1_500_000_000, "net_throttled_ns": 250_000_000}
    set_counters(d, {s["id"]: dict(fake_keys(want), **throttled)})
    wait_totals(admin, s["id"], want)
    r = admin.get("/v1/metrics")
    assert r.status_code == 200, r.text
    got = samples(r.text)
    labels = {"server_id": s["id"], "tenant_id": t["id"]}
    for meter, name, scale in (
            ("steal_ns", "provisiond_server_steal_seconds_total", 1e-9),
            ("disk_read_bytes", "provisiond_server_disk_read_bytes_total", 1),
            ("disk_write_bytes", "provisiond_server_disk_written_bytes_total", 1),
            ("disk_read_ops", "provisiond_server_disk_reads_total", 1),
            ("disk_write_ops", "provisiond_server_disk_writes_total", 1),
            ("net_rx_bytes", "provisiond_server_network_receive_bytes_total", 1),
            ("net_tx_bytes", "provisiond_server_network_transmit_bytes_total", 1),
            ("net_rx_packets", "provisiond_server_network_receive_packets_total", 1),
            ("net_tx_packets", "provisiond_server_network_transmit_packets_total", 1)):
        assert value(got, name, **labels) == pytest.approx(want[meter] * scale), name
    # Throttled time: the running domain's, as the last sample saw it.
    assert value(got, "provisiond_server_throttled_seconds_total", **labels,
                 device="disk") == pytest.approx(1.5)
    assert value(got, "provisiond_server_throttled_seconds_total", **labels,
                 device="net") == pytest.approx(0.25)
    # A stopped server has no domain: no throttled series, its meters stay.
    assert world.action(s["id"], "stop")["state"] == "succeeded"
    deadline = time.monotonic() + 15
    while True:
        got = samples(admin.get("/v1/metrics").text)
        if not [k for k in got if k[0] == "provisiond_server_throttled_seconds_total"
                and s["id"] in k[1]]:
            break
        assert time.monotonic() < deadline, "throttled series of a stopped server"
        time.sleep(0.2)
    # The stop's final sample added nothing new; the totals the scrape reads
    # (usage_totals, kept by triggers) are still the export's sums.
    exported = totals(admin, server_id=s["id"])[s["id"]]
    assert value(got, "provisiond_server_disk_read_bytes_total", **labels) == \
        exported["disk_read_bytes"] == want["disk_read_bytes"]
    assert value(got, "provisiond_server_network_transmit_packets_total", **labels) == \
        exported["net_tx_packets"] == want["net_tx_packets"]
