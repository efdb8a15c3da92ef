#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""
gen_contract.py - provisiond's request validation and route tables, made
from the contract (api/openapi.yaml) at build time, so that the two cannot
say different things.

    gen_contract.py api/openapi.yaml OUT.h OUT.c

OUT.c holds, for every operation of every path:

  * a row of routes[] (router.h): method, path template, operationId, the
    handler (x-handler), flags (public when `security: []`, admin-only with
    x-admin-only, a write for every method but GET), whether a body is
    required (requestBody.required), and the audit action of a write
    (x-audit-action);
  * its query parameters as a field_spec table (validate.h): names, types,
    ranges, enums;
  * its request body's schema as a field_spec table, one per named schema
    (spec_<Name>): fields, types, required, nullable, minLength/maxLength,
    minimum/maximum/multipleOf, enums, date-times, x-format (a C check:
    text, hostname, abs-path), and arrays of such values
    (minItems/maxItems/uniqueItems);

and a _Static_assert for every x-hv annotation: a number the contract
states that must equal a C constant (hvabi.h's domain limits), or compare
with it as written (">= HV_...": a stricter floor), so a drift does not
compile.  OUT.h declares the tables and every handler.

Anything the C validator cannot check (a type or keyword it does not know)
stops the build with a message naming the schema and field: a contract
rule is never silently dropped.  Uses python3-yaml (PROVISIOND_PACKAGES).
"""
import os
import sys

import yaml

METHODS = ("get", "put", "post", "patch", "delete")

# x-format: the C check and how its error message describes it.
FORMATS = {
    "text": ("valid_text", "text without control characters"),
    "hostname": ("valid_hostname",
                 "a hostname (RFC 1123: letters, digits, hyphens, dots)"),
    "abs-path": ("valid_abs_path",
                 "an absolute path without '.' or '..' components"),
}

# Keywords that only document, or that validate.c applies to every field
# (additionalProperties: false: unknown fields are refused).
IGNORED = {"description", "default", "example", "examples", "title",
           "additionalProperties", "x-hv", "deprecated", "readOnly", "writeOnly"}

# What validate.c checks, by type.
CHECKED = {
    "string": {"enum", "const", "format", "minLength", "maxLength", "pattern",
               "x-format"},
    "integer": {"minimum", "maximum", "multipleOf"},
    "boolean": set(),
    "array": {"items", "minItems", "maxItems", "uniqueItems"},
}

INT64_MIN = "INT64_MIN"
INT64_MAX = "INT64_MAX"


class ContractError(Exception):
    pass


def c_string(s):
    return '"%s"' % s.replace("\\", "\\\\").replace('"', '\\"')


class Generator:
    def __init__(self, doc):
        self.doc = doc
        self.specs = {}       # C name -> list of field initialisers
        self.spec_order = []
        self.handlers = []
        self.routes = []
        self.asserts = []

    # --- $ref and schema shapes ---

    def lookup(self, ref):
        if not ref.startswith("#/"):
            raise ContractError("%s: only local references are supported" % ref)
        node = self.doc
        for part in ref[2:].split("/"):
            node = node[part]
        return node

    def resolve(self, node):
        """The node with its $ref followed (sibling keys win)."""
        seen = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise ContractError("%s: a reference loop" % ref)
            seen.add(ref)
            target = dict(self.lookup(ref))
            target.update({k: v for k, v in node.items() if k != "$ref"})
            node = target
        return node

    def flatten(self, schema, where):
        """(schema without oneOf/null alternatives, nullable)."""
        schema = self.resolve(schema)
        nullable = False
        if "oneOf" in schema:
            alts = [self.resolve(a) for a in schema["oneOf"]]
            others = [a for a in alts if a.get("type") != "null"]
            if len(others) != 1 or len(alts) - len(others) != 1:
                raise ContractError("%s: oneOf is supported only as <schema> or null"
                                    % where)
            nullable = True
            merged = dict(others[0])
            merged.update({k: v for k, v in schema.items() if k != "oneOf"})
            schema = self.resolve(merged)
        kind = schema.get("type")
        if isinstance(kind, list):
            types = [t for t in kind if t != "null"]
            if len(types) != 1:
                raise ContractError("%s: type %s is not supported" % (where, kind))
            nullable = nullable or "null" in kind
            schema = dict(schema, type=types[0])
        return schema, nullable

    # --- field_spec rows ---

    def field(self, name, schema, required, where, in_array=False):
        schema, nullable = self.flatten(schema, where)
        unknown = set(schema) - IGNORED - {"type"} - CHECKED.get(schema.get("type"), set())
        if unknown:
            raise ContractError("%s: keywords %s are not checked by validate.c"
                                % (where, sorted(unknown)))
        flags = []
        if required:
            flags.append("FS_REQUIRED")
        if nullable:
            flags.append("FS_NULLABLE")
        parts = [".name = %s" % c_string(name)]
        kind = schema.get("type")
        if kind == "string" and ("enum" in schema or "const" in schema):
            choices = schema.get("enum", [schema.get("const")])
            parts.append(".type = FT_ENUM")
            parts.append(".choices = (const char *const[]){ %s, NULL }"
                         % ", ".join(c_string(str(c)) for c in choices))
        elif kind == "string" and schema.get("format") == "date-time":
            parts.append(".type = FT_TIME")
        elif kind == "string":
            # A pattern is for clients; the C check is the x-format's.
            if "pattern" in schema and "x-format" not in schema:
                raise ContractError("%s: a pattern needs the x-format that checks it "
                                    "in C" % where)
            if "format" in schema:
                raise ContractError("%s: format %s is not checked by validate.c "
                                    "(use x-format)" % (where, schema["format"]))
            parts.append(".type = FT_STRING")
            parts.append(".min = %d" % schema.get("minLength", 0))
            parts.append(".max = %s" % schema.get("maxLength", INT64_MAX))
            if "x-format" in schema:
                fmt = FORMATS.get(schema["x-format"])
                if not fmt:
                    raise ContractError("%s: x-format %s unknown (have: %s)" % (
                        where, schema["x-format"], ", ".join(sorted(FORMATS))))
                parts.append(".format = %s" % fmt[0])
                parts.append(".format_desc = \"%s\"" % fmt[1])
        elif kind == "integer":
            parts.append(".type = FT_INT")
            parts.append(".min = %s" % schema.get("minimum", INT64_MIN))
            parts.append(".max = %s" % schema.get("maximum", INT64_MAX))
            if "multipleOf" in schema:
                parts.append(".multiple_of = %d" % schema["multipleOf"])
            if "default" in schema:
                parts.append(".dflt = %d" % schema["default"])
        elif kind == "boolean":
            parts.append(".type = FT_BOOL")
        elif kind == "array" and not in_array:
            item = self.resolve(schema.get("items", {}))
            if self.flatten(item, where + "[]")[0].get("type") == "array":
                raise ContractError("%s: arrays of arrays are not supported" % where)
            parts.append(".type = FT_ARRAY")
            parts.append(".min = %d" % schema.get("minItems", 0))
            parts.append(".max = %s" % schema.get("maxItems", INT64_MAX))
            parts.append(".items = &(const struct field_spec)%s"
                         % self.field(name, item, False, where + "[]", in_array=True))
            if schema.get("uniqueItems"):
                flags.append("FS_UNIQUE")
        else:
            raise ContractError("%s: type %s is not supported by validate.c"
                                % (where, kind))
        if flags:
            parts.append(".flags = %s" % " | ".join(flags))
        return "{ %s }" % ", ".join(parts)

    def add_spec(self, cname, rows):
        self.specs[cname] = rows
        self.spec_order.append(cname)

    def body_spec(self, op_id, body):
        content = body.get("content", {})
        if set(content) != {"application/json"}:
            raise ContractError("%s: a request body must be application/json only"
                                % op_id)
        raw = content["application/json"]["schema"]
        ref = raw.get("$ref") if isinstance(raw, dict) else None
        cname = ("spec_" + ref.split("/")[-1]) if ref else "spec_%s_body" % op_id
        if cname in self.specs:
            return cname
        schema = self.resolve(raw)
        where = ref or op_id + " body"
        if schema.get("type") != "object" or schema.get("additionalProperties") is not False:
            raise ContractError("%s: a request body must be an object with "
                                "additionalProperties: false" % where)
        required = set(schema.get("required", []))
        props = schema.get("properties", {})
        if required - set(props):
            raise ContractError("%s: required fields without a schema: %s"
                                % (where, sorted(required - set(props))))
        self.add_spec(cname, [self.field(name, p, name in required,
                                         "%s.%s" % (where, name))
                              for name, p in props.items()])
        return cname

    def query_spec(self, op_id, params):
        rows = []
        for p in params:
            if p["in"] == "path" and p["name"] not in ("id", "address"):
                raise ContractError("%s: path parameter %s: the router knows {id} and"
                                    " a last {address} only"
                                    % (op_id, p["name"]))
            if p["in"] != "query":
                continue
            if self.flatten(p.get("schema", {}), op_id)[0].get("type") == "array":
                raise ContractError("%s query %s: arrays in a query are not supported"
                                    % (op_id, p["name"]))
            rows.append(self.field(p["name"], p.get("schema", {"type": "string"}),
                                   p.get("required", False),
                                   "%s query %s" % (op_id, p["name"])))
        if not rows:
            return "NULL"
        cname = "query_" + op_id
        self.add_spec(cname, rows)
        return cname

    # --- operations ---

    def operation(self, template, method, item, op):
        op_id = op.get("operationId")
        if not op_id:
            raise ContractError("%s %s: no operationId" % (method.upper(), template))
        handler = op.get("x-handler")
        if not handler:
            raise ContractError("%s (%s %s): no x-handler naming its C function"
                                % (op_id, method.upper(), template))
        write = method != "get"
        action = op.get("x-audit-action")
        if write and not action:
            raise ContractError("%s: a write needs x-audit-action" % op_id)
        if not write and action:
            raise ContractError("%s: a read has no audit action" % op_id)
        flags = []
        if op.get("security", self.doc.get("security")) == []:
            flags.append("R_PUBLIC")
        if op.get("x-admin-only"):
            flags.append("R_ADMIN")
        if write:
            flags.append("R_WRITE")
        params = [self.resolve(p) for p in item.get("parameters", []) + op.get("parameters", [])]
        query = self.query_spec(op_id, params)
        body = op.get("requestBody")
        body_spec, body_required = "NULL", False
        if body:
            body = self.resolve(body)
            body_spec = self.body_spec(op_id, body)
            body_required = bool(body.get("required"))
        if handler not in self.handlers:
            self.handlers.append(handler)
        self.routes.append(
            "\t{ .method = %s, .pattern = %s, .operation_id = %s,\n"
            "\t  .flags = %s, .query = %s, .body = %s, .body_required = %s,\n"
            "\t  .action = %s, .handler = %s },"
            % (c_string(method.upper()), c_string(template), c_string(op_id),
               " | ".join(flags) or "0", query, body_spec,
               "true" if body_required else "false",
               c_string(action) if action else "NULL", handler))

    def hv_asserts(self, node, where):
        """x-hv: {keyword: C expression}: the contract's number equals it
        (or compares with it as the expression starts: >=, <=)."""
        if isinstance(node, dict):
            for keyword, expr in node.get("x-hv", {}).items():
                if keyword not in node:
                    raise ContractError("%s: x-hv names %s, which is not set"
                                        % (where, keyword))
                expr = str(expr).strip()
                op = expr[:2] if expr[:2] in (">=", "<=", "==") else "=="
                expr = expr[2:].strip() if expr.startswith(op) else expr
                self.asserts.append(
                    "_Static_assert((%s) %s (%s),\n\t       \"api/openapi.yaml %s: %s %s is not %s %s\");"
                    % (node[keyword], op, expr, where, keyword, node[keyword], op, expr))
            for key, value in node.items():
                self.hv_asserts(value, "%s.%s" % (where, key) if where else key)
        elif isinstance(node, list):
            for i, value in enumerate(node):
                self.hv_asserts(value, "%s[%d]" % (where, i))

    def run(self):
        for template, item in self.doc["paths"].items():
            for method in METHODS:
                if method in item:
                    self.operation(template, method, item, item[method])
        self.hv_asserts(self.doc.get("components", {}), "components")

    # --- output ---

    def header(self):
        out = [HEADER_TOP]
        for cname in self.spec_order:
            out.append("extern const struct field_spec %s[];" % cname)
        out.append("")
        out.append("/* The handlers the contract names (x-handler), in api_*.c. */")
        for h in self.handlers:
            out.append("int %s(struct request *req);" % h)
        out.append("\n#endif")
        return "\n".join(out) + "\n"

    def source(self):
        out = [SOURCE_TOP]
        out.extend(self.asserts)
        out.append("")
        for cname in self.spec_order:
            out.append("const struct field_spec %s[] = {" % cname)
            out.extend("\t%s," % row for row in self.specs[cname])
            out.append("\tFIELD_END\n};\n")
        out.append("const struct route routes[] = {")
        out.extend(self.routes)
        out.append("\t{ .method = NULL }\n};")
        return "\n".join(out) + "\n"


BANNER = """// SPDX-License-Identifier: GPL-2.0-only
/* Generated from api/openapi.yaml by provisiond/gen_contract.py: do not
 * edit; change the contract. */"""

HEADER_TOP = BANNER + """
#ifndef PROVISIOND_CONTRACT_H
#define PROVISIOND_CONTRACT_H

#include "validate.h"

struct request;

/* Request bodies (spec_<schema>) and query parameters (query_<operation>). */"""

SOURCE_TOP = BANNER + """
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "contract.h"
#include "hvabi.h"
#include "router.h"

/* The numbers the contract states for the hypervisor's limits (x-hv). */"""


def main(argv):
    if len(argv) != 4:
        print("usage: gen_contract.py openapi.yaml OUT.h OUT.c", file=sys.stderr)
        return 2
    with open(argv[1]) as f:
        doc = yaml.safe_load(f)
    gen = Generator(doc)
    try:
        gen.run()
    except (ContractError, KeyError, TypeError) as e:
        print("%s: %s" % (argv[1], e), file=sys.stderr)
        return 1
    for path, text in ((argv[2], gen.header()), (argv[3], gen.source())):
        with open(path + ".tmp", "w") as f:
            f.write(text)

    os.replace(argv[2] + ".tmp", argv[2])
    os.replace(argv[3] + ".tmp", argv[3])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
