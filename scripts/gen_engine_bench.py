#!/usr/bin/env python3
"""Write the mesh scripts/bench_engine.sh materializes: one source of N customer rows (CSV)
and one product whose contract masks personal data, checks a quality rule and purges rows
past a 3-year retention.

    python3 scripts/gen_engine_bench.py OUT [--rows N]     # default N = 1,000,000

Deterministic (fixed seed). The data spans 2019-01-01 .. 2026-06-29, so about 45% of the rows
are older than the retention at the pinned as-of date 2026-06-30.
"""

import argparse
import datetime as dt
import os
import random

FIRST = ["Ada", "Linus", "Grace", "Alan", "Maria", "Tom", "Chloe", "Hanna", "Zoe", "Noah", "Liam", "Emma"]
LAST = ["Lovelace", "Torvalds", "Hopper", "Turing", "Rossi", "Becker", "Taylor", "Janssens", "Martin", "Dupont"]
COUNTRIES = ["FR", "DE", "NL", "ES", "IT", "GB", "BE", "SE", "PL", "US"]

STEWARD = """apiVersion: steward/v1
kind: Mesh
name: engine-bench
"""

DOMAIN = """apiVersion: steward/v1
kind: Domain
name: bench
owners:
  team: bench
  members: [bench@acme.example]
"""

SOURCE = """apiVersion: v3.1.0
kind: DataContract
id: bench.customers_raw
name: customers_raw
version: 1.0.0
status: active
domain: bench
servers:
  - server: export
    type: local
    path: sources/customers.csv
    format: csv
schema:
  - name: customers
    physicalType: table
    properties:
      - {name: customer_id, logicalType: integer, required: true}
      - {name: email, logicalType: string}
      - {name: full_name, logicalType: string}
      - {name: country, logicalType: string}
      - {name: amount, logicalType: number}
      - {name: signup_ts, logicalType: timestamp, required: true}
"""

OUTPUT = """apiVersion: v3.1.0
kind: DataContract
id: bench.customer_master
name: customer_master
version: 1.0.0
status: active
domain: bench
schema:
  - name: customer_master
    physicalType: table
    properties:
      - {name: customer_id, logicalType: integer, required: true}
      - name: email
        logicalType: string
        classification: restricted
        tags: [pii]
        customProperties: [{property: anonymizationStrategy, value: hash}]
        quality:
          - {type: library, metric: nullValues, mustBeLessThan: 5, unit: percent, dimension: completeness}
      - name: full_name
        logicalType: string
        classification: confidential
        tags: [pii]
        customProperties: [{property: anonymizationStrategy, value: redact}]
      - {name: country, logicalType: string}
      - {name: amount, logicalType: number}
      - {name: signup_ts, logicalType: timestamp, required: true}
slaProperties:
  - {property: retention, value: 3, unit: y, element: customer_master.signup_ts}
"""

PRODUCT = """apiVersion: v1.0.0
kind: DataProduct
id: bench.customer_master
name: customer_master
domain: bench
status: active
inputPorts:
  - {name: customers, version: 1.0.0, contractId: bench.customers_raw}
outputPorts:
  - {name: customer_master, version: 1.0.0, contractId: bench.customer_master}
"""

TRANSFORM = """SELECT
    customer_id,
    LOWER(TRIM(email)) AS email,
    full_name,
    UPPER(country)     AS country,
    ROUND(amount, 2)   AS amount,
    signup_ts
FROM customers
WHERE customer_id IS NOT NULL
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--rows", type=int, default=1_000_000)
    args = ap.parse_args()
    d = os.path.join(args.out, "domains", "bench")
    write(os.path.join(args.out, "steward.yaml"), STEWARD)
    write(os.path.join(d, "domain.yaml"), DOMAIN)
    write(os.path.join(d, "contracts", "customers_raw.odcs.yaml"), SOURCE)
    write(os.path.join(d, "contracts", "customer_master.odcs.yaml"), OUTPUT)
    write(os.path.join(d, "products", "customer_master.odps.yaml"), PRODUCT)
    write(os.path.join(d, "transforms", "customer_master.sql"), TRANSFORM)
    rnd = random.Random(42)
    start = dt.datetime(2019, 1, 1)
    span = int((dt.datetime(2026, 6, 29) - start).total_seconds())
    os.makedirs(os.path.join(d, "sources"), exist_ok=True)
    with open(os.path.join(d, "sources", "customers.csv"), "w", encoding="utf-8", newline="") as f:
        f.write("customer_id,email,full_name,country,amount,signup_ts\n")
        lines = []
        for i in range(1, args.rows + 1):
            first, last = rnd.choice(FIRST), rnd.choice(LAST)
            email = "" if rnd.random() < 0.01 else f"{first.lower()}.{last.lower()}{i}@example.com"
            ts = (start + dt.timedelta(seconds=rnd.randrange(span))).strftime("%Y-%m-%dT%H:%M:%SZ")
            name = f'"{last}, {first}"' if i % 10 == 0 else f"{first} {last}"
            lines.append(f"{i},{email},{name},{rnd.choice(COUNTRIES).lower()},{rnd.randrange(100, 100000) / 100},{ts}\n")
            if len(lines) == 10000:
                f.writelines(lines)
                lines = []
        f.writelines(lines)


if __name__ == "__main__":
    main()
