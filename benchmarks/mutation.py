"""Mutation testing of qlang's core modules: how many small deliberate bugs do the tests catch?

    python benchmarks/mutation.py                 # a table: module, mutants, killed, killed_fraction
    python benchmarks/mutation.py --json          # one JSON object, killed_fraction per module
    python benchmarks/mutation.py --module energy/qpu.py --max 20

Why not mutmut or cosmic-ray: mutmut 3 runs the tests against a copy of the sources in ./mutants with its
own trampolines, and qlang's layout defeats that copy (the grammar is the top-level folder grammar/ installed
as the package data `qlang.grammar` through a package-dir mapping, and the worktree venvs import qlang through
setuptools' editable finder); cosmic-ray needs a session database and a config per module. Both also mutate
far more than the few functions named here, on two shared cores. So this is a small AST mutator, documented:

- operators (each applied to one node at a time): arithmetic + <-> -, * <-> /, // -> /, ** -> *; comparisons
  < <-> <=, > <-> >=, == <-> !=, in <-> not in, is <-> is not; `and` <-> `or`; `not x` -> `x`; unary minus
  dropped; a number n -> n + 1 (0.5 -> 1.5); True <-> False; `return x` -> `return None`; `x += y` -> `x -= y`;
- only inside the functions listed per module (all of the module when none are listed), skipping docstrings;
- each mutant is the module's own text with only the mutated node's operator, number or return value edited
  (the rest byte-identical, so line numbers, comments and golden files hold; the edited text must parse to
  the mutated tree), written into a scratch copy of the repository; the module's own test files run there
  (`pytest -x -q -n 0 -p no:randomly`); a mutant is killed when they fail (or hang past a timeout), survives
  when they pass;
- `--max N` samples N mutants per module with a fixed seed (the figures say how many were tried);
- a mutant listed in EQUIVALENT (no observable change, with the reason) is not run: it counts as
  `equivalent`, and killed_fraction = killed / (tried - equivalent).

The unmutated scratch copy must pass the module's tests first, or the module is reported as
`baseline_failed` and not scored.
"""

from __future__ import annotations

import argparse
import ast
import copy
import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# module (under qlang/) -> (functions to mutate, or () for all; the test files that should catch it)
TARGETS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "energy/qpu.py": ((), ("tests/energy/test_energy_qpu.py",)),
    "syntax/printer.py": ((), ("tests/frontend/test_frontend_printer.py", "tests/frontend/test_frontend_regressions.py")),
    "checks/values.py": ((), ("tests/frontend/test_frontend_golden.py", "tests/frontend/test_frontend_catalog.py")),
    # the verdict: the statistics (runtime/verdict.py) and how report.py pairs and words them
    "runtime/verdict.py": ((), ("tests/runtime/test_runtime_verdict.py", "tests/runtime/test_runtime_report.py")),
    "runtime/report.py": (
        ("_paired", "_raw_comparisons", "stage_comparisons", "quality_words", "verdict_sentence"),
        ("tests/runtime/test_runtime_verdict.py", "tests/runtime/test_runtime_report.py"),
    ),
    "runtime/methods/kernel.py": ((), ("tests/runtime/test_runtime_kernel.py",)),
    "runtime/qubo/model.py": ((), ("tests/runtime/test_runtime_qubo.py",)),
}

# Mutants that change no observable behaviour, so no test can kill them: (module, the mutated line stripped with
# the mutated node in ⟨ ⟩, the mutation) -> why. They are reported as `equivalent` and left out of killed_fraction.
EQUIVALENT: dict[tuple[str, str, str], str] = {
    ("syntax/printer.py", "self.leading(len(self.text) + ⟨1⟩, 0)", "1->+1"):
        "every comment starts inside the text, before len(text), so any bound past the end prints them all",
    ("syntax/printer.py", 'brace = self.text.find("{", (st.source_span or st.name_span).end) if self.text else ⟨-1⟩',
     "drop USub"):
        "only without the source text, where trailing() adds nothing and leading() up to offset 1 instead of the "
        "header's end differs only for a comment inside `stage kind name`, which cannot parse (a comment runs to "
        "the end of its line and the header must hold its `{`: Q001)",
    ("runtime/methods/kernel.py",
     "return float((gram.sum() - np.trace(gram)) / max(len(gram) * (len(gram) - 1), ⟨1⟩))", "1->+1"):
        "max(n(n - 1), 1) and max(n(n - 1), 2) differ only for n < 2, where the numerator (off-diagonal sum) is 0",
}

SWAPS = {
    ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult, ast.FloorDiv: ast.Div, ast.Pow: ast.Mult,
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq,
    ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.And: ast.Or, ast.Or: ast.And,
}


@dataclass(frozen=True)
class Mutant:
    index: int  # the node's position in ast.walk order
    kind: str
    line: int
    where: str = ""  # the line, stripped, with the mutated node in ⟨ ⟩ (tells apart mutants on one line)


def _in_scope(tree: ast.Module, functions: tuple[str, ...]) -> set[int]:
    """ids of the nodes that may be mutated: inside the named functions (or anywhere), never a docstring."""
    roots = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
             and (not functions or n.name in functions)] if functions else [tree]
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))
                  and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    return {id(n) for root in roots for n in ast.walk(root) if id(n) not in docstrings}


def _where(lines: list[str], node: ast.AST) -> str:
    if not lines:
        return ""
    text = lines[node.lineno - 1].encode("utf-8")
    end = node.end_col_offset if node.end_lineno == node.lineno else len(text)
    marked = text[: node.col_offset] + "⟨".encode() + text[node.col_offset : end] + "⟩".encode() + text[end:]
    return marked.decode("utf-8").strip()


def mutants_of(tree: ast.Module, functions: tuple[str, ...], source: str = "") -> list[Mutant]:
    scope = _in_scope(tree, functions)
    lines = source.splitlines()
    out = []
    for i, node in enumerate(ast.walk(tree)):
        if id(node) not in scope:
            continue
        line = getattr(node, "lineno", 0)
        where = _where(lines, node) if line else ""
        if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in SWAPS or isinstance(node, ast.BoolOp):
            out.append(Mutant(i, f"{type(node.op).__name__}->{SWAPS[type(node.op)].__name__}", line, where))
        elif isinstance(node, ast.Compare) and type(node.ops[0]) in SWAPS:
            out.append(Mutant(i, f"{type(node.ops[0]).__name__}->{SWAPS[type(node.ops[0])].__name__}", line, where))
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.Not, ast.USub)):
            out.append(Mutant(i, f"drop {type(node.op).__name__}", line, where))
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            out.append(Mutant(i, f"{node.value}->{not node.value}", line, where))
        elif isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            out.append(Mutant(i, f"{node.value!r}->+1", line, where))
        elif isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            out.append(Mutant(i, "return None", line, where))
    return out


class _Apply(ast.NodeTransformer):
    """The mutation on the tree: what the edited text must parse back to."""

    def __init__(self, target: ast.AST):
        self.target = target

    def visit(self, node):
        if node is not self.target:
            return self.generic_visit(node)
        if isinstance(node, (ast.BinOp, ast.AugAssign, ast.BoolOp)):
            node.op = SWAPS[type(node.op)]()
        elif isinstance(node, ast.Compare):
            node.ops[0] = SWAPS[type(node.ops[0])]()
        elif isinstance(node, ast.UnaryOp):
            return node.operand
        elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
            node.value = not node.value
        elif isinstance(node, ast.Constant):
            node.value = node.value + 1
        elif isinstance(node, ast.Return):
            node.value = ast.Constant(None)
        return node


_OP_TEXT = {
    ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Pow: "**",
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!=",
    ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not", ast.And: "and", ast.Or: "or",
}


class _Source:
    """The module's text with AST positions (line, UTF-8 byte column) turned into character offsets."""

    def __init__(self, text: str):
        self.text = text
        self.lines = text.splitlines(keepends=True)
        self.starts = [0]
        for line in self.lines:
            self.starts.append(self.starts[-1] + len(line))
        self.tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))

    def at(self, line: int, byte_col: int) -> int:
        return self.starts[line - 1] + len(self.lines[line - 1].encode("utf-8")[:byte_col].decode("utf-8"))

    def start(self, node: ast.AST) -> int:
        return self.at(node.lineno, node.col_offset)

    def end(self, node: ast.AST) -> int:
        return self.at(node.end_lineno, node.end_col_offset)

    def operator_span(self, lo: int, hi: int, op: type) -> tuple[int, int]:
        """The span of the operator `op` between two operands (skipping brackets, comments, line breaks)."""
        found = [(self.starts[t.start[0] - 1] + t.start[1], self.starts[t.end[0] - 1] + t.end[1])
                 for t in self.tokens
                 if t.type in (tokenize.OP, tokenize.NAME) and t.string not in "()"
                 and lo <= self.starts[t.start[0] - 1] + t.start[1] < hi]
        if found:
            return found[0][0], found[-1][1]
        # inside an f-string (one STRING token before Python 3.12): the operator's text in the gap
        word = re.search(r"\s+".join(re.escape(w) for w in _OP_TEXT[op].split()), self.text[lo:hi])
        return lo + word.start(), lo + word.end()


def _edits(src: _Source, node: ast.AST) -> list[tuple[int, int, str]]:
    """(start, end, replacement) character spans that apply the mutation to `node`; the rest stays as written."""
    if isinstance(node, ast.BinOp):
        return [(*src.operator_span(src.end(node.left), src.start(node.right), type(node.op)), _OP_TEXT[SWAPS[type(node.op)]])]
    if isinstance(node, ast.AugAssign):
        return [(*src.operator_span(src.end(node.target), src.start(node.value), type(node.op)),
                 _OP_TEXT[SWAPS[type(node.op)]] + "=")]
    if isinstance(node, ast.BoolOp):
        new = _OP_TEXT[SWAPS[type(node.op)]]
        return [(*src.operator_span(src.end(a), src.start(b), type(node.op)), new) for a, b in zip(node.values, node.values[1:])]
    if isinstance(node, ast.Compare):
        return [(*src.operator_span(src.end(node.left), src.start(node.comparators[0]), type(node.ops[0])),
                 _OP_TEXT[SWAPS[type(node.ops[0])]])]
    if isinstance(node, ast.UnaryOp):
        return [(src.start(node), src.end(node), "(" + src.text[src.start(node.operand):src.end(node.operand)] + ")")]
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        return [(src.start(node), src.end(node), repr(not node.value))]
    if isinstance(node, ast.Constant):
        return [(src.start(node), src.end(node), "(" + repr(node.value + 1) + ")")]
    if isinstance(node, ast.Return):
        return [(src.start(node.value), src.end(node.value), "None")]
    raise ValueError(f"no mutation for {type(node).__name__}")


def mutated_source(original: str, tree: ast.Module, mutant: Mutant) -> str:
    """`original` with only the mutated node's text changed (so golden files, line numbers and comments hold)."""
    src = _Source(original)
    text = original
    for start, end, new in sorted(_edits(src, list(ast.walk(tree))[mutant.index]), reverse=True):
        text = text[:start] + new + text[end:]
    expected = copy.deepcopy(tree)
    expected = _Apply(list(ast.walk(expected))[mutant.index]).visit(expected)
    if ast.dump(ast.parse(text)) != ast.dump(expected):
        raise ValueError(f"the text edit for {mutant} does not parse to the mutated tree")
    return text


def _scratch() -> Path:
    """A copy of the repository's sources, tests and data, where mutants are written."""
    work = Path(tempfile.mkdtemp(prefix="qlang-mutation-"))
    for name in ("qlang", "grammar", "tests", "specs", "generated", "docs", "pyproject.toml", "README.md"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, work / name, ignore=shutil.ignore_patterns("__pycache__", ".hypothesis"))
        elif src.exists():
            shutil.copy2(src, work / name)
    return work


def _tests_pass(work: Path, tests: tuple[str, ...], timeout: float) -> bool:
    env = {**os.environ, "PYTHONPATH": str(work), "PYTHONDONTWRITEBYTECODE": "1", "HYPOTHESIS_PROFILE": "default"}
    cmd = [sys.executable, "-m", "pytest", "-x", "-q", "-n", "0", "-p", "no:randomly", "-p", "no:cacheprovider",
           *tests]
    try:
        done = subprocess.run(cmd, cwd=work, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return False
    return done.returncode == 0


def score_module(work: Path, module: str, max_mutants: int | None, timeout: float, seed: int) -> dict:
    functions, tests = TARGETS[module]
    tests = tuple(t for t in tests if (work / t).exists())
    path = work / "qlang" / module
    original = path.read_text(encoding="utf-8")
    tree = ast.parse(original)
    mutants = mutants_of(tree, functions, original)
    tried = random.Random(seed).sample(mutants, max_mutants) if max_mutants and len(mutants) > max_mutants else mutants
    try:
        if not _tests_pass(work, tests, timeout):
            return {"module": module, "mutants": len(mutants), "tried": 0, "baseline_failed": True, "tests": tests}
        survivors, equivalent = [], []
        for m in sorted(tried, key=lambda m: m.index):
            if (module, m.where, m.kind) in EQUIVALENT:
                equivalent.append({"line": m.line, "mutation": m.kind, "where": m.where})
                continue
            path.write_text(mutated_source(original, tree, m), encoding="utf-8")
            if _tests_pass(work, tests, timeout):
                survivors.append({"line": m.line, "mutation": m.kind, "where": m.where})
    finally:
        path.write_text(original, encoding="utf-8")
    scored = len(tried) - len(equivalent)
    killed = scored - len(survivors)
    return {"module": module, "mutants": len(mutants), "tried": len(tried), "equivalent": len(equivalent),
            "killed": killed, "killed_fraction": killed / scored if scored else None, "tests": list(tests),
            "survivors": survivors, "equivalent_mutants": equivalent}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--module", action="append", choices=sorted(TARGETS), help="only these modules (repeatable)")
    ap.add_argument("--max", type=int, default=None, help="at most this many mutants per module (seeded sample)")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per test run; longer counts as killed")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    work = _scratch()
    started = time.perf_counter()
    try:
        results = [score_module(work, m, args.max, args.timeout, args.seed) for m in (args.module or TARGETS)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report = {"modules": {r["module"]: r for r in results}, "seconds": round(time.perf_counter() - started, 1),
              "killed_fraction": {r["module"]: r.get("killed_fraction") for r in results}}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{'module':<28}{'mutants':>8}{'tried':>7}{'equivalent':>11}{'killed':>8}{'killed_fraction':>17}")
        for r in results:
            frac = "baseline failed" if r.get("baseline_failed") else f"{r['killed_fraction']:.2f}"
            print(f"{r['module']:<28}{r['mutants']:>8}{r['tried']:>7}{r.get('equivalent', 0):>11}"
                  f"{r.get('killed', 0):>8}{frac:>17}")
        for r in results:
            for s in r.get("survivors", []):
                print(f"  survived: qlang/{r['module']}:{s['line']} {s['mutation']}: {s['where']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
