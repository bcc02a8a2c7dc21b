"""Fuzz benchmark: mutated and generated specs through `check`, `fmt` and `compile`, in-process.

Each case is one text, made from a seeded random generator (same seed, same cases):

- a mutation of an example spec (specs/*.qlc): characters deleted, tokens and stray characters
  inserted, spans swapped, duplicated or cut off — one to six edits;
- a generated shape: brackets of every kind nested up to 3,000 deep, one long line (a list of up to
  2,000 items), up to 500 broken lines, random token soup from the grammar's words, or random bytes
  decoded as text. Shapes stay under about 25 kB, so that a case measures robustness, not size: how
  time grows with size, up to 10 MB, is benchmarks/frontend.py --scaling.

Every case goes through `check_text`, `format_text` (and, when it formats, a second format that must
give the same text) and, when it checks clean, code generation for its target. A crash is any exception
escaping the front end; a slow case is one taking over 1 s of wall-clock time (`slow_cases`). On a shared
machine the wall clock also counts other processes' turns, so the CPU time this process spent on each
case is reported beside it (`slow_cases_cpu`, `max_case_s`, `max_case_cpu_s`), with the load average
before and after. With --json it prints one object: `cases`, `seconds`, `cases_per_s`, `crashes`,
`slow_cases` and those, `seed`, and the first few crashing and slow cases (each shortened) so they can
be replayed. Different seeds give different cases: a long run can be made of chunks, one seed each.

Usage:  python benchmarks/fuzz.py [--cases N] [--seed S] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # running from a source checkout without an install
    sys.path.insert(0, str(ROOT))

SLOW_S = 1.0
SPECS = sorted((ROOT / "specs").glob("*.qlc"))
TOKENS = [
    "pipeline",
    "stage",
    "data",
    "model",
    "from",
    "sweep",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ":",
    "=",
    "+",
    "\n",
    '"',
    "//",
    "\\",
    "none",
    "true",
    "false",
    "kJ",
    "J",
    "%",
    "gCO2e/kWh",
    "1e999",
    "-1",
    "0.5",
    "µs",
    "curate",
    "encode",
    "method",
    "baseline",
    "budget",
    "quantum_kmeans",
    "kmeans",
    "clusters",
    "x" * 300,
]
STRAY = [
    "\x00",
    "\r",
    "\x7f",
    "\ufeff",
    "\u2028",
    "\t",
    "é",
    "😀",
    "数",
    "\x0b",
    "\x85",
    "/",
    "*",
    ";",
    "#",
    "'",
    "\u0301",
    "\u200d",
]
OPENERS = ["[", "f(", "f(a: ", "[f(", "sweep(", "quantum_kmeans(clusters: "]
CLOSERS = {"[": "]", "f(": ")", "f(a: ": ")", "[f(": ")]", "sweep(": ")", "quantum_kmeans(clusters: ": ")"}


def _sources() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in SPECS] or ["pipeline p {\n  seed 7\n}\n"]


def mutate(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 6)):
        n = len(text)
        i = rng.randint(0, n)
        j = rng.randint(i, min(n, i + 12))
        op = rng.choice(("delete", "insert", "stray", "swap", "truncate", "duplicate"))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + rng.choice(TOKENS) + text[i:]
        elif op == "stray":
            text = text[:i] + rng.choice(STRAY) + text[i:]
        elif op == "swap":
            k = rng.randint(0, n)
            a, b = sorted((i, k))
            if a < b < n:
                text = text[:a] + text[b] + text[a + 1 : b] + text[a] + text[b + 1 :]
        elif op == "truncate":
            text = text[:i]
        else:
            text = text[:i] + text[i:j] + text[i:]
    return text


def _deep(rng: random.Random) -> str:
    opener = rng.choice(OPENERS)
    depth = rng.choice((10, 100, 1_000, 3_000))
    closed = rng.random() < 0.7
    inner = opener * depth + "1" + (CLOSERS[opener] * depth if closed else "")
    return f"pipeline p {{\n  seed {inner}\n}}\n"


def _long_line(rng: random.Random) -> str:
    n = rng.choice((10, 100, 1_000, 2_000))
    item = rng.choice(("1", '"x"', "2 kJ", "kmeans", "f(a: 1)", "数据"))
    return "pipeline p {  seed [" + ", ".join([item] * n) + "] }\n"


def _many_errors(rng: random.Random) -> str:
    n = rng.choice((10, 100, 500))
    line = rng.choice(("  seed = 7\n", "  x 'a'\n", "  stage curate s {\n", "  budget 2 kJ +\n", "  #\n", "  )\n"))
    return "pipeline p {\n" + line * n + "}\n"


def _soup(rng: random.Random) -> str:
    return " ".join(rng.choice(TOKENS + STRAY) for _ in range(rng.randint(1, 200)))


def _bytes(rng: random.Random) -> str:
    return bytes(rng.randrange(256) for _ in range(rng.randint(0, 300))).decode("utf-8", "replace")


GENERATORS = (_deep, _long_line, _many_errors, _soup, _bytes)


def case(rng: random.Random, sources: list[str]) -> str:
    """One fuzz input: mostly mutated examples (where bugs hide), sometimes a generated shape."""
    if rng.random() < 0.85:
        return mutate(rng, rng.choice(sources))
    return rng.choice(GENERATORS)(rng)


def run_case(text: str) -> None:
    """check, fmt (twice: it must be idempotent) and compile one text; raises on a front-end bug."""
    from qlang.build import check_for_compile, module_source
    from qlang.diagnostics import Source, render, to_json
    from qlang.syntax.printer import format_text

    path = ROOT / "specs" / "fuzz.qlc"
    result = check_for_compile(text, path, None)
    source = Source(text, "fuzz.qlc")
    for d in result.diagnostics[:50]:  # what `qlc check` prints
        render(d, source)
        to_json(d, source)
    _, formatted = format_text(text)
    if formatted is not None:
        _, again = format_text(formatted)
        if again != formatted:
            raise AssertionError("fmt is not idempotent")
    if result.ok:
        module_source(result, text, path, ROOT / "generated")


def fuzz(cases: int, seed: int = 0, slow_s: float = SLOW_S) -> dict:
    rng = random.Random(seed)
    sources = _sources()
    from qlang import build
    from qlang.checks import check_text

    check_text(sources[0])  # warm: build the parser and import what compile needs
    del build
    crashes: list[dict] = []
    slow: list[dict] = []
    slow_cpu = 0
    max_wall = max_cpu = 0.0
    load_before = _load()
    t_start = time.perf_counter()
    for i in range(cases):
        text = case(rng, sources)
        t0 = time.perf_counter()
        c0 = time.process_time()
        try:
            run_case(text)
        except Exception as e:  # noqa: BLE001 - any exception escaping the front end is what we count
            crashes.append(
                {
                    "case": i,
                    "error": f"{type(e).__name__}: {e}"[:300],
                    "text": text[:300],
                    "where": traceback.format_exc().splitlines()[-3][:200],
                }
            )
        took = time.perf_counter() - t0
        cpu = time.process_time() - c0
        max_wall, max_cpu = max(max_wall, took), max(max_cpu, cpu)
        slow_cpu += cpu > slow_s
        if took > slow_s:
            slow.append(
                {"case": i, "seconds": round(took, 3), "cpu_s": round(cpu, 3), "chars": len(text), "text": text[:120]}
            )
    seconds = time.perf_counter() - t_start
    return {
        "cases": cases,
        "seconds": round(seconds, 2),
        "cases_per_s": round(cases / seconds, 1) if seconds else None,
        "crashes": len(crashes),
        "slow_cases": len(slow),
        "slow_cases_cpu": slow_cpu,
        "max_case_s": round(max_wall, 3),
        "max_case_cpu_s": round(max_cpu, 3),
        "load_average": {"before": load_before, "after": _load()},
        "seed": seed,
        "crash_examples": crashes[:5],
        "slow_examples": slow[:5],
    }


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", type=int, default=2_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    out = fuzz(args.cases, args.seed)
    if args.json:
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print(
            f"{out['cases']} cases in {out['seconds']} s ({out['cases_per_s']}/s): "
            f"{out['crashes']} crashes, {out['slow_cases']} over {SLOW_S} s "
            f"({out['slow_cases_cpu']} over {SLOW_S} s of CPU; slowest {out['max_case_s']} s, "
            f"{out['max_case_cpu_s']} s of CPU; load {out['load_average']})"
        )
        for c in out["crash_examples"]:
            print(f"  case {c['case']}: {c['error']}\n    at {c['where']}\n    {c['text']!r}")
        for c in out["slow_examples"]:
            print(f"  slow case {c['case']}: {c['seconds']} s, {c['chars']} chars: {c['text']!r}")
    return 1 if out["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())
