#!/usr/bin/env python3
"""Break a generated mesh on purpose, so that every benchmarked policy has findings.

    python3 bench/rego/mutate_mesh.py MESH_DIR [--seed 1]

The generated mesh (scripts/gen_mesh.py) passes seven of the nine policies of
bench/rego/policies.rego everywhere, so the benchmark alone would not notice a translation
that is wrong for them. This rewrites a deterministic sample of its products and contracts
(in the work tree; commit them yourself) with violations of each policy, and with edge cases
around them that must still pass: a `PII` tag in upper case, a completeness of exactly 95%,
a retention of exactly 365 days written as 8760 h, a purpose that is long only with its
surrounding spaces, a retention element given by `slaDefaultElement`, an `Owner` role in
another case, a `Critical` tag that is not `critical`. check_findings.sh uses it.
"""

import argparse
import os
import random
import sys

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_input import CoreLoader  # noqa: E402


def load(path):
    with open(path, "rb") as f:
        return yaml.load(f, Loader=CoreLoader)


def dump(path, doc):
    with open(path, "w", encoding="utf-8") as f:
        yaml.safe_dump(doc, f, sort_keys=False, allow_unicode=True, width=1000)


def props(c):
    for o in c.get("schema") or []:
        for p in o.get("properties") or []:
            yield p


def sla(c, name):
    return next((e for e in c.get("slaProperties") or [] if str(e.get("property")).lower() == name), None)


def mutate_contract(c, rng, domains):
    changed = False
    for p in props(c):
        pii = "pii" in (p.get("tags") or [])
        if pii:
            r = rng.random()
            if r < 0.05:  # privacy.piiMasking: no strategy
                p["customProperties"] = [x for x in p.get("customProperties") or [] if x.get("property") != "anonymizationStrategy"]
                changed = True
            elif r < 0.07:  # privacy.piiMasking: strategy none
                for x in p.get("customProperties") or []:
                    if x.get("property") == "anonymizationStrategy":
                        x["value"] = "none"
                changed = True
            elif r < 0.10:  # still pii: the tag in another case
                p["tags"] = ["PII"]
                changed = True
        elif rng.random() < 0.01:  # pii by tag alone, with no strategy: fails piiMasking
            p["tags"] = (p.get("tags") or []) + ["Pii"]
            changed = True
        if p.get("criticalDataElement"):
            rule = next((q for q in p.get("quality") or [] if q.get("metric") == "nullValues"), None)
            r = rng.random()
            if rule is not None and r < 0.04:  # quality.cdeCompleteness: 90%
                rule["mustBeLessThan"] = 10
                changed = True
            elif rule is not None and r < 0.06:  # exactly 95%, inclusive: passes
                rule.pop("mustBeLessThan", None)
                rule["mustBeLessOrEqualTo"] = 5
                changed = True
            elif rule is not None and r < 0.08:  # no null rows at all: 100%
                rule.pop("mustBeLessThan", None)
                rule["mustBe"] = 0
                rule["unit"] = "rows"
                changed = True
            elif rule is not None and r < 0.10:  # rows, but some allowed: no guarantee, 0%
                rule.pop("mustBeLessThan", None)
                rule["mustBeLessOrEqualTo"] = 3
                rule["unit"] = "rows"
                changed = True
            elif rule is not None and r < 0.12:  # between: the upper bound counts (97%)
                rule.pop("mustBeLessThan", None)
                rule["mustBeBetween"] = [0, 3]
                changed = True
            elif r < 0.14:  # no quality at all
                p.pop("quality", None)
                changed = True
        elif rng.random() < 0.005:  # a new critical data element with no rule
            p["criticalDataElement"] = True
            changed = True
    r = rng.random()
    if r < 0.03:  # quality.contractPurpose
        c["description"] = {"purpose": "Short."}
        changed = True
    elif r < 0.05:  # long only with its spaces: 17 characters trimmed
        c["description"] = {"purpose": "   tiny purpose ok   "}
        changed = True
    elif r < 0.07:
        c.pop("description", None)
        changed = True
    elif r < 0.08:  # exactly 20 characters
        c["description"] = {"purpose": "twenty chars exactly"}
        changed = True
    ret = sla(c, "retention")
    r = rng.random()
    if ret is not None and r < 0.04:  # privacy.piiRetention: 13 months = 390 days
        ret["value"], ret["unit"] = 13, "mo"
        changed = True
    elif ret is not None and r < 0.07:  # exactly 365 days, in hours
        ret["value"], ret["unit"] = 8760, "h"
        changed = True
    elif ret is not None and r < 0.09:  # 1.5 years
        ret["value"], ret["unit"] = 1.5, "y"
        changed = True
    elif ret is not None and r < 0.12:  # no element: fails, unless slaDefaultElement names one
        element = ret.pop("element", None)
        if element is not None and rng.random() < 0.5:
            c["slaDefaultElement"] = element
        changed = True
    elif ret is not None and r < 0.14:  # no retention at all
        c["slaProperties"] = [e for e in c["slaProperties"] if e is not ret]
        changed = True
    lat = sla(c, "latency")
    r = rng.random()
    if lat is not None and r < 0.08:  # sla.criticalFreshness: 12 hours
        lat["value"], lat["unit"] = 12, "h"
        changed = True
    elif lat is not None and r < 0.10:  # 360 minutes: exactly 6 h
        lat["value"], lat["unit"] = 360, "min"
        changed = True
    elif lat is not None and r < 0.13:  # no freshness SLA
        c["slaProperties"] = [e for e in c["slaProperties"] if e is not lat]
        changed = True
    for role in c.get("roles") or []:
        cps = role.get("customProperties") or []
        doms = next((x for x in cps if x.get("property") == "domains"), None)
        pii = next((x for x in cps if x.get("property") == "pii"), None)
        r = rng.random()
        if doms is not None and r < 0.05:  # access.crossDomainGrant: the consumer's domain is gone
            doms["value"] = [d for d in domains if d not in doms["value"]][:1]
            changed = True
        elif pii is not None and r < 0.15:  # access.piiGrant
            pii["value"] = False
            changed = True
        elif doms is not None and r < 0.25:  # access.restrictedSpread: three more domains
            doms["value"] = list(doms["value"]) + rng.sample([d for d in domains if d not in doms["value"]], 3)
            changed = True
        elif doms is not None and r < 0.27:  # a single domain as a string, not a list
            doms["value"] = doms["value"][0] if doms["value"] else domains[0]
            changed = True
    return changed


def mutate_product(p, rng):
    changed = False
    r = rng.random()
    if r < 0.3:
        p["tags"] = ["critical"]
        changed = True
    elif r < 0.33:
        p["tags"] = ["Critical"]  # not `critical`
        changed = True
    team = p.get("team")
    r = rng.random()
    if team and r < 0.03:  # ownership.productContact: no owner
        for m in team.get("members") or []:
            m["role"] = "data steward"
        changed = True
    elif team and r < 0.06:  # an owner in another case: passes
        for m in team.get("members") or []:
            if m.get("role") == "owner":
                m["role"] = "Owner"
        changed = True
    elif team and r < 0.08:  # an owner without an e-mail
        for m in team.get("members") or []:
            if m.get("role") == "owner":
                m["username"] = m["username"].split("@")[0]
        changed = True
    elif team and r < 0.10:  # no team
        p.pop("team")
        changed = True
    return changed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mesh")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    root = os.path.join(args.mesh, "domains")
    domains = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)))
    n = 0
    for d in domains:
        for folder, fn in (("contracts", mutate_contract), ("products", mutate_product)):
            sub = os.path.join(root, d, folder)
            if not os.path.isdir(sub):
                continue
            for name in sorted(os.listdir(sub)):
                path = os.path.join(sub, name)
                rng = random.Random(f"{args.seed}:{d}/{folder}/{name}")
                doc = load(path)
                if fn is mutate_contract:
                    changed = fn(doc, rng, domains)
                else:
                    changed = fn(doc, rng)
                if changed:
                    dump(path, doc)
                    n += 1
    print(f"mutated {n} files", file=sys.stderr)


if __name__ == "__main__":
    main()
