#!/usr/bin/env python3
"""Generate a large synthetic Steward mesh, as a git repository, for benchmarks.

    python3 scripts/gen_mesh.py OUT_DIR --products 10000 [--domains 100] [--seed 1] [--commits 0]

The mesh follows docs/mesh-layout.md and the conventions of the example mesh:

    steward.yaml, .gitignore
    domains/<d>/domain.yaml                      owners: a team and 2 emails
    domains/<d>/contracts/<entity>_raw.odcs.yaml source contracts (2-4 per domain), servers type local
    domains/<d>/sources/<entity>.csv             header-only CSV files (no data: the repo stays small)
    domains/<d>/products/<name>.odps.yaml        ODPS v1.0.0, 1-3 input ports, one output port
    domains/<d>/contracts/<name>.odcs.yaml       ODCS v3.1.0 output contract: 5-15 properties (PII with
                                                 anonymizationStrategy, CDEs with completeness rules),
                                                 quality rules, SLAs (latency, retention, frequency),
                                                 roles granting the consuming domains
    domains/<d>/transforms/<name>.sql            SQLite SELECT over the input ports

Lineage is a DAG: product i reads 1-3 sources of its domain or products generated before it,
some of them in other domains; every cross-domain input is granted in the producer's
contract (`pii: true` when the consumer's transform names a pii column of the producer).

The repository gets one commit on `main` (author and committer fixed, dates fixed), then
`--commits N` more, each editing one product and its contract (deterministic; kinds: add
an optional column, tighten a quality rule, change the freshness, reword the purpose; every
500th edits the same "hot" product, the middle one, for history benchmarks), all
written with `git fast-import`, then checked out. The same arguments give the same commit
ids. Nothing depends on the clock or the environment.
"""

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import time

T0 = 1767225600  # 2026-01-01T00:00:00Z, date of the first commit
PLATFORM = [("Ada Lovelace", "ada@acme.example"), ("Linus Pauling", "linus@acme.example")]

AREAS = ["billing", "payments", "inventory", "logistics", "marketing", "pricing", "returns",
         "loyalty", "search", "reviews", "supply", "finance", "risk", "fraud", "ads", "web",
         "mobile", "support", "warehouse", "procurement", "crm", "sales", "partners", "content",
         "recommendations", "subscriptions", "checkout", "delivery", "stores", "hr", "legal",
         "security", "identity", "notifications", "analytics", "forecasting", "merchandising",
         "catalog", "sustainability", "tax"]
FIRST = ["ana", "ben", "carla", "dev", "eli", "fatima", "gus", "hana", "ivan", "jade", "kofi",
         "lena", "mo", "nina", "omar", "paula", "quinn", "rosa", "sami", "tara", "uma", "vic",
         "wen", "xavi", "yara", "zeno"]
ENTITIES = ["accounts", "events", "transactions", "sessions", "tickets", "invoices", "items",
            "clicks", "contacts", "devices", "visits", "messages", "claims", "leads", "bookings"]
NOUNS = ["customer", "order", "invoice", "payment", "shipment", "session", "click", "review",
         "refund", "stock", "price", "campaign", "lead", "ticket", "visit", "basket", "offer",
         "device", "partner", "store"]
KINDS = ["metrics", "summary", "daily", "facts", "snapshot", "features", "scores", "cohorts",
         "funnel", "ledger", "kpis", "trends"]

# column pool: name -> (logicalType, physicalType, classification, anonymizationStrategy or None)
PII_COLUMNS = [
    ("email", "string", "varchar(254)", "restricted", "hash"),
    ("phone", "string", "varchar(20)", "restricted", "tokenize"),
    ("birth_date", "date", "date", "restricted", "drop"),
    ("full_name", "string", "varchar(200)", "confidential", "redact"),
    ("street_address", "string", "varchar(200)", "confidential", "redact"),
    ("ip_address", "string", "varchar(45)", "confidential", "hash"),
    ("iban", "string", "varchar(34)", "restricted", "tokenize"),
]
PLAIN_COLUMNS = [
    ("country", "string", "varchar(2)", "internal"),
    ("status", "string", "varchar(12)", "internal"),
    ("channel", "string", "varchar(12)", "internal"),
    ("currency", "string", "varchar(3)", "public"),
    ("category", "string", "varchar(40)", "public"),
    ("region", "string", "varchar(20)", "internal"),
    ("amount", "number", "decimal(12,2)", "confidential"),
    ("price", "number", "decimal(10,2)", "public"),
    ("score", "number", "double", "internal"),
    ("duration_s", "number", "double", "internal"),
    ("discount", "number", "decimal(5,2)", "internal"),
    ("quantity", "integer", "integer", "internal"),
    ("item_count", "integer", "integer", "internal"),
    ("attempts", "integer", "integer", "internal"),
    ("is_active", "boolean", "boolean", "internal"),
    ("is_test", "boolean", "boolean", "internal"),
    ("created_date", "date", "date", "internal"),
    ("updated_ts", "timestamp", "timestamp", "internal"),
]
VALID_VALUES = {
    "country": ["FR", "DE", "NL", "ES", "IT", "GB", "BE", "SE", "PL", "US"],
    "status": ["new", "active", "closed", "failed"],
    "channel": ["web", "app", "store", "phone"],
    "currency": ["EUR", "GBP", "USD", "SEK", "PLN"],
    "region": ["north", "south", "east", "west"],
}
RETENTIONS = [(90, "d"), (1, "y"), (2, "y"), (3, "y"), (5, "y")]
LATENCIES = [(1, "h"), (2, "h"), (4, "h"), (6, "h")]
FREQUENCIES = [(1, "h"), (6, "h"), (1, "d")]


# --------------------------------------------------------------------------------------------
# a tiny, fast YAML emitter for the generated documents (block style, flow lists of scalars)

PLAIN = re.compile(r"^(?:[A-Za-z_/][A-Za-z0-9_ .,/()@+<>=*-]*|\d+\.\d+\.\d+)$")  # 1.2.3 is a string
SPECIAL = {"true", "false", "yes", "no", "on", "off", "null", "~"}  # 'y' stays plain, as in the ODCS examples


def scalar(v):
    if v is True:
        return "true"
    if v is False:
        return "false"
    if v is None:
        return "null"
    if isinstance(v, (int, float)):
        return repr(v)
    s = str(v)
    if PLAIN.match(s) and s.lower() not in SPECIAL and not s.endswith(" ") and ": " not in s and " #" not in s:
        return s
    return "'" + s.replace("'", "''") + "'"


def emit(obj, indent, out):
    pad = " " * indent
    if isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(v, dict):
                out.append(f"{pad}{k}:")
                emit(v, indent + 2, out)
            elif isinstance(v, list):
                if all(not isinstance(x, (dict, list)) for x in v):
                    out.append(f"{pad}{k}: [{', '.join(scalar(x) for x in v)}]")
                else:
                    out.append(f"{pad}{k}:")
                    emit(v, indent + 2, out)
            else:
                out.append(f"{pad}{k}: {scalar(v)}")
    else:  # list of dicts
        for item in obj:
            sub = []
            emit(item, indent + 2, sub)
            sub[0] = pad + "- " + sub[0][indent + 2:]
            out.extend(sub)


def yaml_text(doc):
    out = []
    emit(doc, 0, out)
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# the model


class Prop:
    __slots__ = ("name", "ltype", "ptype", "cls", "strategy", "required", "unique", "cde", "quality", "desc")

    def __init__(self, name, ltype, ptype, cls, strategy=None, required=False, unique=False, cde=False, desc=""):
        self.name, self.ltype, self.ptype, self.cls, self.strategy = name, ltype, ptype, cls, strategy
        self.required, self.unique, self.cde, self.quality, self.desc = required, unique, cde, [], desc

    def doc(self, pk):
        d = {"name": self.name, "logicalType": self.ltype, "physicalType": self.ptype}
        if self.desc:
            d["description"] = self.desc
        if self.required:
            d["required"] = True
        if self.unique:
            d["unique"] = True
        if pk:
            d["primaryKey"] = True
            d["primaryKeyPosition"] = 1
        if self.cde:
            d["criticalDataElement"] = True
        d["classification"] = self.cls
        if self.strategy:
            d["tags"] = ["pii"]
            d["customProperties"] = [{"property": "anonymizationStrategy", "value": self.strategy}]
        if self.quality:
            d["quality"] = self.quality
        return d


def completeness(limit=5):
    return {"type": "library", "metric": "nullValues", "mustBeLessThan": limit, "unit": "percent",
            "dimension": "completeness", "severity": "error"}


def no_duplicates():
    return {"type": "library", "metric": "duplicateValues", "mustBe": 0, "unit": "rows",
            "dimension": "uniqueness", "severity": "error"}


class Contract:
    def __init__(self, domain, name, obj, version, purpose, source_path=None):
        self.domain, self.name, self.obj, self.version, self.purpose = domain, name, obj, version, purpose
        self.id = f"{domain}.{name}"
        self.props = []
        self.obj_quality = []
        self.sla = []
        self.grants = {}          # consumer domain -> pii needed
        self.source_path = source_path
        self.product = None       # producing Product, or None for a source

    def key(self):
        return self.props[0]

    def ts(self):
        return self.props[1]

    def pii_names(self):
        return {p.name for p in self.props if p.strategy}

    def path(self):
        return f"domains/{self.domain}/contracts/{self.name}.odcs.yaml"

    def render(self, mesh):
        d = {"apiVersion": "v3.1.0", "kind": "DataContract", "id": self.id, "name": self.name,
             "version": self.version, "status": "active", "domain": self.domain}
        if self.product:
            d["dataProduct"] = self.name
        d["description"] = {"purpose": self.purpose}
        if self.source_path:
            d["tags"] = ["source"]
            d["servers"] = [{"server": "local", "type": "local", "path": self.source_path, "format": "csv"}]
        obj = {"name": self.obj, "physicalType": "table",
               "properties": [p.doc(i == 0) for i, p in enumerate(self.props)]}
        if self.obj_quality:
            obj["quality"] = self.obj_quality
        d["schema"] = [obj]
        d["slaProperties"] = self.sla
        if self.grants:
            owner = mesh.owners[self.domain][0][1]
            d["roles"] = [{"role": f"{c}_reader", "access": "read", "firstLevelApprovers": owner,
                           "customProperties": [{"property": "domains", "value": [c]},
                                                {"property": "pii", "value": pii}]}
                          for c, pii in sorted(self.grants.items())]
        d["team"] = mesh.team(self.domain)
        return yaml_text(d)


class Product:
    def __init__(self, domain, name, version, purpose):
        self.domain, self.name, self.version, self.purpose = domain, name, version, purpose
        self.inputs = []          # (port name, Contract, pinned version)
        self.output = None
        self.select = []          # (expression, output name)

    def path(self):
        return f"domains/{self.domain}/products/{self.name}.odps.yaml"

    def transform_path(self):
        return f"domains/{self.domain}/transforms/{self.name}.sql"

    def render(self, mesh):
        d = {"apiVersion": "v1.0.0", "kind": "DataProduct", "id": f"{self.domain}.{self.name}",
             "name": self.name, "domain": self.domain, "status": "active", "version": self.version,
             "description": {"purpose": self.purpose}, "team": mesh.team(self.domain),
             "inputPorts": [{"name": n, "version": v, "contractId": c.id} for n, c, v in self.inputs],
             "outputPorts": [{"name": self.output.obj, "type": "tables", "version": self.output.version,
                              "contractId": self.output.id}]}
        return yaml_text(d)

    def sql(self):
        lines = [f"-- {self.domain}.{self.name}", "SELECT"]
        lines += [f"    {e} AS {n}," for e, n in self.select]
        lines[-1] = lines[-1][:-1]
        first = self.inputs[0]
        lines.append(f"FROM {first[0]} AS i1")
        k1 = first[1].key().name
        for j, (n, c, _) in enumerate(self.inputs[1:], 2):
            lines.append(f"LEFT JOIN {n} AS i{j} ON i{j}.{c.key().name} = i1.{k1}")
        return "\n".join(lines) + "\n"


class Mesh:
    def __init__(self, args):
        self.rng = random.Random(args.seed)
        self.n_products = args.products
        self.n_domains = args.domains
        self.domains = []
        self.owners = {}
        self.sources = {}         # domain -> [Contract]
        self.products = []        # in generation (topological) order
        self.by_domain = {}       # domain -> [Product]

    def team(self, domain):
        return {"name": f"{domain}-team",
                "members": [{"username": e, "name": n, "role": r}
                            for (n, e), r in zip(self.owners[domain], ("owner", "data steward"))]}

    # ---- generation

    def generate(self):
        rng = self.rng
        for i in range(self.n_domains):
            name = AREAS[i % len(AREAS)] + ("" if i < len(AREAS) else f"_{i // len(AREAS) + 1}")
            self.domains.append(name)
            a, b = rng.sample(FIRST, 2)
            self.owners[name] = [(a.capitalize(), f"{a}.{name}@acme.example"),
                                 (b.capitalize(), f"{b}.{name}@acme.example")]
            self.sources[name] = [self.make_source(name, e) for e in rng.sample(ENTITIES, rng.randint(2, 4))]
            self.by_domain[name] = []
        for i in range(self.n_products):
            domain = self.domains[i] if i < self.n_domains else self.domains[rng.randrange(self.n_domains)]
            self.products.append(self.make_product(i, domain))
        # grants, once every consumer is known
        for p in self.products:
            idents = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", p.sql()))
            for _, c, _ in p.inputs:
                if c.domain != p.domain:
                    pii = bool(c.pii_names() & idents)
                    c.grants[p.domain] = c.grants.get(p.domain, False) or pii

    def make_source(self, domain, entity):
        rng = self.rng
        c = Contract(domain, f"{entity}_raw", entity, "1.0.0",
                     f"Raw {entity} of the {domain} domain, as exported by its operational system.",
                     source_path=f"sources/{entity}.csv")
        stem = entity[:-1] if entity.endswith("s") else entity
        key = Prop(f"{stem}_id", "string", "varchar(32)", "internal", required=True, unique=True, cde=True,
                   desc=f"Key of the {stem}.")
        key.quality = [completeness(), no_duplicates()]
        ts = Prop(f"{stem}_ts", "timestamp", "timestamp", "internal", required=True, cde=True,
                  desc=f"When the {stem} happened (UTC).")
        ts.quality = [completeness()]
        c.props = [key, ts]
        cols = rng.sample(PLAIN_COLUMNS, rng.randint(3, 7))
        if rng.random() < 0.5:
            cols += rng.sample(PII_COLUMNS, rng.randint(1, 3))
        for col in cols:
            if len(col) == 5:
                name, lt, pt, cls, strategy = col
            else:
                (name, lt, pt, cls), strategy = col, None
            p = Prop(name, lt, pt, cls, strategy)
            if name in VALID_VALUES and rng.random() < 0.5:
                p.quality.append({"type": "library", "metric": "invalidValues",
                                  "arguments": {"validValues": VALID_VALUES[name]},
                                  "mustBeLessThan": 1, "unit": "percent", "dimension": "conformity",
                                  "severity": "warning"})
            c.props.append(p)
        c.obj_quality = [{"type": "library", "metric": "rowCount", "mustBeGreaterThan": 0, "unit": "rows",
                          "dimension": "completeness", "severity": "error"}]
        el = f"{entity}.{ts.name}"
        c.sla = [{"property": "latency", "value": 1, "unit": "d", "element": el},
                 {"property": "retention", "value": 5, "unit": "y", "element": el},
                 {"property": "frequency", "value": 1, "unit": "d"}]
        return c

    def make_product(self, i, domain):
        rng = self.rng
        noun, kind = rng.choice(NOUNS), rng.choice(KINDS)
        name = f"{noun}_{kind}_{i:05d}"
        version = f"{rng.choice((1, 1, 1, 2, 3))}.{rng.randrange(6)}.{rng.randrange(4)}"
        p = Product(domain, name, version, f"{noun.capitalize()} {kind} of the {domain} domain (synthetic).")
        # inputs: 1-3 distinct contracts among the domain's sources and earlier products
        wanted = rng.choice((1, 1, 2, 2, 2, 3))
        chosen = []
        for _ in range(wanted * 4):
            if len(chosen) == wanted:
                break
            r = rng.random()
            same = self.by_domain[domain]
            if r < 0.3 or not self.products:
                c = rng.choice(self.sources[domain])
            elif r < 0.75 and same:
                c = rng.choice(same).output
            else:
                c = rng.choice(self.products).output
            if c not in chosen:
                chosen.append(c)
        p.inputs = [(c.obj, c, c.version) for c in chosen]
        # output contract
        c = Contract(domain, name, name, version, p.purpose)
        c.product = p
        p.output = c
        first = chosen[0]
        key = Prop(f"{noun}_id", "string", "varchar(32)", "internal", required=True, unique=True, cde=True,
                   desc=f"Key of the {noun}.")
        key.quality = [completeness(), no_duplicates()]
        ts = Prop("event_ts", "timestamp", "timestamp", "internal", required=True, cde=True,
                  desc="When the event happened (UTC).")
        ts.quality = [completeness()]
        c.props = [key, ts]
        p.select = [(f"i1.{first.key().name}", key.name), (f"i1.{first.ts().name}", ts.name)]
        names = {key.name, ts.name}
        pool = [(j, q) for j, (_, src, _) in enumerate(p.inputs, 1) for q in src.props[2:]]
        rng.shuffle(pool)
        for j, q in pool[: rng.randint(3, 13)]:
            out = q.name
            n = 2
            while out in names:
                out = f"{q.name}_{n}"
                n += 1
            names.add(out)
            expr = f"i{j}.{q.name}"
            if not q.strategy:
                roll = rng.random()
                if q.ltype == "number" and roll < 0.4:
                    expr = f"ROUND(COALESCE({expr}, 0), 2)"
                elif q.ltype == "integer" and roll < 0.4:
                    expr = f"COALESCE({expr}, 0)"
                elif q.ltype == "string" and roll < 0.3:
                    expr = f"UPPER({expr})"
            prop = Prop(out, q.ltype, q.ptype, q.cls, q.strategy)
            if rng.random() < 0.15 and not q.strategy:
                prop.cde = True
                prop.quality.append(completeness(rng.choice((5, 5, 3, 1))))
            if q.name in VALID_VALUES and rng.random() < 0.3:
                vals = VALID_VALUES[q.name]
                if expr.startswith("UPPER("):
                    vals = [v.upper() for v in vals]
                prop.quality.append({"type": "library", "metric": "invalidValues",
                                     "arguments": {"validValues": vals}, "mustBe": 0, "unit": "rows",
                                     "dimension": "conformity", "severity": "error"})
            c.props.append(prop)
            p.select.append((expr, out))
        while len(c.props) < 5:  # at least 5 properties
            extra = f"flag_{len(c.props)}"
            c.props.append(Prop(extra, "boolean", "boolean", "internal", required=True,
                                desc="Derived flag: the first input has a key."))
            p.select.append((f"i1.{first.key().name} IS NOT NULL", extra))
        c.obj_quality = [{"type": "library", "metric": "rowCount", "mustBeGreaterThan": 0, "unit": "rows",
                          "dimension": "completeness", "severity": "error"}]
        numeric = [q for q in c.props if q.ltype == "number" and not q.strategy]
        if numeric and rng.random() < 0.3:
            col = rng.choice(numeric).name
            c.obj_quality.append({"type": "sql", "name": f"{col}_not_negative",
                                  "query": f"SELECT COUNT(*) FROM {name} WHERE {col} < 0", "mustBe": 0,
                                  "dimension": "accuracy", "severity": "error"})
        el = f"{name}.event_ts"
        (lv, lu), (rv, ru), (fv, fu) = rng.choice(LATENCIES), rng.choice(RETENTIONS), rng.choice(FREQUENCIES)
        c.sla = [{"property": "latency", "value": lv, "unit": lu, "element": el},
                 {"property": "retention", "value": rv, "unit": ru, "element": el},
                 {"property": "frequency", "value": fv, "unit": fu}]
        self.by_domain[domain].append(p)
        return p

    # ---- files

    def files(self):
        """(path, text) of every file of the initial commit, in a stable order."""
        yield "steward.yaml", (
            "apiVersion: steward/v1\nkind: Mesh\n"
            f"name: synthetic-{self.n_products}\nmainBranch: main\ndefaultEngine: embedded\n"
            "warehouse: .steward/warehouse\nplatformTeam:\n  name: platform\n"
            f"  members: [{', '.join(e for _, e in PLATFORM)}]\n")
        yield ".gitignore", ".steward/\n"
        for d in self.domains:
            yield f"domains/{d}/domain.yaml", (
                f"apiVersion: steward/v1\nkind: Domain\nname: {d}\n"
                f"description: The {d} domain (synthetic).\nowners:\n  team: {d}-team\n"
                f"  members: [{', '.join(e for _, e in self.owners[d])}]\n")
            for s in self.sources[d]:
                yield s.path(), s.render(self)
                yield f"domains/{d}/{s.source_path}", ",".join(p.name for p in s.props) + "\n"
        for p in self.products:
            yield p.path(), p.render(self)
            yield p.output.path(), p.output.render(self)
            yield p.transform_path(), p.sql()

    # ---- history

    def edit(self, k, rng):
        """Apply the k-th edit; return (author, message, [(path, text)]).

        Every 500th edit goes to one "hot" product (the middle one), so `steward history`
        benchmarks have a product with a history of its own: 20 commits in 10,000."""
        p = rng.choice(self.products)
        if k % 500 == 0:
            p = self.products[len(self.products) // 2]
        c = p.output
        kind = rng.choice(("add_column", "tighten_quality", "freshness", "purpose"))
        major, minor, patch = map(int, c.version.split("."))
        changed = [p, c]
        if kind == "add_column":
            name = f"note_{k}"
            c.props.append(Prop(name, "string", "varchar(200)", "internal", desc=f"Free-text note added by change {k}."))
            p.select.append(("CAST(NULL AS TEXT)", name))
            version = f"{major}.{minor + 1}.0"
            what = f"add optional column {name}"
        elif kind == "tighten_quality":
            rule = next((q for q in c.key().quality if q.get("metric") == "nullValues"), None)
            rule["mustBeLessThan"] = max(1, rule["mustBeLessThan"] - 1)
            version = f"{major}.{minor}.{patch + 1}"
            what = f"tighten completeness of {c.key().name} to < {rule['mustBeLessThan']}%"
        elif kind == "freshness":
            lat = c.sla[0]
            lat["value"], lat["unit"] = rng.choice([x for x in LATENCIES if x != (lat["value"], lat["unit"])])
            version = f"{major}.{minor}.{patch + 1}"
            what = f"freshness {lat['value']} {lat['unit']}"
        else:
            p.purpose = c.purpose = f"{p.purpose.split(' (rev')[0]} (rev {k})."
            version = f"{major}.{minor}.{patch + 1}"
            what = "reword the purpose"
        c.version = p.version = version
        author = self.owners[p.domain][k % 2] if k % 10 else PLATFORM[k % 20 // 10]
        files = [(p.path(), p.render(self)), (c.path(), c.render(self))]
        if kind == "add_column":
            files.append((p.transform_path(), p.sql()))
        return author, f"{p.domain}.{p.name}: {what} ({version})", files


# --------------------------------------------------------------------------------------------
# git


def fast_import_stream(mesh, n_commits, out, policies=()):
    """Write the fast-import stream to the binary file `out`; return the number of files."""
    def data(b):
        out.write(b"data %d\n" % len(b))
        out.write(b)
        out.write(b"\n")

    def commit(author, when, message, files):
        name, email = author
        out.write(b"commit refs/heads/main\n")
        out.write(f"author {name} <{email}> {when} +0000\n".encode())
        out.write(f"committer {name} <{email}> {when} +0000\n".encode())
        data(message.encode())
        for path, text in files:
            out.write(f"M 100644 inline {path}\n".encode())
            data(text.encode())

    files = list(mesh.files()) + list(policies)
    commit(PLATFORM[0], T0, f"Synthetic mesh: {len(mesh.domains)} domains, {len(mesh.products)} products\n", files)
    rng = random.Random(f"history-{mesh.n_products}-{mesh.n_domains}-{mesh.rng.random()}")
    for k in range(1, n_commits + 1):
        author, message, changed = mesh.edit(k, rng)
        commit(author, T0 + 600 * k, message + "\n", changed)
    out.write(b"done\n")
    return len(files)


def policy_files(folder):
    """(path, text) of the *.policy files of `folder`, sorted; none without a folder."""
    if not folder:
        return []
    names = sorted(n for n in os.listdir(folder) if n.endswith(".policy"))
    return [(f"policies/{n}", open(os.path.join(folder, n), encoding="utf-8").read()) for n in names]


def git(out_dir, *args, **kw):
    env = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C")
    return subprocess.run(["git", "-C", out_dir, *args], check=True, env=env, **kw)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("out", metavar="OUT_DIR", help="where to create the mesh repository (must not exist, or be empty)")
    ap.add_argument("--products", type=int, required=True, help="number of data products")
    ap.add_argument("--domains", type=int, default=100, help="number of domains (default 100)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--commits", type=int, default=0, help="extra commits after the initial one (default 0)")
    ap.add_argument("--policies", metavar="DIR", help="copy DIR/*.policy into policies/ of the first commit")
    ap.add_argument("--force", action="store_true", help="delete OUT_DIR first if it exists")
    args = ap.parse_args()
    if args.products < 1 or args.domains < 1 or args.commits < 0:
        ap.error("--products and --domains must be >= 1, --commits >= 0")
    if os.path.exists(args.out) and os.listdir(args.out):
        if not args.force:
            ap.error(f"{args.out} exists and is not empty (use --force to replace it)")
        shutil.rmtree(args.out)
    os.makedirs(args.out, exist_ok=True)
    started = time.monotonic()
    mesh = Mesh(args)
    mesh.generate()
    git(args.out, "init", "-q", "-b", "main")
    stream_path = os.path.join(args.out, ".git", "fast-import.stream")
    with open(stream_path, "wb") as f:
        n_files = fast_import_stream(mesh, args.commits, f, policy_files(args.policies))
    with open(stream_path, "rb") as f:
        git(args.out, "fast-import", "--quiet", "--done", stdin=f)
    os.remove(stream_path)
    git(args.out, "-c", "core.autocrlf=false", "reset", "-q", "--hard", "main")
    head = git(args.out, "rev-parse", "HEAD", capture_output=True, text=True).stdout.strip()
    elapsed = time.monotonic() - started
    print(f"{args.out}: {len(mesh.domains)} domains, {len(mesh.products)} products, "
          f"{sum(len(s) for s in mesh.sources.values())} sources, {n_files} files, "
          f"{1 + args.commits} commits, HEAD {head}, {elapsed:.1f} s")


if __name__ == "__main__":
    main()
