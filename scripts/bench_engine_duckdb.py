#!/usr/bin/env python3
"""The DuckDB reference for scripts/bench_engine.sh: the same work as the embedded engine on
the mesh written by scripts/gen_engine_bench.py, in one DuckDB database file.

    python3 scripts/bench_engine_duckdb.py MESH_DIR DB_FILE

1. load the CSV source, typed as its contract says, into a table (as the engine loads a source)
2. run the product's transform into a staging table
3. purge the rows older than the 3-year retention at 2026-06-30 (1095 days, as the engine counts)
4. check required columns and the quality rule (email nulls < 5 percent)
5. write the published table with email hashed (SHA-256 of salt and value) and full_name redacted
6. verify: no published email equals its unmasked value; count rows

Prints the row counts and the seconds of each step.
"""

import os
import sys
import time

import duckdb


def main():
    mesh, db = sys.argv[1], sys.argv[2]
    csv = os.path.join(mesh, "domains", "bench", "sources", "customers.csv")
    transform = open(os.path.join(mesh, "domains", "bench", "transforms", "customer_master.sql")).read()
    salt = os.environ.get("STEWARD_MASKING_SALT", "bench-salt-0123456789abcdef")
    for suffix in ("", ".wal"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    con = duckdb.connect(db)
    steps = []
    t = time.perf_counter()

    def step(name):
        nonlocal t
        now = time.perf_counter()
        steps.append((name, now - t))
        t = now

    con.execute(f"""
        CREATE TABLE customers AS SELECT * FROM read_csv('{csv}', header = true, columns = {{
            'customer_id': 'BIGINT', 'email': 'VARCHAR', 'full_name': 'VARCHAR', 'country': 'VARCHAR',
            'amount': 'DOUBLE', 'signup_ts': 'VARCHAR'}})""")
    loaded = con.execute("SELECT count(*) FROM customers").fetchone()[0]
    step("load source")
    con.execute(f"CREATE TEMP TABLE stage AS {transform}")
    step("transform")
    cutoff = "2023-07-01T00:00:00"  # 2026-06-30 minus 1095 days
    purged = con.execute(f"DELETE FROM stage WHERE signup_ts IS NOT NULL AND substr(signup_ts, 1, 19) < '{cutoff}'").fetchone()[0]
    step("retention")
    rows, id_nulls, ts_nulls, email_nulls = con.execute(
        "SELECT count(*), count(*) - count(customer_id), count(*) - count(signup_ts), count(*) - count(email) FROM stage").fetchone()
    assert id_nulls == 0 and ts_nulls == 0 and 100.0 * email_nulls / rows < 5
    step("checks")
    con.execute(f"""
        CREATE TABLE customer_master AS SELECT customer_id, sha256('{salt}' || email) AS email,
            CASE WHEN full_name IS NULL THEN NULL ELSE '[redacted]' END AS full_name, country, amount, signup_ts
        FROM stage""")
    step("mask and write")
    leaks = con.execute("""SELECT count(*) FROM customer_master m POSITIONAL JOIN stage s
                           WHERE m.email = s.email OR m.full_name = s.full_name""").fetchone()[0]
    assert leaks == 0
    step("verify")
    con.close()
    step("close")
    print(f"duckdb {duckdb.__version__}: loaded {loaded}, purged {purged}, published {rows}")
    for name, s in steps:
        print(f"  {name:15s} {s:7.3f} s")
    print(f"  {'total':15s} {sum(s for _, s in steps):7.3f} s")


if __name__ == "__main__":
    main()
