# SPDX-License-Identifier: GPL-2.0-only
"""The hypervisor's domain limits at the API: the contract states hvabi.h's
numbers, a plan the hypervisor could never run is refused with 400 naming
the field (at and beyond every edge), and the test double refuses what the
hypervisor refuses."""
import re
import sqlite3

import pytest

import pvd
from conftest import World, unique
from pvd import error_of

HVABI = pvd.REPO / "hypervisor" / "include" / "public" / "hvabi.h"


def hvabi_constants():
    """hvabi.h's HV_DOMAIN_* and HV_SCHED_* integer constants."""
    text = re.sub(r"/\*.*?\*/", "", HVABI.read_text(), flags=re.S)
    found = {}
    for name, expr in re.findall(r"^#define\s+(HV_(?:DOMAIN|SCHED)_\w+)\s+([0-9()*+ ]+?)\s*$",
                                 text, re.M):
        found[name] = eval(expr, {"__builtins__": {}})  # digits and * only
    return found


HV = hvabi_constants()
SCHEMAS = pvd.CONTRACT.doc["components"]["schemas"]
RAM_MIN = SCHEMAS["MemoryMib"]["minimum"]     # provisiond's floor, >= the hypervisor's


def test_contract_states_the_hypervisors_limits():
    """The numbers in api/openapi.yaml are hvabi.h's (the build also
    _Static_asserts them: x-hv), and plans use them."""
    assert (SCHEMAS["Vcpus"]["minimum"], SCHEMAS["Vcpus"]["maximum"]) == \
        (HV["HV_DOMAIN_VCPUS_MIN"], HV["HV_DOMAIN_VCPUS_MAX"])
    mem = SCHEMAS["MemoryMib"]
    assert (mem["maximum"], mem["multipleOf"]) == \
        (HV["HV_DOMAIN_RAM_MAX_MIB"], HV["HV_DOMAIN_RAM_ALIGN_MIB"])
    # provisiond's floor may be above the hypervisor's, never below.
    assert mem["minimum"] >= HV["HV_DOMAIN_RAM_MIN_MIB"]
    assert mem["minimum"] % HV["HV_DOMAIN_RAM_ALIGN_MIB"] == 0
    weight = SCHEMAS["CpuWeight"]
    assert (weight["minimum"], weight["maximum"], weight["default"]) == \
        (HV["HV_SCHED_WEIGHT_MIN"], HV["HV_SCHED_WEIGHT_MAX"], HV["HV_SCHED_WEIGHT_DEFAULT"])
    assert SCHEMAS["CpuCapPct"]["maximum"] == \
        HV["HV_DOMAIN_VCPUS_MAX"] * HV["HV_SCHED_CAP_PER_VCPU"]
    assert SCHEMAS["PlanCreate"]["x-cpu-cap-per-vcpu"] == HV["HV_SCHED_CAP_PER_VCPU"]
    for schema in ("Plan", "PlanCreate"):
        props = SCHEMAS[schema]["properties"]
        for field, ref in (("vcpus", "Vcpus"), ("memory_mib", "MemoryMib"),
                           ("cpu_weight", "CpuWeight"), ("cpu_cap_pct", "CpuCapPct")):
            assert props[field]["$ref"] == "#/components/schemas/" + ref, (schema, field)


def plan(admin, **fields):
    body = dict({"name": unique("plan"), "vcpus": 1, "memory_mib": 256}, **fields)
    return admin.post("/v1/plans", json=body)


# (field, values the hypervisor takes, values it refuses), with the other
# fields at values that fit (vcpus at the maximum for the cap).
EDGES = [
    ("vcpus", [HV["HV_DOMAIN_VCPUS_MIN"], HV["HV_DOMAIN_VCPUS_MAX"]],
     [HV["HV_DOMAIN_VCPUS_MIN"] - 1, HV["HV_DOMAIN_VCPUS_MAX"] + 1, 64]),
    ("memory_mib", [RAM_MIN, HV["HV_DOMAIN_RAM_MAX_MIB"], 18],
     [RAM_MIN - HV["HV_DOMAIN_RAM_ALIGN_MIB"],
      HV["HV_DOMAIN_RAM_MAX_MIB"] + HV["HV_DOMAIN_RAM_ALIGN_MIB"], 17,
      RAM_MIN + 1, HV["HV_DOMAIN_RAM_MAX_MIB"] - 1, 0]),
    ("cpu_weight", [HV["HV_SCHED_WEIGHT_MIN"], HV["HV_SCHED_WEIGHT_MAX"]],
     [HV["HV_SCHED_WEIGHT_MIN"] - 1, HV["HV_SCHED_WEIGHT_MAX"] + 1]),
    ("cpu_cap_pct", [0, HV["HV_DOMAIN_VCPUS_MAX"] * HV["HV_SCHED_CAP_PER_VCPU"]],
     [-1, HV["HV_DOMAIN_VCPUS_MAX"] * HV["HV_SCHED_CAP_PER_VCPU"] + 1]),
]


@pytest.mark.parametrize("field,good,bad", EDGES, ids=[e[0] for e in EDGES])
def test_plan_limits_at_and_beyond_the_edge(admin, field, good, bad):
    base = {"vcpus": HV["HV_DOMAIN_VCPUS_MAX"]}
    for value in good:
        r = plan(admin, **dict(base, **{field: value}))
        assert r.status_code == 201, (field, value, r.text)
        assert r.json()[field] == value
    for value in bad:
        r = plan(admin, **dict(base, **{field: value}))
        assert r.status_code == 400, (field, value, r.text)
        code, message = error_of(r)
        assert code == "invalid_field" and r.json()["error"]["field"] == field, r.text
        assert message.startswith(field + ": "), message


def test_cap_per_vcpu(admin):
    per = HV["HV_SCHED_CAP_PER_VCPU"]
    for vcpus in (1, 2, HV["HV_DOMAIN_VCPUS_MAX"]):
        assert plan(admin, vcpus=vcpus, cpu_cap_pct=vcpus * per).status_code == 201
        r = plan(admin, vcpus=vcpus, cpu_cap_pct=vcpus * per + 1)
        assert r.status_code == 400 and r.json()["error"]["field"] == "cpu_cap_pct", r.text
        if vcpus < HV["HV_DOMAIN_VCPUS_MAX"]:
            assert "vcpus x %d" % per in error_of(r)[1], r.text


def test_default_weight_is_the_hypervisors(admin, world, daemon):
    r = plan(admin)
    assert r.status_code == 201 and r.json()["cpu_weight"] == HV["HV_SCHED_WEIGHT_DEFAULT"]
    t = world.make_tenant()
    server, _ = world.make_server(t["id"], plan_id=r.json()["id"])
    assert daemon.domains()[server["id"]]["cpu_weight"] == HV["HV_SCHED_WEIGHT_DEFAULT"]


def test_servers_at_the_limits_run(admin, world):
    """Plans at either edge of every limit make servers whose jobs succeed
    (the test double refuses what the hypervisor would)."""
    t = world.make_tenant()
    for fields in (
            {"vcpus": HV["HV_DOMAIN_VCPUS_MIN"], "memory_mib": RAM_MIN,
             "cpu_weight": HV["HV_SCHED_WEIGHT_MIN"], "cpu_cap_pct": 0},
            {"vcpus": HV["HV_DOMAIN_VCPUS_MAX"], "memory_mib": HV["HV_DOMAIN_RAM_MAX_MIB"],
             "cpu_weight": HV["HV_SCHED_WEIGHT_MAX"],
             "cpu_cap_pct": HV["HV_DOMAIN_VCPUS_MAX"] * HV["HV_SCHED_CAP_PER_VCPU"]}):
        r = plan(admin, **fields)
        assert r.status_code == 201, r.text
        world.make_server(t["id"], plan_id=r.json()["id"])   # asserts it succeeded


def set_plan(daemon, plan_id, **columns):
    """Rewrites a plan's row, as a database from before the limits has it."""
    with sqlite3.connect(str(daemon.db), timeout=10) as db:
        for column, value in columns.items():
            db.execute("UPDATE plans SET %s = ? WHERE id = ?" % column, (value, plan_id))


def test_old_plans_beyond_the_limits(own_daemon):
    """A plan written before the limits were enforced (64 vCPUs, 17 MiB)
    takes no new server and no change-plan, with 400 naming plan_id; and a
    server already on it fails in its job as on the hypervisor (HV_EINVAL
    from the test double)."""
    d = own_daemon().start()
    admin = d.client(d.admin_token)
    world = World(d, admin)
    t = world.make_tenant()
    server, _ = world.make_server(t["id"], start=False)
    for columns in ({"vcpus": 64}, {"memory_mib": 17}, {"cpu_cap_pct": 101}):
        old = world.make_plan()
        set_plan(d, old["id"], **columns)
        r = admin.post("/v1/servers", json={"tenant_id": t["id"], "plan_id": old["id"],
                                            "image_id": world.image["id"],
                                            "hostname": "old.example.com"})
        assert r.status_code == 400 and r.json()["error"]["field"] == "plan_id", r.text
        assert "hypervisor's limits" in error_of(r)[1]
        r = admin.post("/v1/servers/%s/change-plan" % server["id"],
                       json={"plan_id": old["id"]})
        assert r.status_code == 400 and r.json()["error"]["field"] == "plan_id", r.text
    # A server's own plan is beyond a limit: its start fails, as the
    # hypervisor would refuse the domain, and none is left behind.
    for columns in ({"vcpus": HV["HV_DOMAIN_VCPUS_MAX"] + 1},
                    {"memory_mib": 17},
                    {"memory_mib": HV["HV_DOMAIN_RAM_MAX_MIB"] + HV["HV_DOMAIN_RAM_ALIGN_MIB"]},
                    {"vcpus": 2, "cpu_cap_pct": 2 * HV["HV_SCHED_CAP_PER_VCPU"] + 1}):
        server, _ = world.make_server(t["id"], plan_id=world.make_plan()["id"], start=False)
        set_plan(d, server["plan_id"], **columns)
        job = world.action(server["id"], "start")
        assert job["state"] == "failed" and job["error"]["code"] == "hv_error", (columns, job)
        assert "HV_EINVAL" in job["error"]["message"]
        assert server["id"] not in d.domains()
