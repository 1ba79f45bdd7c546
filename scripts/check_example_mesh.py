#!/usr/bin/env python3
"""Check the example mesh (or any mesh written by scripts/gen_mesh.py).

    python3 scripts/check_example_mesh.py [--schemas DIR] [--mesh DIR] [--skip-sql] [--skip-quality]

1. Schemas: every contract (`domains/*/contracts/*.odcs.yaml`) is validated against the
   official ODCS v3.1.0 JSON schema and every product (`domains/*/products/*.odps.yaml`)
   against the ODPS v1.0.0 schema (Draft 2019-09, formats checked). `--schemas` is the
   conformance folder, by default ../shared/conformance relative to the repository root.
2. Conventions of docs/mesh-layout.md: steward.yaml and domain.yaml, file names, ids
   (`<domain>.<name>`), output contracts in the product's own domain and output of at most
   one product, input ports resolving to a product's output or to a source contract with a
   local server whose file exists, an acyclic product graph, classification values, PII
   tagged and masked, SLA units and elements that exist.
3. The seed's standards the example must satisfy (the future global policies): PII
   contracts declare retention; critical data elements carry a completeness rule of at
   least 95% (nullValues/missingValues < 5 percent); products' freshness (latency) is at
   most 6 h; every cross-domain input is granted by a role of the producer's contract
   (customProperties `domains`), with `pii: true` exactly when the consumer's transform
   names a pii property of the producer; no grant is unused.
4. SQL (unless --skip-sql): the sources are loaded from their CSV files into sqlite3 (typed
   by their contract; the CSV header must equal the contract's properties), then every
   transform runs in dependency order in a fresh database holding only its input ports
   (tables named by the ports' `name`). The output columns must equal the output
   contract's property names, in order, and the values must fit their logicalType.
5. Quality (unless --skip-quality or --skip-sql): the contracts' quality rules (library
   metrics and sql rules) are measured on the sources and the products' outputs, `required`
   and `unique` are checked, and all must pass; the rows a retention purge would remove at
   the sample data's reference date (2026-06-30) are reported.

Exit status 0 when everything passes, 1 otherwise.
"""

import argparse
import csv
import datetime as dt
import json
import os
import re
import sqlite3
import sys
from collections import defaultdict

import jsonschema
import yaml

try:
    Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    Loader = yaml.SafeLoader

REF = dt.datetime(2026, 6, 30)  # reference date of the sample data (scripts/gen_sample_data.py)
CLASSIFICATIONS = ["public", "internal", "confidential", "restricted"]
STRATEGIES = {"none", "hash", "redact", "tokenize", "drop"}
LOGICAL_TYPES = {"string", "integer", "number", "boolean", "date", "timestamp"}
UNITS = {}
for names, unit in [(("s", "sec", "second", "seconds"), "s"), (("min", "minute", "minutes"), "min"),
                    (("h", "hr", "hour", "hours"), "h"), (("d", "day", "days"), "d"),
                    (("w", "week", "weeks"), "w"), (("mo", "month", "months"), "mo"),
                    (("y", "yr", "year", "years"), "y")]:
    for n in names:
        UNITS[n] = unit
SECONDS = {"s": 1, "min": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
MAX_FRESHNESS_H = 6          # the seed's standard: freshness 6 h
MIN_COMPLETENESS_PCT = 95    # the seed's standard: completeness 95%
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OPERATORS = ["mustBe", "mustNotBe", "mustBeGreaterThan", "mustBeGreaterOrEqualTo", "mustBeLessThan",
             "mustBeLessOrEqualTo", "mustBeBetween", "mustNotBeBetween"]


class Report:
    def __init__(self, quiet):
        self.errors = []
        self.quiet = quiet

    def error(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    def info(self, msg):
        if not self.quiet:
            print(msg)


def load_yaml(path):
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=Loader)


def custom(obj, name, default=None):
    for cp in (obj or {}).get("customProperties") or []:
        if isinstance(cp, dict) and cp.get("property") == name:
            return cp.get("value")
    return default


def duration(value, unit):
    """(amount, canonical unit) or None."""
    u = UNITS.get(str(unit))
    if u is None or not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    return value, u


def minus(ref, amount, unit):
    if unit in SECONDS:
        return ref - dt.timedelta(seconds=amount * SECONDS[unit])
    months = int(amount * (12 if unit == "y" else 1))
    y, m = divmod(ref.year * 12 + ref.month - 1 - months, 12)
    return ref.replace(year=y, month=m + 1)


def make_validator(path):
    with open(path, encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft201909Validator)
    if cls is not jsonschema.Draft201909Validator:
        raise SystemExit(f"{path}: expected a Draft 2019-09 schema, found {cls.__name__}")
    return jsonschema.Draft201909Validator(schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER)


def schema_errors(validator, doc):
    out = []
    for e in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        where = "/" + "/".join(map(str, e.absolute_path))
        out.append(f"{where}: {e.message[:300]}")
    return out


# --------------------------------------------------------------------------------------------
# loading


class Mesh:
    def __init__(self, root, report):
        self.root = root
        self.report = report
        self.settings = {}
        self.domains = {}      # name -> domain.yaml
        self.products = {}     # "<domain>.<name>" -> (path, doc)
        self.contracts = {}    # id -> (path, doc)

    def rel(self, path):
        return os.path.relpath(path, self.root)

    def load(self):
        r = self.report
        path = os.path.join(self.root, "steward.yaml")
        if not os.path.isfile(path):
            r.error("steward.yaml", "missing")
        else:
            self.settings = load_yaml(path) or {}
            s = self.settings
            if s.get("apiVersion") != "steward/v1" or s.get("kind") != "Mesh":
                r.error("steward.yaml", "expected apiVersion steward/v1, kind Mesh")
            if not s.get("name"):
                r.error("steward.yaml", "name is required")
            if s.get("defaultEngine", "embedded") not in ("embedded", "ray"):
                r.error("steward.yaml", "defaultEngine must be embedded or ray")
            team = s.get("platformTeam") or {}
            if not team.get("name") or not team.get("members"):
                r.error("steward.yaml", "platformTeam needs a name and members")
            for m in team.get("members") or []:
                if not EMAIL.match(str(m)):
                    r.error("steward.yaml", f"platformTeam member {m!r} is not an email")
        droot = os.path.join(self.root, "domains")
        for d in sorted(os.listdir(droot)) if os.path.isdir(droot) else []:
            dpath = os.path.join(droot, d)
            if not os.path.isdir(dpath):
                continue
            dy = os.path.join(dpath, "domain.yaml")
            if not os.path.isfile(dy):
                r.error(self.rel(dpath), "domain.yaml missing")
                continue
            doc = load_yaml(dy) or {}
            self.domains[d] = doc
            where = self.rel(dy)
            if doc.get("apiVersion") != "steward/v1" or doc.get("kind") != "Domain":
                r.error(where, "expected apiVersion steward/v1, kind Domain")
            if doc.get("name") != d:
                r.error(where, f"name {doc.get('name')!r} must equal the folder name {d!r}")
            owners = doc.get("owners") or {}
            if not owners.get("team"):
                r.error(where, "owners.team is required")
            members = owners.get("members") or []
            if not members:
                r.error(where, "owners.members needs at least one email")
            for m in members:
                if not EMAIL.match(str(m)):
                    r.error(where, f"owner {m!r} is not an email")
            for kind, suffix in (("products", ".odps.yaml"), ("contracts", ".odcs.yaml")):
                folder = os.path.join(dpath, kind)
                for fn in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
                    fp = os.path.join(folder, fn)
                    if not fn.endswith(suffix):
                        r.error(self.rel(fp), f"files under {kind}/ must end in {suffix}")
                        continue
                    stem = fn[: -len(suffix)]
                    doc = load_yaml(fp)
                    if not isinstance(doc, dict):
                        r.error(self.rel(fp), "not a YAML mapping")
                        continue
                    if kind == "products":
                        self.add_product(d, stem, fp, doc)
                    else:
                        self.add_contract(d, stem, fp, doc)

    def add_product(self, d, stem, path, doc):
        r, where = self.report, self.rel(path)
        if doc.get("name") != stem:
            r.error(where, f"name {doc.get('name')!r} must equal the file stem {stem!r}")
        if doc.get("domain") != d:
            r.error(where, f"domain {doc.get('domain')!r} must equal the folder {d!r}")
        if doc.get("apiVersion") != "v1.0.0":
            r.error(where, "products are written as ODPS apiVersion v1.0.0")
        pid = f"{d}.{stem}"
        self.products[pid] = (path, doc)

    def add_contract(self, d, stem, path, doc):
        r, where = self.report, self.rel(path)
        cid = doc.get("id")
        if cid != f"{d}.{stem}":
            r.error(where, f"id {cid!r} must be <domain>.<file stem> = {d}.{stem!r}")
        if doc.get("domain") != d:
            r.error(where, f"domain {doc.get('domain')!r} must equal the folder {d!r}")
        if doc.get("name") != stem:
            r.error(where, f"name {doc.get('name')!r} must equal the file stem {stem!r}")
        if doc.get("apiVersion") != "v3.1.0":
            r.error(where, "contracts are written as ODCS apiVersion v3.1.0")
        if cid in self.contracts:
            r.error(where, f"contract id {cid!r} already used by {self.rel(self.contracts[cid][0])}")
            return
        self.contracts[cid] = (path, doc)


# --------------------------------------------------------------------------------------------
# model checks


def objects(doc):
    return [o for o in doc.get("schema") or [] if isinstance(o, dict)]


def props(obj):
    return [p for p in obj.get("properties") or [] if isinstance(p, dict)]


def is_pii(prop):
    return "pii" in (prop.get("tags") or [])


def check_model(mesh, schemas_dir, report):
    odcs = make_validator(os.path.join(schemas_dir, "odcs-v3.1.0", "odcs-json-schema-v3.1.0.json"))
    odps = make_validator(os.path.join(schemas_dir, "odps", "odps-json-schema-v1.0.0.json"))
    n = 0
    for cid, (path, doc) in sorted(mesh.contracts.items()):
        for e in schema_errors(odcs, doc):
            report.error(mesh.rel(path), f"ODCS v3.1.0 schema: {e}")
        n += 1
    for pid, (path, doc) in sorted(mesh.products.items()):
        for e in schema_errors(odps, doc):
            report.error(mesh.rel(path), f"ODPS v1.0.0 schema: {e}")
        n += 1
    report.info(f"schemas: {len(mesh.contracts)} contracts (ODCS v3.1.0), {len(mesh.products)} products (ODPS v1.0.0) validated")

    # outputs, inputs, lineage
    output_of = {}
    for pid, (path, doc) in sorted(mesh.products.items()):
        where, d = mesh.rel(path), pid.split(".")[0]
        outs = doc.get("outputPorts") or []
        if not outs:
            report.error(where, "a product needs at least one output port")
        for port in outs:
            cid = port.get("contractId")
            if port.get("type") != "tables":
                report.error(where, f"output port {port.get('name')!r}: type must be tables")
            if cid not in mesh.contracts:
                report.error(where, f"output port {port.get('name')!r}: unknown contract {cid!r}")
                continue
            cdoc = mesh.contracts[cid][1]
            if cdoc.get("domain") != d:
                report.error(where, f"output contract {cid!r} must be in the product's domain {d!r}")
            if cid in output_of:
                report.error(where, f"contract {cid!r} is already the output of {output_of[cid]}")
            output_of[cid] = pid
            if port.get("version") != cdoc.get("version"):
                report.error(where, f"output port {port.get('name')!r}: version {port.get('version')!r} "
                                    f"!= contract version {cdoc.get('version')!r}")
            if cdoc.get("dataProduct") not in (None, doc.get("name")):
                report.error(mesh.rel(mesh.contracts[cid][0]), f"dataProduct {cdoc.get('dataProduct')!r} != {doc.get('name')!r}")
    sources = {cid for cid in mesh.contracts if cid not in output_of}
    for cid in sorted(sources):
        path, doc = mesh.contracts[cid]
        where = mesh.rel(path)
        locals_ = [s for s in doc.get("servers") or [] if s.get("type") == "local"]
        if not locals_:
            report.error(where, "a source contract (output of no product) needs a servers entry of type local")
        for s in locals_:
            p = s.get("path") or ""
            if not s.get("format") or not p:
                report.error(where, "local server needs path and format")
            elif os.path.isabs(p) or os.path.normpath(p).startswith(".."):
                report.error(where, f"server path {p!r} must be relative to the domain folder")
            elif not os.path.isfile(os.path.join(os.path.dirname(os.path.dirname(path)), p)):
                report.error(where, f"server path {p!r} does not exist")
    deps = {}
    for pid, (path, doc) in sorted(mesh.products.items()):
        where = mesh.rel(path)
        names = set()
        deps[pid] = []
        for port in doc.get("inputPorts") or []:
            name, cid = port.get("name"), port.get("contractId")
            if not IDENT.match(str(name)):
                report.error(where, f"input port name {name!r} must be an SQL identifier (the transform's table)")
            if name in names:
                report.error(where, f"input port name {name!r} used twice")
            names.add(name)
            if cid not in mesh.contracts:
                report.error(where, f"input port {name!r}: unknown contract {cid!r}")
                continue
            cver = str(mesh.contracts[cid][1].get("version"))
            if str(port.get("version")).split(".")[0] != cver.split(".")[0]:
                # a consumer may lag behind minor and patch versions, not behind a major one
                report.error(where, f"input port {name!r}: version {port.get('version')!r} is not "
                                    f"compatible with the contract's version {cver!r} (other major)")
            if cid in output_of:
                deps[pid].append(output_of[cid])
        tf = custom(doc, "transform", f"transforms/{doc.get('name')}.sql")
        if not os.path.isfile(os.path.join(os.path.dirname(os.path.dirname(path)), tf)):
            report.error(where, f"transform {tf!r} not found")
    order = topo_order(deps, report)

    # contract content
    for cid, (path, doc) in sorted(mesh.contracts.items()):
        check_contract(mesh, cid, path, doc, cid in output_of, report)

    # grants
    check_grants(mesh, output_of, report)
    return output_of, sources, order


def topo_order(deps, report):
    indeg = {p: 0 for p in deps}
    users = defaultdict(list)
    for p, ds in deps.items():
        for d in set(ds):
            indeg[p] += 1
            users[d].append(p)
    ready = sorted(p for p, n in indeg.items() if n == 0)
    order = []
    import heapq
    heapq.heapify(ready)
    while ready:
        p = heapq.heappop(ready)
        order.append(p)
        for u in users[p]:
            indeg[u] -= 1
            if indeg[u] == 0:
                heapq.heappush(ready, u)
    if len(order) != len(deps):
        report.error("lineage", "the product graph has a cycle through: " +
                     ", ".join(sorted(p for p in deps if p not in order)[:20]))
    return order


def check_contract(mesh, cid, path, doc, is_output, report):
    where = mesh.rel(path)
    objs = objects(doc)
    if len(objs) != 1:
        report.error(where, "the example mesh uses exactly one schema object per contract")
    columns = {}
    for o in objs:
        if o.get("physicalType") != "table":
            report.error(where, f"object {o.get('name')!r}: physicalType table expected")
        for p in props(o):
            columns[f"{o.get('name')}.{p.get('name')}"] = p
            pw = f"{where}: {o.get('name')}.{p.get('name')}"
            if p.get("logicalType") not in LOGICAL_TYPES:
                report.error(pw, f"logicalType {p.get('logicalType')!r} not one of {sorted(LOGICAL_TYPES)}")
            if p.get("classification") not in CLASSIFICATIONS:
                report.error(pw, f"classification {p.get('classification')!r} not one of {CLASSIFICATIONS}")
            strategy = custom(p, "anonymizationStrategy")
            if is_pii(p):
                if strategy not in STRATEGIES - {"none"}:
                    report.error(pw, f"pii property needs an anonymizationStrategy (hash|redact|tokenize|drop), has {strategy!r}")
                if p.get("classification") not in ("confidential", "restricted"):
                    report.error(pw, "pii property should be confidential or restricted")
            elif strategy is not None and strategy not in STRATEGIES:
                report.error(pw, f"unknown anonymizationStrategy {strategy!r}")
            if p.get("criticalDataElement"):
                if not has_completeness_rule(p):
                    report.error(pw, f"critical data element needs a completeness rule >= {MIN_COMPLETENESS_PCT}% "
                                     "(nullValues/missingValues mustBeLessThan 5, unit percent)")
            for q in p.get("quality") or []:
                check_rule(pw, q, report, column=p)
        for q in o.get("quality") or []:
            check_rule(f"{where}: {o.get('name')}", q, report)
    team = doc.get("team")
    if not isinstance(team, dict) or not team.get("members"):
        report.error(where, "team (ODCS 3.1 object form) with members expected")
    else:
        dom = mesh.domains.get(doc.get("domain")) or {}
        owners = set((dom.get("owners") or {}).get("members") or [])
        for m in team["members"]:
            if m.get("username") not in owners:
                report.error(where, f"team member {m.get('username')!r} is not an owner of domain {doc.get('domain')!r}")
    sla = {}
    for s in doc.get("slaProperties") or []:
        prop = s.get("property")
        if prop in ("latency", "retention", "frequency"):
            if duration(s.get("value"), s.get("unit")) is None:
                report.error(where, f"slaProperties {prop}: bad duration {s.get('value')!r} {s.get('unit')!r} "
                                    "(units s, min, h, d, w, mo, y; 'm' is ambiguous)")
            sla[prop] = s
            el = s.get("element")
            if el is not None and el not in columns:
                report.error(where, f"slaProperties {prop}: element {el!r} is not an <object>.<property> of this contract")
            if prop in ("latency", "retention"):
                if el is None:
                    report.error(where, f"slaProperties {prop}: element (the time column) is required")
                elif el in columns and columns[el].get("logicalType") not in ("date", "timestamp"):
                    report.error(where, f"slaProperties {prop}: element {el!r} is not a date or timestamp")
    if any(is_pii(p) for p in columns.values()) and "retention" not in sla:
        report.error(where, "a contract holding pii must declare a retention")
    if is_output:
        if "frequency" not in sla:
            report.error(where, "a product's contract declares its frequency")
        lat = sla.get("latency")
        if lat is None:
            report.error(where, "a product's contract declares its freshness (latency)")
        else:
            dur = duration(lat.get("value"), lat.get("unit"))
            if dur and (dur[1] not in SECONDS or dur[0] * SECONDS[dur[1]] > MAX_FRESHNESS_H * 3600):
                report.error(where, f"latency {lat.get('value')} {lat.get('unit')} exceeds the {MAX_FRESHNESS_H} h standard")


def has_completeness_rule(p):
    for q in p.get("quality") or []:
        if q.get("metric") not in ("nullValues", "missingValues"):
            continue
        if q.get("unit") == "percent":
            if "mustBeLessThan" in q and q["mustBeLessThan"] <= 100 - MIN_COMPLETENESS_PCT:
                return True
            if "mustBeLessOrEqualTo" in q and q["mustBeLessOrEqualTo"] < 100 - MIN_COMPLETENESS_PCT:
                return True
        if q.get("mustBe") == 0:
            return True
    return False


def check_rule(where, q, report, column=None):
    kind = q.get("type", "library")
    ops = [o for o in OPERATORS if o in q]
    if len(ops) != 1:
        report.error(where, f"quality rule needs exactly one operator, has {ops}")
    if kind == "library":
        if q.get("metric") not in ("nullValues", "missingValues", "invalidValues", "duplicateValues", "rowCount"):
            report.error(where, f"unknown metric {q.get('metric')!r}")
        if q.get("unit") not in ("percent", "rows"):
            report.error(where, f"quality rule {q.get('metric')}: unit percent or rows expected")
        if q.get("metric") == "duplicateValues" and column is None:
            if not (q.get("arguments") or {}).get("properties"):
                report.error(where, "a schema-level duplicateValues needs arguments.properties")
        if q.get("metric") == "invalidValues":
            args = q.get("arguments") or {}
            if "validValues" not in args and "pattern" not in args:
                report.error(where, "invalidValues needs arguments.validValues or arguments.pattern")
    elif kind == "sql":
        if not q.get("query"):
            report.error(where, "sql rule needs a query")
        elif "{property}" in q["query"] and column is None:
            report.error(where, "{property} is only defined in a property's rule")
    if not q.get("dimension"):
        report.error(where, "quality rule needs a dimension")


def sql_identifiers(sql):
    sql = re.sub(r"--[^\n]*", " ", sql)
    sql = re.sub(r"/\*.*?\*/", " ", sql, flags=re.S)
    sql = re.sub(r"'(?:[^']|'')*'", " ", sql)
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", sql))


def check_grants(mesh, output_of, report):
    used = defaultdict(lambda: {"any": False, "pii": False})   # (contract, consumer domain)
    for pid, (path, doc) in sorted(mesh.products.items()):
        d = doc.get("domain")
        tf = custom(doc, "transform", f"transforms/{doc.get('name')}.sql")
        tpath = os.path.join(os.path.dirname(os.path.dirname(path)), tf)
        idents = sql_identifiers(open(tpath, encoding="utf-8").read()) if os.path.isfile(tpath) else set()
        for port in doc.get("inputPorts") or []:
            cid = port.get("contractId")
            if cid not in mesh.contracts:
                continue
            cdoc = mesh.contracts[cid][1]
            if cdoc.get("domain") == d:
                continue
            pii_cols = sorted({p.get("name") for o in objects(cdoc) for p in props(o) if is_pii(p)} & idents)
            u = used[(cid, d)]
            u["any"] = True
            u["pii"] = u["pii"] or bool(pii_cols)
            grants = [r for r in cdoc.get("roles") or [] if d in (custom(r, "domains") or [])
                      and r.get("access", "read") in ("read", "readWrite", "write")]
            if not grants:
                report.error(mesh.rel(path), f"cross-domain input {cid!r} has no grant for domain {d!r} "
                                             f"in {mesh.rel(mesh.contracts[cid][0])} (a role with customProperties domains: [{d}])")
            elif pii_cols and not any(custom(r, "pii", False) is True for r in grants):
                report.error(mesh.rel(path), f"the transform reads pii columns {pii_cols} of {cid!r} "
                                             f"but the grant for {d!r} has pii: false")
    for cid, (path, cdoc) in sorted(mesh.contracts.items()):
        for r in cdoc.get("roles") or []:
            for d in custom(r, "domains") or []:
                if d not in mesh.domains:
                    report.error(mesh.rel(path), f"role {r.get('role')!r} grants unknown domain {d!r}")
                u = used.get((cid, d))
                if not u:
                    report.error(mesh.rel(path), f"role {r.get('role')!r} grants domain {d!r}, which reads nothing of it")
                elif custom(r, "pii", False) is True and not u["pii"]:
                    report.error(mesh.rel(path), f"role {r.get('role')!r} grants pii to {d!r}, whose transforms read no pii column")


# --------------------------------------------------------------------------------------------
# data


def sqlite_type(logical):
    return {"integer": "INTEGER", "number": "REAL", "boolean": "INTEGER"}.get(logical, "TEXT")


def convert(value, logical):
    if value == "":
        return None
    try:
        if logical == "integer":
            return int(value)
        if logical == "number":
            return float(value)
        if logical == "boolean":
            return {"true": 1, "false": 0, "1": 1, "0": 0}[value.lower()]
    except (ValueError, KeyError):
        return value
    return value


class Table:
    def __init__(self, columns, rows):
        self.columns = columns
        self.rows = rows


def load_source(mesh, cid, report):
    path, doc = mesh.contracts[cid]
    obj = objects(doc)[0]
    ps = props(obj)
    server = [s for s in doc.get("servers") or [] if s.get("type") == "local"][0]
    fpath = os.path.join(os.path.dirname(os.path.dirname(path)), server["path"])
    with open(fpath, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0] if rows else []
    names = [p["name"] for p in ps]
    if header != names:
        report.error(mesh.rel(fpath), f"CSV header {header} != properties of {cid}: {names}")
        return None
    types = [p.get("logicalType") for p in ps]
    data = [tuple(convert(v, t) for v, t in zip(r, types)) for r in rows[1:]]
    return Table(names, data)


def create_table(conn, name, contract_obj, table):
    types = {p["name"]: p.get("logicalType") for p in props(contract_obj)}
    cols = ", ".join(f'"{c}" {sqlite_type(types.get(c))}' for c in table.columns)
    conn.execute(f'CREATE TABLE "{name}" ({cols})')
    marks = ", ".join("?" for _ in table.columns)
    conn.executemany(f'INSERT INTO "{name}" VALUES ({marks})', table.rows)


def value_fits(v, logical):
    if v is None:
        return True
    if logical == "string":
        return isinstance(v, str)
    if logical == "integer":
        return isinstance(v, int)
    if logical == "number":
        return isinstance(v, (int, float))
    if logical == "boolean":
        return v in (0, 1)
    if logical == "date":
        return isinstance(v, str) and bool(DATE.match(v))
    if logical == "timestamp":
        return isinstance(v, str) and bool(TS.match(v))
    return True


def run_transforms(mesh, output_of, sources, order, check_quality, report):
    tables = {}  # contract id -> Table
    for cid in sorted(sources):
        t = load_source(mesh, cid, report)
        if t is None:
            continue
        tables[cid] = t
        report.info(f"source  {cid:32s} {len(t.rows):6d} rows  <- {mesh.rel(mesh.contracts[cid][0])}")
        if check_quality:
            check_data(mesh, cid, t, report)
    for pid in order:
        path, doc = mesh.products[pid]
        conn = sqlite3.connect(":memory:")
        ok = True
        for port in doc.get("inputPorts") or []:
            cid = port["contractId"]
            if cid not in tables:
                report.error(mesh.rel(path), f"input {cid!r} is not available (failed upstream)")
                ok = False
                continue
            create_table(conn, port["name"], objects(mesh.contracts[cid][1])[0], tables[cid])
        if not ok:
            continue
        tf = custom(doc, "transform", f"transforms/{doc.get('name')}.sql")
        tpath = os.path.join(os.path.dirname(os.path.dirname(path)), tf)
        sql = open(tpath, encoding="utf-8").read()
        try:
            cur = conn.execute(sql)
            rows = cur.fetchall()
            cols = [c[0] for c in cur.description]
        except sqlite3.Error as e:
            report.error(mesh.rel(tpath), f"sqlite: {e}")
            continue
        for port in doc.get("outputPorts") or []:
            cid = port.get("contractId")
            if cid not in mesh.contracts:
                continue
            cdoc = mesh.contracts[cid][1]
            obj = objects(cdoc)[0]
            names = [p["name"] for p in props(obj)]
            if cols != names:
                report.error(mesh.rel(tpath), f"output columns {cols} != properties of {cid} {names}"
                             f" (missing {[n for n in names if n not in cols]}, extra {[c for c in cols if c not in names]})")
                continue
            for i, p in enumerate(props(obj)):
                bad = [r[i] for r in rows if not value_fits(r[i], p.get("logicalType"))]
                if bad:
                    report.error(mesh.rel(tpath), f"column {p['name']}: {len(bad)} values do not fit logicalType "
                                                  f"{p.get('logicalType')} (e.g. {bad[0]!r})")
            tables[cid] = Table(cols, rows)
            report.info(f"product {pid:32s} {len(rows):6d} rows  <- {mesh.rel(tpath)}")
            if check_quality:
                check_data(mesh, cid, tables[cid], report)
        conn.close()
    return tables


def compare(value, q):
    if value is None:
        return False
    if "mustBe" in q:
        return value == q["mustBe"]
    if "mustNotBe" in q:
        return value != q["mustNotBe"]
    if "mustBeGreaterThan" in q:
        return value > q["mustBeGreaterThan"]
    if "mustBeGreaterOrEqualTo" in q:
        return value >= q["mustBeGreaterOrEqualTo"]
    if "mustBeLessThan" in q:
        return value < q["mustBeLessThan"]
    if "mustBeLessOrEqualTo" in q:
        return value <= q["mustBeLessOrEqualTo"]
    if "mustBeBetween" in q:
        lo, hi = q["mustBeBetween"]
        return lo <= value <= hi
    if "mustNotBeBetween" in q:
        lo, hi = q["mustNotBeBetween"]
        return not lo <= value <= hi
    return False


def measure(q, values, n):
    """Library metric on one column (values) of n rows: (count, percent)."""
    metric = q.get("metric")
    args = q.get("arguments") or {}
    if metric == "nullValues":
        count = sum(v is None for v in values)
    elif metric == "missingValues":
        missing = args.get("missingValues", [None, ""])
        count = sum(v in missing for v in values)
    elif metric == "invalidValues":
        if "validValues" in args:
            valid = set(args["validValues"])
            count = sum(v is not None and v not in valid for v in values)
        else:
            pat = re.compile(args["pattern"])
            count = sum(v is not None and not pat.search(str(v)) for v in values)
    elif metric == "duplicateValues":
        seen, count = set(), 0
        for v in values:
            if v is None:
                continue
            if v in seen:
                count += 1
            seen.add(v)
    else:
        raise ValueError(metric)
    return count, (100.0 * count / n if n else 0.0)


def check_data(mesh, cid, table, report):
    path, doc = mesh.contracts[cid]
    obj = objects(doc)[0]
    where = mesh.rel(path)
    n = len(table.rows)
    conn = sqlite3.connect(":memory:")
    create_table(conn, obj["name"], obj, table)
    measured = []

    def run(label, q, column=None):
        kind = q.get("type", "library")
        if kind == "sql":
            query = q["query"].replace("{object}", obj["name"])
            if column is not None:
                query = query.replace("{property}", label.split(".", 1)[1])
            try:
                value = conn.execute(query).fetchone()[0]
            except sqlite3.Error as e:
                report.error(where, f"{label}: sql rule fails: {e}")
                return
        elif q.get("metric") == "rowCount":
            value = n
        elif column is None:  # schema-level duplicateValues over arguments.properties
            idx = [table.columns.index(c) for c in (q.get("arguments") or {}).get("properties", [])]
            count, pct = measure(q, [tuple(r[i] for i in idx) for r in table.rows], n)
            value = round(pct, 4) if q.get("unit") == "percent" else count
        else:
            count, pct = measure(q, column, n)
            value = round(pct, 4) if q.get("unit") == "percent" else count
        ok = compare(value, q)
        op = next(o for o in OPERATORS if o in q)
        desc = f"{label} {q.get('metric') or q.get('name') or 'sql'} = {value} ({op} {q[op]})"
        measured.append(("ok  " if ok else "FAIL") + " " + desc)
        if not ok:
            report.error(where, f"quality rule fails on the sample data: {desc}")

    for i, p in enumerate(props(obj)):
        column = [r[i] for r in table.rows]
        label = f"{obj['name']}.{p['name']}"
        if p.get("required") and any(v is None for v in column):
            report.error(where, f"{label} is required but has {sum(v is None for v in column)} nulls")
        if p.get("unique") and len({v for v in column if v is not None}) != sum(v is not None for v in column):
            report.error(where, f"{label} is unique but has duplicates")
        for q in p.get("quality") or []:
            run(label, q, column)
    for q in obj.get("quality") or []:
        run(obj["name"], q)
    for s in doc.get("slaProperties") or []:
        if s.get("property") == "retention" and s.get("element"):
            dur = duration(s.get("value"), s.get("unit"))
            col = s["element"].split(".", 1)[1]
            i = table.columns.index(col)
            cutoff = minus(REF, dur[0], dur[1]).strftime("%Y-%m-%dT%H:%M:%SZ")
            expired = sum(1 for r in table.rows if r[i] is not None and str(r[i]) < cutoff[: len(str(r[i]))])
            measured.append(f"info retention {s['value']} {s['unit']} on {s['element']}: {expired} of {n} rows "
                            f"older than {cutoff[:10]} would be purged at {REF.date()}")
    conn.close()
    for m in measured:
        report.info(f"          {m}")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("schemas", nargs="?", default=None,
                    help="conformance folder with odcs-v3.1.0/ and odps/ (default: ../shared/conformance from the repo root)")
    ap.add_argument("--schemas", dest="schemas_opt", default=None, help="same as the positional argument")
    ap.add_argument("--mesh", default=repo, help="the mesh to check (default: the repository root)")
    ap.add_argument("--skip-sql", action="store_true", help="do not run the transforms")
    ap.add_argument("--skip-quality", action="store_true", help="run the transforms but do not measure quality")
    ap.add_argument("-q", "--quiet", action="store_true", help="print only errors and the summary")
    args = ap.parse_args()
    schemas = args.schemas_opt or args.schemas or os.path.join(repo, "..", "shared", "conformance")
    report = Report(args.quiet)
    mesh = Mesh(os.path.abspath(args.mesh), report)
    mesh.load()
    report.info(f"mesh {mesh.settings.get('name')!r}: {len(mesh.domains)} domains, {len(mesh.products)} products, "
                f"{len(mesh.contracts)} contracts")
    output_of, sources, order = check_model(mesh, schemas, report)
    report.info(f"lineage: {len(order)} products in dependency order, {len(sources)} source contracts")
    if not args.skip_sql:
        run_transforms(mesh, output_of, sources, order, not args.skip_quality, report)
    for e in report.errors:
        print("error:", e)
    if report.errors:
        print(f"FAILED: {len(report.errors)} errors")
        return 1
    print("OK: the mesh passes all checks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
