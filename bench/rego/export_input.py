#!/usr/bin/env python3
"""Export a mesh as one JSON document shaped like the policy language's object model (§5).

    python3 bench/rego/export_input.py MESH_DIR OUT.json [--at 2026-07-01T00:00:00Z] [--jobs 2]

This is the input of the Rego reference (bench/rego/policies.rego), the comparison issue 3
asks for: the same policies, the same data, another engine. It reads the mesh's work tree
(steward.yaml, domains/*/domain.yaml, domains/*/products/*.odps.yaml,
domains/*/contracts/*.odcs.yaml and the products' transforms) and derives every field the
way Steward's model view does (Sources/StewardPolicy/ModelView.swift, docs/policy-language.md
§5.2), so that the Rego policies find the same (policy, target) pairs:

- property.pii: the property's tags contain `pii`, any case;
- property.masking: customProperties `anonymizationStrategy` (a string), else absent;
- property.completeness / errorRate: the best guarantee over the property's quality rules
  (§5.2 "Derived completeness and error rate");
- contract.retention / freshness / frequency: whole seconds (value x unit, 1y = 365d,
  1mo = 30d), absent when the SLA entry is missing, has no valid unit or is not a whole number
  of seconds; retentionElement / freshnessElement: the entry's `element`, else
  `slaDefaultElement`;
- contract.grants: the ODCS roles, with `domains` and `pii` from their custom properties;
- product.inputs: one record per input port whose contract exists, with producerDomain,
  source, crossDomain, grants (the contract's grants whose domains include the consumer's
  domain), grant (the first of them), reads and piiReads (the contract's top-level columns
  the consumer's transform names, as whole words, case-insensitively, outside `--` comments).

A missing optional value (`T?` in §5.2) is an absent key, never `null`: Rego's
`object.get(x, k, default)` is then `default`, and a plain `x.k` is undefined, which is what
`has` and `default` mean in Steward.

References between records are ids: `input.contracts[id]`, `input.products[id]`. Fields no
one of the benchmarked policies reads and that would only grow the document (quality rule
records, raw SLA entries, servers, custom property maps of properties) are left out, as
Steward's view leaves out what its policies cannot observe (`Demand`).

YAML is read with PyYAML's C parser and resolved with the YAML 1.2 core schema, as Steward's
reader does (`yes`, `on`, `2026-01-01` stay strings).
"""

import argparse
import datetime
import json
import os
import re
import sys
import time
from multiprocessing import Pool

import yaml

# --------------------------------------------------------------------------------------------
# YAML: libyaml's parser, the core schema's scalars (Sources/StewardModel/YAML/YAMLDocument.swift)

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CoreLoader(Loader):
    pass


CoreLoader.yaml_implicit_resolvers = {}  # every plain scalar arrives as a str node: resolved below
_FLOAT_CHARS = re.compile(r"^[0-9.eE+-]+$")
_INT = re.compile(r"^[-+]?[0-9]+$")


def _core_scalar(loader, node):
    s = node.value
    if node.style:  # quoted or block scalar: a string (plain is None, or "" from the C parser)
        return s
    if s in ("", "~", "null", "Null", "NULL"):
        return None
    if s in ("true", "True", "TRUE"):
        return True
    if s in ("false", "False", "FALSE"):
        return False
    if s and (s[0].isdigit() or s[0] in "-+."):
        if _INT.match(s):
            return int(s)
        if s.startswith("0x"):
            try:
                return int(s[2:], 16)
            except ValueError:
                pass
        if s.startswith("0o"):
            try:
                return int(s[2:], 8)
            except ValueError:
                pass
        if s in (".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"):
            return float("inf")
        if s in ("-.inf", "-.Inf", "-.INF"):
            return float("-inf")
        if s in (".nan", ".NaN", ".NAN"):
            return float("nan")
        if _FLOAT_CHARS.match(s):
            try:
                return float(s)
            except ValueError:
                pass
    return s


CoreLoader.add_constructor("tag:yaml.org,2002:str", _core_scalar)


def load_yaml(path):
    with open(path, "rb") as f:
        return yaml.load(f, Loader=CoreLoader)


# --------------------------------------------------------------------------------------------
# small readers with Steward's leniency: a field of the wrong type reads as absent


def s(d, key):
    """A string field, else None (Reader.string)."""
    v = d.get(key) if isinstance(d, dict) else None
    return v if isinstance(v, str) else None


def b(d, key):
    v = d.get(key) if isinstance(d, dict) else None
    return v if isinstance(v, bool) else False


def strings(d, key):
    v = d.get(key) if isinstance(d, dict) else None
    return [x for x in v if isinstance(x, str)] if isinstance(v, list) else []


def lst(d, key):
    v = d.get(key) if isinstance(d, dict) else None
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def number(v):
    """YAMLValue.number: an int or a float, not a bool."""
    if isinstance(v, bool):
        return None
    return float(v) if isinstance(v, (int, float)) else None


def custom(d, name):
    """The value of the first custom property named `name` (present, None for null), or a sentinel."""
    for cp in lst(d, "customProperties"):
        if cp.get("property") == name:
            return cp.get("value")
    return _ABSENT


_ABSENT = object()


def put(out, key, value):
    """Sets an optional field: a missing value is an absent key."""
    if value is not None:
        out[key] = value


SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
                    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$")


def semver(v, leading_v):
    if not isinstance(v, str):
        return None
    t = v[1:] if leading_v and v[:1] in ("v", "V") else v
    return t if SEMVER.match(t) else None


# --------------------------------------------------------------------------------------------
# durations (Sources/StewardCore/TimeSpan.swift): 1w = 7d, 1mo = 30d, 1y = 365d

UNIT_SECONDS = {}
for _secs, _names in ((1, "s sec secs second seconds"), (60, "min mins minute minutes"),
                      (3600, "h hr hrs hour hours"), (86400, "d day days"), (604800, "w wk wks week weeks"),
                      (2592000, "mo mon mos month months"), (31536000, "y yr yrs year years")):
    for _n in _names.split():
        UNIT_SECONDS[_n] = _secs


def span_seconds(entry):
    """An SLA entry's value x unit in whole seconds, else None (Value.duration(seconds:))."""
    unit = s(entry, "unit")
    if unit is None:
        return None
    u = unit.strip()
    if u in ("m", "M") or u.lower() not in UNIT_SECONDS:
        return None
    v = number(entry.get("value"))
    if v is None:
        return None
    secs = v * UNIT_SECONDS[u.lower()]
    if secs != secs or secs in (float("inf"), float("-inf")) or secs != round(secs) or abs(secs) >= 9.2e18:
        return None
    return int(secs)


def sla_entry(contract, *names):
    """The first SLA entry named like one of `names` (case-insensitive), trying names in order."""
    entries = lst(contract, "slaProperties")
    for name in names:
        for e in entries:
            p = s(e, "property")
            if p is not None and p.lower() == name:
                return e
    return None


# --------------------------------------------------------------------------------------------
# quality guarantees (ModelView.guarantees)

THRESHOLDS = sorted(["mustBe", "mustNotBe", "mustBeGreaterThan", "mustBeGreaterOrEqualTo", "mustBeLessThan",
                     "mustBeLessOrEqualTo", "mustBeBetween", "mustNotBeBetween"])


def guarantees(q):
    present = [k for k in THRESHOLDS if k in q]
    if not present:
        return None, None
    key = present[0]
    v = q[key]
    unit = s(q, "unit") or "rows"
    percent = unit == "percent"
    if key == "mustBe":
        bound = number(v)
    elif key == "mustBeLessOrEqualTo":
        bound = number(v)
    elif key == "mustBeLessThan":
        n = number(v)
        bound = None if n is None else (n if percent else (0.0 if n <= 1 else None))
    elif key == "mustBeBetween":
        ok = isinstance(v, list) and len(v) == 2 and number(v[0]) is not None and number(v[1]) is not None
        bound = number(v[1]) if ok else None
    else:
        bound = None
    metric = s(q, "metric") or s(q, "rule")
    if bound is None or metric is None:
        return None, None
    if metric in ("nullValues", "missingValues"):
        if percent:
            return max(0.0, 100 - bound), None
        return (100.0 if bound == 0 else None), None
    if metric == "invalidValues":
        if percent:
            return None, bound
        return None, (0.0 if bound == 0 else None)
    return None, None


def num_json(x):
    """Integral floats as ints (JSON numbers either way; Rego compares them numerically)."""
    return int(x) if x is not None and x == int(x) else x


# --------------------------------------------------------------------------------------------
# records


def team_record(t):
    if not isinstance(t, dict):
        return None
    members = []
    for m in lst(t, "members"):
        user = s(m, "username") or ""
        rec = {"username": user}
        put(rec, "name", s(m, "name"))
        put(rec, "role", s(m, "role"))
        if "@" in user:
            rec["email"] = user.lower()
        members.append(rec)
    out = {"members": members}
    put(out, "name", s(t, "name"))
    return out


def purpose(d):
    desc = d.get("description")
    if isinstance(desc, str):
        return desc
    return s(desc, "purpose") if isinstance(desc, dict) else None


def flatten(props, prefix=""):
    """Every property of an object, nested ones included, with its dotted path (ModelView.flatten)."""
    for p in props:
        name = s(p, "name") or ""
        path = f"{prefix}.{name}" if prefix else name
        yield path, p
        yield from flatten(lst(p, "properties"), path)
        items = p.get("items")
        if isinstance(items, dict):
            yield from flatten(lst(items, "properties"), path)


def property_record(cid, obj, path, p):
    rec = {"id": f"{cid}.{obj}.{path}", "name": path, "object": obj, "contract": cid}
    put(rec, "stableId", s(p, "id"))
    for k in ("logicalType", "physicalType", "physicalName", "businessName", "description"):
        put(rec, k, s(p, k))
    for k in ("required", "unique", "primaryKey", "partitioned", "criticalDataElement"):
        rec[k] = b(p, k)
    put(rec, "classification", s(p, "classification"))
    tags = strings(p, "tags")
    rec["pii"] = any(t.lower() == "pii" for t in tags)
    masking = custom(p, "anonymizationStrategy")
    if isinstance(masking, str):
        rec["masking"] = masking
    g = [guarantees(q) for q in lst(p, "quality")]
    comp = [c for c, _ in g if c is not None]
    err = [e for _, e in g if e is not None]
    if comp:
        rec["completeness"] = num_json(max(comp))
    if err:
        rec["errorRate"] = num_json(min(err))
    rec["tags"] = tags
    return rec


def grant_record(cid, r):
    first, second = s(r, "firstLevelApprovers"), s(r, "secondLevelApprovers")
    approvers = [a.strip() for x in (first, second) if x is not None for a in x.split(",")]
    domains = custom(r, "domains")
    if isinstance(domains, str):
        domains = [domains]
    elif isinstance(domains, list):
        domains = [d for d in domains if isinstance(d, str)]
    else:
        domains = []
    pii = custom(r, "pii")
    rec = {"role": s(r, "role") or "", "contract": cid}
    put(rec, "access", s(r, "access"))
    put(rec, "description", s(r, "description"))
    put(rec, "firstLevelApprovers", first)
    put(rec, "secondLevelApprovers", second)
    rec["approvers"] = [a for a in approvers if a]
    rec["domains"] = domains
    rec["pii"] = pii if isinstance(pii, bool) else False
    return rec


def columns_named(sql, contract_doc):
    """The top-level columns of a contract a transform names (ModelView.columnsNamed)."""
    words, word, in_comment, previous = set(), [], False, " "
    for ch in sql.lower():
        if in_comment:
            if ch == "\n":
                in_comment = False
            continue
        if ch == "-" and previous == "-":
            in_comment, word, previous = True, [], " "
            continue
        if ch.isalpha() or ch.isnumeric() or ch == "_":
            word.append(ch)
        elif word:
            words.add("".join(word))
            word = []
        previous = ch
    if word:
        words.add("".join(word))
    out = []
    for o in lst(contract_doc, "schema"):
        for p in lst(o, "properties"):
            name = s(p, "name") or ""
            phys = s(p, "physicalName")
            if name.lower() in words or (phys is not None and phys.lower() in words):
                if not any(n == name for n, _ in out):
                    out.append((name, any(t.lower() == "pii" for t in strings(p, "tags"))))
    return out


# --------------------------------------------------------------------------------------------
# reading the tree


def list_jobs(root):
    jobs = []
    droot = os.path.join(root, "domains")
    for d in sorted(os.listdir(droot)):
        ddir = os.path.join(droot, d)
        if not os.path.isdir(ddir):
            continue
        if os.path.isfile(os.path.join(ddir, "domain.yaml")):
            jobs.append(("domain", d, f"domains/{d}/domain.yaml"))
        for kind, folder, suffix in (("product", "products", ".odps.yaml"), ("contract", "contracts", ".odcs.yaml")):
            sub = os.path.join(ddir, folder)
            if os.path.isdir(sub):
                for name in sorted(os.listdir(sub)):
                    if name.endswith(suffix) and os.path.isfile(os.path.join(sub, name)):
                        jobs.append((kind, d, f"domains/{d}/{folder}/{name}"))
    return jobs


def parse_job(args):
    root, (kind, domain, rel) = args
    return kind, domain, rel, load_yaml(os.path.join(root, rel))


def read_text(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except OSError:
        return None


def build(root, at, jobs_n):
    settings = load_yaml(os.path.join(root, "steward.yaml")) or {}
    jobs = list_jobs(root)
    if jobs_n > 1:
        with Pool(jobs_n) as pool:
            parsed = pool.map(parse_job, [(root, j) for j in jobs], chunksize=256)
    else:
        parsed = [parse_job((root, j)) for j in jobs]

    domains_raw, products_raw, contracts_raw, contract_domain = {}, {}, {}, {}
    for kind, domain, rel, doc in parsed:
        if not isinstance(doc, dict):
            continue
        if kind == "domain":
            domains_raw[domain] = (rel, doc)
        elif kind == "product":
            name = s(doc, "name") or os.path.basename(rel)[: -len(".odps.yaml")]
            pid = f"{domain}.{name}"
            products_raw.setdefault(pid, (rel, domain, name, doc))
        else:
            cid = s(doc, "id") or ""
            if cid and cid not in contracts_raw:
                contracts_raw[cid] = (rel, doc)
                contract_domain[cid] = domain

    default_engine = s(settings, "defaultEngine") or "embedded"
    product_ids = sorted(products_raw)
    contract_ids = sorted(contracts_raw)
    producer_of = {}
    for pid in product_ids:
        for port in lst(products_raw[pid][3], "outputPorts"):
            c = s(port, "contractId")
            if c is not None:
                producer_of[c] = pid
    consumers_of, products_of, contracts_of = {}, {}, {}
    for pid in product_ids:
        _, domain, _, doc = products_raw[pid]
        for port in lst(doc, "inputPorts"):
            consumers_of.setdefault(s(port, "contractId") or "", []).append(pid)
        products_of.setdefault(domain, []).append(pid)
    for cid in contract_ids:
        contracts_of.setdefault(contract_domain[cid], []).append(cid)

    # contracts
    contracts = {}
    for cid in contract_ids:
        rel, c = contracts_raw[cid]
        grants = [grant_record(cid, r) for r in lst(c, "roles")]
        objects, props = [], []
        for o in lst(c, "schema"):
            oname = s(o, "name") or ""
            orec = {"name": oname, "contract": cid}
            for k in ("physicalName", "physicalType", "businessName"):
                put(orec, k, s(o, k))
            orec["tags"] = strings(o, "tags")
            objects.append(orec)
            props += [property_record(cid, oname, path, p) for path, p in flatten(lst(o, "properties"))]
        rec = {"id": cid, "status": s(c, "status") or "", "domain": contract_domain[cid],
               "apiVersion": s(c, "apiVersion") or ""}
        put(rec, "name", s(c, "name"))
        put(rec, "dataProduct", s(c, "dataProduct"))
        put(rec, "description", purpose(c))
        put(rec, "version", semver(s(c, "version"), leading_v=False))
        rec["objects"] = objects
        rec["properties"] = props
        servers = lst(c, "servers")
        rec["source"] = cid not in producer_of and any(s(x, "type") == "local" for x in servers)
        put(rec, "product", producer_of.get(cid))
        rec["consumers"] = consumers_of.get(cid, [])
        default_element = s(c, "slaDefaultElement")
        for field, names in (("retention", ("retention",)), ("freshness", ("latency", "freshness")),
                             ("frequency", ("frequency",))):
            e = sla_entry(c, *names)
            if e is not None:
                put(rec, field, span_seconds(e))
                if field != "frequency":
                    element = s(e, "element")
                    put(rec, field + "Element", element if element is not None else default_element)
        rec["grants"] = grants
        put(rec, "team", team_record(c.get("team")))
        rec["tags"] = strings(c, "tags")
        rec["path"] = rel
        contracts[cid] = rec

    # products
    products = {}
    for pid in product_ids:
        rel, domain, name, p = products_raw[pid]
        engine = custom(p, "engine")
        engine = engine if isinstance(engine, str) else default_engine
        declared = custom(p, "transform")
        transform = (os.path.normpath(f"domains/{domain}/{declared}") if isinstance(declared, str)
                     else f"domains/{domain}/transforms/{name}.{'py' if engine == 'ray' else 'sql'}")
        sql = read_text(os.path.join(root, transform)) or ""
        inputs = []
        for port in lst(p, "inputPorts"):
            cid = s(port, "contractId") or ""
            if cid not in contracts_raw:
                continue  # the validator reports it
            c = contracts[cid]
            producer = producer_of.get(cid)
            producer_domain = contract_domain[cid]
            granted = [g for g in c["grants"] if domain in g["domains"]]
            reads = columns_named(sql, contracts_raw[cid][1])
            rec = {"name": s(port, "name") or "", "contractId": cid}
            put(rec, "version", s(port, "version"))
            put(rec, "producer", producer)
            rec["producerDomain"] = producer_domain
            rec["source"] = producer is None
            rec["crossDomain"] = producer_domain != domain
            rec["grants"] = granted
            if granted:
                rec["grant"] = granted[0]
            rec["reads"] = [n for n, _ in reads]
            rec["piiReads"] = [n for n, pii in reads if pii]
            inputs.append(rec)
        outputs, out_contracts = [], []
        for port in lst(p, "outputPorts"):
            cid = s(port, "contractId")
            if cid is None or cid not in contracts_raw:
                continue
            orec = {"name": s(port, "name") or "", "contractId": cid}
            put(orec, "version", s(port, "version"))
            put(orec, "type", s(port, "type"))
            outputs.append(orec)
            out_contracts.append(cid)
        rec = {"id": pid, "odpsId": s(p, "id") or "", "name": name, "domain": domain, "status": s(p, "status") or ""}
        put(rec, "version", semver(s(p, "version"), leading_v=True))
        put(rec, "description", purpose(p))
        rec["inputs"] = inputs
        rec["outputs"] = outputs
        rec["contracts"] = out_contracts
        rec["transform"] = transform
        rec["engine"] = engine
        put(rec, "team", team_record(p.get("team")))
        rec["tags"] = strings(p, "tags")
        rec["customProperties"] = {cp["property"]: cp.get("value") for cp in reversed(lst(p, "customProperties"))
                                   if isinstance(cp.get("property"), str)}
        rec["path"] = rel
        products[pid] = rec

    domains = {}
    for name in sorted(domains_raw):
        _, d = domains_raw[name]
        owners = d.get("owners") if isinstance(d.get("owners"), dict) else {}
        rec = {"name": name}
        put(rec, "description", s(d, "description"))
        rec["owners"] = {"team": s(owners, "team") or "", "members": [m.lower() for m in strings(owners, "members")]}
        rec["products"] = products_of.get(name, [])
        rec["contracts"] = contracts_of.get(name, [])
        domains[name] = rec

    platform = settings.get("platformTeam") if isinstance(settings.get("platformTeam"), dict) else {}
    mesh = {"name": s(settings, "name") or "", "defaultEngine": default_engine,
            "platformTeam": {"name": s(platform, "name") or "", "members": [m.lower() for m in strings(platform, "members")]},
            "domains": sorted(domains)}
    evaluation = {"time": at, "command": "lint"}
    return {"evaluation": evaluation, "mesh": mesh, "domains": domains, "products": products, "contracts": contracts}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mesh", help="the mesh's work tree")
    ap.add_argument("out", help="the JSON file to write")
    ap.add_argument("--at", default="2026-07-01T00:00:00Z", help="evaluation.time (RFC 3339, UTC)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="parallel YAML parsers")
    args = ap.parse_args()
    at = int(datetime.datetime.strptime(args.at, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc).timestamp())
    started = time.monotonic()
    doc = build(args.mesh, at, args.jobs)
    parsed = time.monotonic()
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
    done = time.monotonic()
    n_props = sum(len(c["properties"]) for c in doc["contracts"].values())
    n_inputs = sum(len(p["inputs"]) for p in doc["products"].values())
    print(f"exported {len(doc['domains'])} domains, {len(doc['products'])} products, {len(doc['contracts'])} contracts, "
          f"{n_props} properties, {n_inputs} inputs to {args.out} ({os.path.getsize(args.out) / 1e6:.1f} MB): "
          f"read and derive {parsed - started:.2f} s, write {done - parsed:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
