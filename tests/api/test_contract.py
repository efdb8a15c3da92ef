# SPDX-License-Identifier: GPL-2.0-only
"""The contract itself (api/openapi.yaml), and that the daemon serves it.

That the suite called every operation is checked once the whole suite has
run, in any order (conftest.py's pytest_sessionfinish)."""
import copy
import re
import subprocess
import sys

import yaml

import pvd


def test_document_is_openapi_31_and_consistent():
    doc = pvd.CONTRACT.doc
    assert doc["openapi"].startswith("3.1")
    ids = [op["operationId"] for _, _, op in pvd.CONTRACT.operations()]
    assert len(ids) == len(set(ids))
    for method, template, op in pvd.CONTRACT.operations():
        assert template == "/" or template.startswith("/v1/")
        responses = op["responses"]
        public = op.get("security") == []
        if not public:
            assert "401" in responses, (method, template)
        for status, spec in responses.items():
            spec = pvd.CONTRACT.resolve(spec)
            if int(status) >= 400:
                schema = spec["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (template, status)
        if method in ("POST", "PATCH", "DELETE"):
            params = [pvd.CONTRACT.resolve(p)["name"] for p in op.get("parameters", [])]
            assert "Idempotency-Key" in params, (method, template)
            for status in ("400", "413", "422", "503"):
                assert status in responses, (method, template, status)
        if "{id}" in template:
            assert "404" in responses, (method, template)
    # Every list is paginated the same way.
    for method, template, op in pvd.CONTRACT.operations():
        schema = pvd.CONTRACT.resolve(
            op["responses"].get("200", {}).get("content", {})
            .get("application/json", {}).get("schema", {}))
        if "items" in schema.get("properties", {}):
            params = [pvd.CONTRACT.resolve(p)["name"] for p in op.get("parameters", [])]
            assert {"limit", "cursor"} <= set(params), template
            assert schema["required"] == ["items", "next_cursor"], template


def routes_of(binary):
    """The operations a provisiond binary serves, from its generated route
    table (--routes: METHOD PATH operationId)."""
    out = subprocess.run([str(binary), "--routes"], capture_output=True, text=True,
                         timeout=20, check=True).stdout
    return {tuple(line.split()) for line in out.splitlines()}


def test_daemon_routes_are_the_contract():
    """Both binaries serve exactly the contract's operations."""
    documented = {(m, t, op["operationId"]) for m, t, op in pvd.CONTRACT.operations()}
    for binary in (pvd.BINARY, pvd.PRODUCT):
        routes = routes_of(binary)
        assert routes == documented, (binary, routes ^ documented)


def test_every_operation_names_its_handler():
    """The generator's inputs: a C handler for each operation, an audit
    action for each write, and nothing else invented."""
    handlers = set()
    for method, template, op in pvd.CONTRACT.operations():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", op["x-handler"]), (method, template)
        handlers.add(op["x-handler"])
        if method == "GET":
            assert "x-audit-action" not in op, (method, template)
        else:
            assert re.fullmatch(r"[a-z]+\.[a-z_]+", op["x-audit-action"]), (method, template)
    assert len(handlers) == len(list(pvd.CONTRACT.operations()))


GENERATOR = pvd.REPO / "provisiond" / "gen_contract.py"


def generate(tmp_path, doc):
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(doc))
    return subprocess.run([sys.executable, str(GENERATOR), str(path),
                           str(tmp_path / "contract.h"), str(tmp_path / "contract.c")],
                          capture_output=True, text=True, timeout=60)


def test_generator_refuses_what_it_cannot_check(tmp_path):
    """A rule of the contract the C validator cannot check stops the build,
    naming where it is; nothing is dropped silently."""
    out = generate(tmp_path, pvd.CONTRACT.doc)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "contract.c").read_text().count(".operation_id = ") == \
        len(list(pvd.CONTRACT.operations()))

    def broken(edit):
        doc = copy.deepcopy(pvd.CONTRACT.doc)
        edit(doc)
        out = generate(tmp_path, doc)
        assert out.returncode == 1, out
        return out.stderr

    schemas = lambda d: d["components"]["schemas"]  # noqa: E731
    assert "createPlan" in broken(
        lambda d: d["paths"]["/v1/plans"]["post"].pop("x-handler"))
    assert "x-audit-action" in broken(
        lambda d: d["paths"]["/v1/plans"]["post"].pop("x-audit-action"))
    err = broken(lambda d: schemas(d)["TenantCreate"]["properties"].update(
        tags={"type": "object"}))
    assert "TenantCreate.tags" in err and "object" in err
    err = broken(lambda d: schemas(d)["Name100"].update(uniqueItems=True))
    assert "uniqueItems" in err
    err = broken(lambda d: schemas(d)["Hostname"].pop("x-format"))
    assert "pattern" in err


def test_contract_drift_from_hvabi_does_not_compile(tmp_path):
    """x-hv: a contract number that is not hvabi.h's fails the build."""
    doc = copy.deepcopy(pvd.CONTRACT.doc)
    doc["components"]["schemas"]["Vcpus"]["maximum"] += 1
    assert generate(tmp_path, doc).returncode == 0
    out = compile_generated(tmp_path)
    assert out.returncode != 0
    assert "Vcpus: maximum 9 is not == HV_DOMAIN_VCPUS_MAX" in out.stderr, out.stderr


def compile_generated(tmp_path):
    flags = subprocess.run(["pkg-config", "--cflags", "libmicrohttpd", "jansson", "sqlite3"],
                           capture_output=True, text=True, check=True).stdout.split()
    return subprocess.run(["gcc", "-std=gnu11", "-Wall", "-Werror", "-fsyntax-only",
                           "-I" + str(tmp_path), "-I" + str(pvd.REPO / "provisiond"),
                           "-I" + str(pvd.REPO / "hypervisor" / "include" / "public"),
                           *flags, str(tmp_path / "contract.c")],
                          capture_output=True, text=True, timeout=60)


def test_generator_takes_arrays_of_values(tmp_path):
    """A new field that is a list (e.g. the plans a tenant may use) flows
    through: an FT_ARRAY row with its item's checks, which compiles."""
    doc = copy.deepcopy(pvd.CONTRACT.doc)
    doc["components"]["schemas"]["TenantCreate"]["properties"]["plan_ids"] = {
        "type": "array", "maxItems": 50, "uniqueItems": True,
        "items": {"type": "string", "minLength": 1, "maxLength": 64}}
    assert generate(tmp_path, doc).returncode == 0
    source = (tmp_path / "contract.c").read_text()
    row = [line for line in source.splitlines() if '"plan_ids"' in line][0]
    assert ".type = FT_ARRAY" in row and ".max = 50" in row and "FS_UNIQUE" in row
    assert ".items = &(const struct field_spec){ .name = \"plan_ids\", .type = FT_STRING" in row
    out = compile_generated(tmp_path)
    assert out.returncode == 0, out.stderr


def test_coverage_check_finds_an_uncalled_operation():
    """The end-of-session check (conftest.py) fails on any operation that
    no test called."""
    every = [(m, t) for m, t, _ in pvd.CONTRACT.operations()]
    assert pvd.uncalled_operations(set()) == sorted(every)
    assert pvd.uncalled_operations(every[1:]) == [every[0]]
    assert pvd.uncalled_operations(every) == []
