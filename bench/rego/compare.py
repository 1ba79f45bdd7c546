#!/usr/bin/env python3
"""Compare the findings of Steward (`steward lint --format json`) with OPA's (opa_bench.py).

    python3 bench/rego/compare.py STEWARD.json OPA_FINDINGS.json

A Steward finding is a diagnostic whose id is a policy id; its target is in the note
`target: <id>`. Prints the failing (policy, target) pairs per policy from both, and up to five
targets that only one of them reports. Exits 1 when the sets differ.
"""

import json
import sys

# The policies of bench/rego/policies.rego: every seed policy except the change policies.
POLICIES = [
    "access.crossDomainGrant", "access.piiGrant", "access.restrictedSpread", "ownership.productContact",
    "privacy.piiMasking", "privacy.piiRetention", "quality.cdeCompleteness", "quality.contractPurpose",
    "sla.criticalFreshness",
]


def steward_pairs(path):
    with open(path, encoding="utf-8") as f:
        report = json.load(f)
    pairs, other = {p: set() for p in POLICIES}, {}
    for d in report["diagnostics"]:
        target = next((n[len("target: "):] for n in d.get("notes", []) if n.startswith("target: ")), None)
        if d["id"] in pairs and target is not None:
            pairs[d["id"]].add(target)
        else:
            other[d["id"]] = other.get(d["id"], 0) + 1
    return pairs, other


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.split("\n\n")[1])
    steward, other = steward_pairs(sys.argv[1])
    with open(sys.argv[2], encoding="utf-8") as f:
        opa = {p: set(ids) for p, ids in json.load(f).items()}
    differ = False
    print(f"{'policy':28} {'steward':>8} {'OPA':>8}")
    for p in POLICIES:
        s, o = steward[p], opa.get(p, set())
        mark = "" if s == o else "   DIFFER"
        differ |= s != o
        print(f"{p:28} {len(s):8} {len(o):8}{mark}")
        for label, only in (("only Steward", s - o), ("only OPA", o - s)):
            if only:
                print(f"    {label}: {len(only)}, e.g. {', '.join(sorted(only)[:5])}")
    print(f"{'total':28} {sum(map(len, steward.values())):8} {sum(map(len, opa.values())):8}")
    if other:
        print("other Steward diagnostics (not findings of these policies):",
              ", ".join(f"{k} x{v}" for k, v in sorted(other.items())))
    print("findings: " + ("DIFFER" if differ else "the same (policy, target) pairs"))
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
