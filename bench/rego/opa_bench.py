#!/usr/bin/env python3
"""Time OPA on bench/rego/policies.rego over the document export_input.py wrote.

    python3 bench/rego/opa_bench.py INPUT.json [--runs 5] [--findings OUT.json]

Uses OPA's Go library embedded through `opa-golib-python-bindings` (module `opa_bindings`,
a ctypes wrapper around a Go c-shared library: the Rego engine is OPA's own, in-process).
Prints, best of --runs each:

- eval, data preloaded: the document is put into OPA's store once (`add_data`, timed apart),
  then `data.steward.seed.findings` is evaluated with no input; the evaluation reads the
  stored document. OPA keeps stored data as Go values and converts what a query touches into
  Rego values lazily, during each evaluation: that conversion is in this figure.
- eval, data compiled: the document is added as a Rego module (`package steward_input`, one
  rule per top-level key, the JSON as Rego terms), so it is parsed and compiled once (timed
  apart, with the first evaluation) and evaluation reads compiled Rego values: evaluation only,
  as far as the binding's API allows.
- eval with input: the query is evaluated with the document as `input`, passed as the raw
  JSON bytes of the file (read once beforehand): each run parses the 60 MB of JSON in Go and
  converts it to Rego values, then evaluates. This is "including input load" (no Python
  serialization in it).

The first evaluation of a query also compiles and prepares it (reported apart); the bindings
cache the prepared query, so the timed runs do not compile. Writes the findings of the last
run to --findings as {policy id: [target id, ...]}.
"""

import argparse
import json
import sys
import time
from pathlib import Path

from opa_bindings import OpaEngine
from opa_bindings import engine as opa_engine

QUERY = "steward.seed.findings"


def best(fn, runs):
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), times, result


def eval_raw_input(eng, raw):
    """eval_document with input given as JSON bytes as they are: the public API would
    json.dumps a Python object first, which is Python's cost, not OPA's."""
    with eng._eval_lock:
        eng._eval_reset()
        rs = eng._eval_result(eng._call(eng._lib.OpaEvalDocument, opa_engine._cstr(QUERY), raw, 0, 0))
    return rs[0]["expressions"][0]["value"]


def fmt(times):
    return ", ".join(f"{t * 1000:.0f}" for t in times)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input", help="the document export_input.py wrote")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--findings", help="write the findings here")
    ap.add_argument("--policy", default=str(Path(__file__).with_name("policies.rego")))
    ap.add_argument("--once", action="store_true", help="evaluate once with the input and write the findings; no timing")
    args = ap.parse_args()

    raw = Path(args.input).read_bytes()
    policy = Path(args.policy).read_text()
    if args.once:
        eng = OpaEngine()
        eng.add_policy("policies.rego", policy)
        findings = eval_raw_input(eng, raw)
        if args.findings:
            Path(args.findings).write_text(json.dumps({k: sorted(v) for k, v in findings.items()}, indent=1) + "\n")
        return
    t0 = time.perf_counter()
    doc = json.loads(raw)
    t_json = time.perf_counter() - t0
    print(f"input: {len(raw) / 1e6:.1f} MB of JSON (Python json.loads {t_json * 1000:.0f} ms, not part of OPA's figures)")

    # 1. Preloaded: the store holds the document; evaluation only.
    eng = OpaEngine()
    eng.add_policy("policies.rego", policy)
    t0 = time.perf_counter()
    eng.add_data(doc, path="steward_input")
    t_add = time.perf_counter() - t0
    t0 = time.perf_counter()
    eng.eval_document(QUERY)
    t_first = time.perf_counter() - t0
    b_pre, times_pre, findings = best(lambda: eng.eval_document(QUERY), args.runs)
    print(f"OPA, data preloaded: add_data {t_add * 1000:.0f} ms (Python json.dumps + Go parse + store write); "
          f"first eval (compile + prepare + eval) {t_first * 1000:.0f} ms")
    print(f"OPA eval, data preloaded: best {b_pre * 1000:.0f} ms of {args.runs} ({fmt(times_pre)})")
    eng.close()

    # 2. Compiled: the document as Rego terms in a module at the same path, data.steward_input.
    module = "package steward_input\n\n" + "".join(f"{k} := {json.dumps(v, ensure_ascii=False)}\n" for k, v in doc.items())
    del doc
    eng = OpaEngine()
    eng.add_policy("policies.rego", policy)
    t0 = time.perf_counter()
    eng.add_policy("steward_input.rego", module)
    del module
    eng.eval_document(QUERY)
    t_compile = time.perf_counter() - t0
    b_comp, times_comp, findings_comp = best(lambda: eng.eval_document(QUERY), args.runs)
    print(f"OPA, data compiled: parse, compile and first eval {t_compile * 1000:.0f} ms")
    print(f"OPA eval, data compiled: best {b_comp * 1000:.0f} ms of {args.runs} ({fmt(times_comp)})")
    eng.close()

    # 3. Input per evaluation: parse + convert + evaluate.
    eng = OpaEngine()
    eng.add_policy("policies.rego", policy)
    t0 = time.perf_counter()
    eval_raw_input(eng, raw)
    t_first = time.perf_counter() - t0
    b_in, times_in, findings_in = best(lambda: eval_raw_input(eng, raw), args.runs)
    print(f"OPA eval with input (JSON parse included): first {t_first * 1000:.0f} ms; "
          f"best {b_in * 1000:.0f} ms of {args.runs} ({fmt(times_in)})")
    eng.close()

    norm = {k: sorted(v) for k, v in findings.items()}
    for other in (findings_comp, findings_in):
        if norm != {k: sorted(v) for k, v in other.items()}:
            print("error: the three ways of evaluating gave different findings", file=sys.stderr)
            sys.exit(1)
    if args.findings:
        Path(args.findings).write_text(json.dumps(norm, indent=1) + "\n")
    print(f"RESULT eval_ms={b_pre * 1000:.0f} eval_with_input_ms={b_in * 1000:.0f} eval_compiled_ms={b_comp * 1000:.0f}")


if __name__ == "__main__":
    main()
