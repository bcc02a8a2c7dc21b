"""Language-server benchmark: latency of `qlc lsp` through a real LSP client over stdio (pygls').

On a 50-line spec and a 1,000-stage spec (both from benchmarks/frontend.py's generator), it measures

  1. didChange → publishDiagnostics: the time from sending a whole-document change to receiving the
     diagnostics, debounce included, for two edits: one digit of the pipeline's `seed` changed (the
     length stays), and a digit typed and deleted in the first stage's method (everything after it
     moves: the worst place for the server's re-parse of the edited statement);
  2. completion: a request at `method |` inside a stage (methods of that stage's kind);
  3. hover: a request on a method's name;

and reports p50_ms (and p95_ms) of each against the goals: p50 ≤ 50 ms on the small spec, ≤ 300 ms on
the large one. The server runs in its own process; the client in this one.

Usage:  python benchmarks/lsp.py [--repeat R] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for extra in (ROOT, ROOT / "tests" / "lsp", ROOT / "benchmarks"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

GOALS_MS = {"small": 50.0, "large": 300.0}
KINDS = ("did_change_to_diagnostics", "did_change_insert_to_diagnostics", "completion", "hover")
SIZES = {"small": 7, "large": 1_000}  # stages: 7 stages make a spec of about 50 lines


def _position(text: str, offset: int):
    from lsprotocol import types as t

    return t.Position(text.count("\n", 0, offset), offset - (text.rfind("\n", 0, offset) + 1))


def _stats(samples: list[float]) -> dict:
    ms = sorted(s * 1000 for s in samples)
    return {
        "p50_ms": round(statistics.median(ms), 2),
        "p95_ms": round(ms[round(0.95 * (len(ms) - 1))], 2),
        "n": len(ms),
    }


def measure(session, name: str, text: str, repeat: int) -> dict:
    from lsprotocol import types as t

    uri = f"file:///bench/{name}.qlc"
    session.open(uri, text)
    doc = t.TextDocumentIdentifier(uri)
    edited = text.replace("seed 7", "seed 8", 1)
    change = []
    for i in range(repeat):
        t0 = time.perf_counter()
        session.change(uri, edited if i % 2 == 0 else text)
        change.append(time.perf_counter() - t0)
    typed = text.replace("(clusters: ", "(clusters: 1", 1)
    insert = []
    for i in range(repeat):
        t0 = time.perf_counter()
        session.change(uri, typed if i % 2 == 0 else text)
        insert.append(time.perf_counter() - t0)
    at_method = text.index("method ") + len("method ")
    completion = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        got = session.request("text_document_completion_async", t.CompletionParams(doc, _position(text, at_method)))
        completion.append(time.perf_counter() - t0)
    assert got.items, "completion found nothing"
    hover = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        got = session.request("text_document_hover_async", t.HoverParams(doc, _position(text, at_method + 1)))
        hover.append(time.perf_counter() - t0)
    assert got is not None, "hover found nothing"
    return {
        "lines": text.count("\n"),
        "bytes": len(text.encode()),
        "did_change_to_diagnostics": _stats(change),
        "did_change_insert_to_diagnostics": _stats(insert),
        "completion": _stats(completion),
        "hover": _stats(hover),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=21)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from frontend import generate
    from lsp_client import Session

    session = Session(timeout=600)
    try:
        out = {name: measure(session, name, generate(stages), args.repeat) for name, stages in SIZES.items()}
    finally:
        session.close()
    for name, r in out.items():
        r["goal_p50_ms"] = GOALS_MS[name]
        r["pass"] = all(r[k]["p50_ms"] <= GOALS_MS[name] for k in KINDS)
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for name, r in out.items():
            print(f"{name}: {r['lines']} lines, {r['bytes'] / 1e3:.0f} kB (goal p50 ≤ {r['goal_p50_ms']:.0f} ms)")
            for k in KINDS:
                print(f"  {k:<35} p50 {r[k]['p50_ms']:8.1f} ms   p95 {r[k]['p95_ms']:8.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
