# SPDX-License-Identifier: GPL-2.0-only
"""The contract itself (api/openapi.yaml), and that the suite covered it.

Named to run last: the coverage check needs the rest of the suite to have
run (every request the tests made went through pvd.Contract, which checked
it and recorded its operation)."""
import re

import pytest

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


def test_daemon_routes_are_the_contract():
    """provisiond's route table (router.c) and the document list the same
    operations."""
    source = (pvd.REPO / "provisiond" / "router.c").read_text()
    routes = set(re.findall(r'\{ "(GET|POST|PATCH|DELETE)", "(/|/v1/[^"]*)"', source))
    documented = {(m, t) for m, t, _ in pvd.CONTRACT.operations()}
    assert routes == documented, (routes ^ documented)


def test_every_operation_was_exercised(request):
    modules = {item.module.__name__ for item in request.session.items}
    here = set(p.stem for p in pvd.Path(__file__).parent.glob("test_*.py"))
    if not here <= modules:
        pytest.skip("only part of the suite ran")
    documented = {(m, t) for m, t, _ in pvd.CONTRACT.operations()}
    missing = sorted(documented - pvd.CALLED)
    assert not missing, "operations no test called: %s" % missing
