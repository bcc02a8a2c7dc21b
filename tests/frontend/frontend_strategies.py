"""Hypothesis strategies for the front-end tests: text from the grammar, syntax trees of every shape, valid
specs built from the catalog, and comments sprinkled over a spec's text."""

from __future__ import annotations

import dataclasses

from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark
from lark import Lark

from qlang import catalog
from qlang.catalog.devices import FAKE_BACKENDS
from qlang.catalog.noise import NOISE
from qlang.catalog.schema import Entry, Param
from qlang.catalog.settings import DEVICES, PIPELINE, STAGE
from qlang.diagnostics import Span
from qlang.syntax import ast
from qlang.syntax.parser import grammar_text
from qlang.syntax.printer import value_text
from qlang.syntax.strings import quote, unquote
from qlang.units import UNITS

NOWHERE = Span(0, 0)
KEYWORDS = {"pipeline", "data", "model", "stage", "true", "false", "none", "from", "sweep"}
CATALOG_WORDS = sorted(
    {
        *catalog.METHODS,
        *catalog.DATA,
        *catalog.MODELS,
        *catalog.STAGE_KINDS,
        *(p.name for p in PIPELINE.params + STAGE.params),
    }
)

names = st.one_of(
    st.sampled_from(CATALOG_WORDS),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,7}", fullmatch=True).filter(lambda n: n not in KEYWORDS),
)
units = st.one_of(
    st.sampled_from(sorted(UNITS)),
    st.from_regex(r"[A-Za-zµ%][A-Za-z0-9_%µ]{0,4}(/[A-Za-z0-9_%µ]{1,3})?", fullmatch=True),
)


# --- syntax trees of every shape -----------------------------------------------------------------


def number_node(raw: str) -> ast.Number:
    value = float(raw) if any(c in raw for c in ".eE") else int(raw)
    return ast.Number(value, raw, NOWHERE)


number_raws = st.one_of(
    st.integers(-(10**6), 10**20).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.from_regex(r"[+-]?([0-9]{1,4}(\.[0-9]{0,3})?|\.[0-9]{1,3})([eE][+-]?[0-9]{1,3})?", fullmatch=True),
)
_escape = st.one_of(
    st.sampled_from(["\\n", "\\t", "\\r", '\\"', "\\\\", "\\0"]),
    st.integers(0, 0x10FFFF).filter(lambda c: not 0xD800 <= c <= 0xDFFF).map(lambda c: f"\\u{{{c:x}}}"),
)
string_raws = st.one_of(
    st.text().map(quote),  # quotes, backslashes, newlines, NUL, unicode: every character escaped as needed
    st.lists(st.one_of(st.characters(exclude_characters='"\\\n'), _escape), max_size=8).map(
        lambda parts: '"' + "".join(parts) + '"'
    ),
)

strings = string_raws.map(lambda raw: ast.String(unquote(raw), raw, NOWHERE))
numbers = number_raws.map(number_node)
quantities = st.builds(lambda n, u: ast.Quantity(n, u, NOWHERE, NOWHERE), numbers, units)
bools = st.booleans().map(lambda b: ast.Bool(b, NOWHERE))
nones = st.just(None).map(lambda _: ast.NoneValue(NOWHERE))
words = names.map(lambda n: ast.Word(n, NOWHERE))
leaves = st.one_of(strings, numbers, quantities, bools, nones, words)

values = st.deferred(lambda: st.one_of(atoms, sums))
atoms = st.deferred(lambda: st.one_of(leaves, calls, lists, sweeps))
args = st.builds(lambda n, v: ast.Arg(n, None if n is None else NOWHERE, v, NOWHERE), st.none() | names, values)
calls = st.builds(lambda n, a: ast.Call(n, NOWHERE, a, NOWHERE), names, st.lists(args, max_size=3))
lists = st.lists(values, max_size=3).map(lambda items: ast.List(items, NOWHERE))
sweeps = st.lists(values, min_size=1, max_size=3).map(lambda points: ast.Sweep(points, NOWHERE))
sums = st.lists(atoms, min_size=2, max_size=3).map(lambda terms: ast.Sum(terms, NOWHERE))

settings = st.builds(lambda k, v: ast.Setting(k, NOWHERE, v, NOWHERE), names, values)
bindings = st.builds(
    lambda kw, n, v: ast.Binding(kw, n, NOWHERE, v, NOWHERE), st.sampled_from(["data", "model"]), names, values
)
stages = st.builds(
    lambda kind, name, src, items: ast.Stage(
        kind, NOWHERE, name, NOWHERE, src, None if src is None else NOWHERE, items, NOWHERE
    ),
    names,
    names,
    st.none() | names,
    st.lists(settings, max_size=3),
)
pipelines = st.builds(
    lambda n, sts: ast.Pipeline(n, NOWHERE, sts, NOWHERE),
    names,
    st.lists(st.one_of(settings, bindings, stages), max_size=5),
)
trees = st.lists(pipelines, max_size=3).map(lambda ps: ast.Spec(ps))


def shape(node):
    """A syntax tree without its spans, comments and blank lines: what two trees must share to be equal."""
    if isinstance(node, list):
        return [shape(n) for n in node]
    if dataclasses.is_dataclass(node):
        skip = {"comments", "blank_lines_before"}
        return type(node).__name__, {
            f.name: shape(getattr(node, f.name))
            for f in dataclasses.fields(node)
            if not f.name.endswith("span") and f.name not in skip
        }
    return node


# --- valid specs from the catalog ------------------------------------------------------------------

MAX_QUBITS = 16  # well inside the 1 GiB the tests give QLANG_MEMORY_BYTES


def _int(p: Param) -> st.SearchStrategy[ast.Value]:
    lo = int(p.min) if p.min is not None else -1000
    hi = int(p.max) if p.max is not None else lo + 10**6
    if p.name in ("qubits", "units"):
        hi = min(hi, MAX_QUBITS)
    return st.integers(lo, hi).map(lambda i: number_node(str(i)))


def _float(p: Param) -> st.SearchStrategy[ast.Value]:
    lo = p.min if p.min is not None else -1e6
    hi = p.max if p.max is not None else 1e6
    plain = st.floats(lo, hi, exclude_min=p.exclusive_min).map(lambda x: number_node(repr(x)))
    if lo >= 0 and hi <= 1:  # also as a percentage
        percent = st.integers(1, int(hi * 100)).map(lambda i: ast.Quantity(number_node(str(i)), "%", NOWHERE, NOWHERE))
        return plain | percent
    return plain


def _quantity(p: Param, least: float = 0.0, most: float = 1e6) -> st.SearchStrategy[ast.Value]:
    """A quantity in base units between `least` and `most`, in any unit of its dimension, perhaps as a sum."""
    units_of = sorted(u for u, (d, _) in UNITS.items() if d == p.dimension)

    def build(unit: str, x: float) -> ast.Value:
        return ast.Quantity(number_node(repr(x / UNITS[unit][1])), unit, NOWHERE, NOWHERE)

    one = st.builds(build, st.sampled_from(units_of), st.floats(least / 2, most / 2))
    return st.builds(build, st.sampled_from(units_of), st.floats(least, most)) | st.lists(
        one, min_size=2, max_size=2
    ).map(lambda ts: ast.Sum(ts, NOWHERE))


def param_value(p: Param) -> st.SearchStrategy[ast.Value]:
    if p.type == "int":
        got = _int(p)
    elif p.type == "float":
        got = _float(p)
    elif p.type == "bool":
        got = bools
    elif p.type == "string":
        got = strings
    elif p.type == "enum":
        got = st.sampled_from(p.choices).map(lambda c: ast.Word(c, NOWHERE))
    elif p.type == "quantity":
        got = _quantity(p)
    elif p.type == "call":
        got = st.sampled_from(sorted(catalog.GROUPS[p.choices[0]].values(), key=lambda e: e.name)).flatmap(entry_value)
    elif p.type == "list":
        got = st.lists(param_value(Param(p.name, p.item or "string")), max_size=3).map(lambda i: ast.List(i, NOWHERE))
    else:
        raise AssertionError(p.type)
    return got | nones if p.nullable else got


def sweep_of(p: Param) -> st.SearchStrategy[ast.Value]:
    """`sweep(…)` of distinct whole numbers or enum words: each point checks on its own."""
    return st.lists(param_value(p), min_size=1, max_size=3, unique_by=value_text).map(
        lambda pts: ast.Sweep(pts, NOWHERE)
    )


@st.composite
def entry_value(draw, entry: Entry) -> ast.Value:
    """`name` or `name(args)`: some parameters, the first few perhaps positional, the rest named in any order;
    a method's whole-number and enum parameters are sometimes swept."""
    chosen = [p for p in entry.params if p.required or draw(st.booleans())]
    if not chosen and draw(st.booleans()):
        return ast.Word(entry.name, NOWHERE)
    positional = draw(st.integers(0, len(entry.params)))
    arg_list = []
    for i, p in enumerate(entry.params[:positional]):
        if p not in chosen:
            break
        arg_list.append(ast.Arg(None, None, draw(param_value(p)), NOWHERE))
    rest = [p for p in chosen if p not in entry.params[: len(arg_list)]]
    for p in draw(st.permutations(rest)):
        sweep = entry.group == "method" and p.type in ("int", "enum") and not draw(st.integers(0, 3))
        arg_list.append(ast.Arg(p.name, NOWHERE, draw(sweep_of(p) if sweep else param_value(p)), NOWHERE))
    if entry.name == "file":  # a file that exists (the tests run at the repository root), with a text column
        arg_list = [a for a in arg_list if a.name is not None and a.name not in ("path", "text", "features")]
        arg_list.insert(0, ast.Arg("path", NOWHERE, ast.String("README.md", '"README.md"', NOWHERE), NOWHERE))
        arg_list.append(ast.Arg("text", NOWHERE, ast.String("text", '"text"', NOWHERE), NOWHERE))
    return ast.Call(entry.name, NOWHERE, arg_list, NOWHERE)


def _setting(key: str, value: ast.Value) -> ast.Setting:
    return ast.Setting(key, NOWHERE, value, NOWHERE)


# device models big enough for any stage the strategies draw
BIG_DEVICES = sorted(name for name, n in FAKE_BACKENDS.items() if n >= MAX_QUBITS)
NOISY_QUBITS = 12  # a density matrix of 12 qubits: 256 MiB, well inside the tests' 1 GiB
WIDE_METHODS = {"quantum_hpo"}  # its qubits follow its search space, not a `qubits` parameter


def _zne(scales: list[int] | None, extrapolation: str | None) -> ast.Value:
    args = []
    if scales is not None:
        values = ast.List([ast.Number(v, str(v), NOWHERE) for v in scales], NOWHERE)
        args.append(ast.Arg("scales", NOWHERE, values, NOWHERE))
    if extrapolation is not None:
        args.append(ast.Arg("extrapolation", NOWHERE, ast.Word(extrapolation, NOWHERE), NOWHERE))
    return ast.Call("zne", NOWHERE, args, NOWHERE) if args else ast.Word("zne", NOWHERE)


# `mitigation`: readout and/or zne (valid scales: distinct odd, 1 among them), joined by `+` in either order
zne_values = st.builds(
    _zne,
    st.none() | st.sampled_from([[1, 3], [1, 3, 5], [1, 5, 9], [3, 1, 7]]),
    st.none() | st.sampled_from(["richardson", "linear"]),
)
mitigation_values = st.lists(
    st.just(ast.Word("readout", NOWHERE)) | zne_values, min_size=1, max_size=2, unique_by=lambda v: v.name
).map(lambda ts: ts[0] if len(ts) == 1 else ast.Sum(ts, NOWHERE))

channel_values = st.sampled_from(sorted(NOISE.values(), key=lambda e: e.name)).flatmap(lambda e: entry_value(e))
noise_values = (
    st.lists(channel_values, min_size=1, max_size=4, unique_by=lambda c: c.name)
    .filter(lambda cs: not ({"depolarizing", "readout"} <= {c.name for c in cs}))
    .map(lambda cs: cs[0] if len(cs) == 1 else ast.Sum(cs, NOWHERE))
)


def _capped(v: ast.Value) -> ast.Value:
    """A qubit count (or each point of a sweep of them) at most NOISY_QUBITS."""
    if isinstance(v, ast.Sweep):  # distinct points stay distinct (a repeated point is Q208)
        kept = [p for p in v.points if not (isinstance(p, ast.Number) and p.value > NOISY_QUBITS)]
        taken = {p.value for p in kept if isinstance(p, ast.Number)}
        spare = (number_node(str(n)) for n in range(NOISY_QUBITS, 0, -1) if n not in taken)
        return dataclasses.replace(v, points=[p if p in kept else next(spare) for p in v.points])
    if isinstance(v, ast.Number) and v.value > NOISY_QUBITS:
        return number_node(str(NOISY_QUBITS))
    return v


def device_sweeps(target: str) -> st.SearchStrategy[ast.Value]:
    """`device sweep(…)`: two or three distinct devices, exact simulators (strings) or device models (words)."""
    pool = [ast.String(d, quote(d), NOWHERE) for d in DEVICES[target]] + [ast.Word(d, NOWHERE) for d in BIG_DEVICES]
    return st.lists(st.sampled_from(pool), min_size=2, max_size=3, unique_by=value_text).map(
        lambda pts: ast.Sweep(pts, NOWHERE)
    )


def _models_a_device(v: ast.Value) -> bool:
    """A device model (a word), or a sweep with one among its points: the pipeline is noisy somewhere."""
    return isinstance(v, ast.Word) or (isinstance(v, ast.Sweep) and any(isinstance(p, ast.Word) for p in v.points))


def _sampled_shots(s: ast.Setting) -> ast.Setting:
    """`shots` on a noisy device: no `none` (Q403), in a sweep too; None where nothing is left."""
    if isinstance(s.value, ast.NoneValue):
        return dataclasses.replace(s, value=None)
    if isinstance(s.value, ast.Sweep):
        kept = [p for p in s.value.points if not isinstance(p, ast.NoneValue)]
        return dataclasses.replace(s, value=dataclasses.replace(s.value, points=kept) if kept else None)
    return s


def _sampling(v: ast.Value, noisy: bool, shots_swept: bool = False) -> ast.Value:
    """On a noisy device: shots in place of `shots: none`, and at most NOISY_QUBITS qubits or units. Under
    the pipeline's sweep of `shots`, a method's own sweep of them is its first point (two sweeps are Q208)."""
    if not isinstance(v, ast.Call) or not (noisy or shots_swept):
        return v
    params = catalog.METHODS[v.name].params
    args = []
    for i, a in enumerate(v.args):
        name = a.name if a.name is not None else params[i].name
        if name == "shots" and shots_swept and isinstance(a.value, ast.Sweep):
            a = dataclasses.replace(a, value=a.value.points[0])
        if not noisy:
            args.append(a)
            continue
        if name == "shots" and isinstance(a.value, ast.NoneValue):
            a = dataclasses.replace(a, value=number_node("100"))
        if name in ("qubits", "units"):
            a = dataclasses.replace(a, value=_capped(a.value))
        args.append(a)
    return dataclasses.replace(v, args=args)


@st.composite
def valid_trees(draw) -> ast.Spec:
    """A spec the checks accept (warnings allowed), built from the catalog."""
    n_data, n_models, n_stages = draw(st.integers(1, 2)), draw(st.integers(0, 1)), draw(st.integers(1, 5))
    ids = draw(
        st.lists(
            names.filter(lambda n: n not in catalog.DATA),
            min_size=n_data + n_models + n_stages + 1,
            max_size=n_data + n_models + n_stages + 1,
            unique=True,
        )
    )
    pipeline_name, ids = ids[0], ids[1:]
    statements: list[ast.Statement] = []
    target = draw(st.sampled_from(sorted(DEVICES)))
    for p in PIPELINE.params:
        if not draw(st.booleans()):
            continue
        if p.name == "target":
            value = ast.Word(target, NOWHERE)
        elif p.name == "device":
            one = st.sampled_from(DEVICES[target]).map(lambda d: ast.String(d, quote(d), NOWHERE)) | st.sampled_from(
                BIG_DEVICES
            ).map(lambda d: ast.Word(d, NOWHERE))
            value = draw(one | device_sweeps(target))  # a pipeline-level sweep of devices, exact or noisy
        elif p.name == "shots":
            value = draw(param_value(p) | sweep_of(p))
        elif p.name == "noise":
            value = draw(noise_values)
        elif p.name == "budget":  # no pipeline budget: an estimate over it would be an error (Q502)
            continue
        else:
            value = draw(param_value(p))
        statements.append(_setting(p.name, value))
    noisy = any(s.key == "noise" or (s.key == "device" and _models_a_device(s.value)) for s in statements)
    if any(s.key == "noise" for s in statements) and any(s.key == "device" for s in statements):
        statements = [s for s in statements if s.key != "device"]  # a device model brings its own noise (Q403)
    if noisy:  # a noisy device samples (no `shots none`, Q403) and holds fewer qubits (density matrices, Q401)
        statements = [_sampled_shots(s) if s.key == "shots" else s for s in statements]
        statements = [s for s in statements if s.value is not None]
    shots_swept = any(s.key == "shots" and isinstance(s.value, ast.Sweep) for s in statements)
    # mitigation only where every device point is noisy (an exact point of a mixed sweep gets Q404)
    all_noisy = noisy and not any(
        s.key == "device"
        and isinstance(s.value, ast.Sweep)
        and not all(isinstance(p, ast.Word) for p in s.value.points)
        for s in statements
    )
    if target != "pennylane" and not any(s.key == "target" for s in statements):
        statements.append(_setting("target", ast.Word(target, NOWHERE)))

    made: list[tuple[str, str]] = []  # (name, artifact) a stage may read
    data_names = ids[:n_data]
    for name in data_names:
        entry = draw(st.sampled_from(sorted(catalog.DATA.values(), key=lambda e: e.name)))
        statements.append(ast.Binding("data", name, NOWHERE, draw(entry_value(entry)), NOWHERE))
        made.append((name, "dataset"))
    for name in ids[n_data : n_data + n_models]:
        entry = draw(st.sampled_from(sorted(catalog.MODELS.values(), key=lambda e: e.name)))
        statements.append(ast.Binding("model", name, NOWHERE, draw(entry_value(entry)), NOWHERE))

    for name in ids[n_data + n_models :]:
        methods = sorted(
            (m for m in catalog.METHODS.values() if any(a in m.inputs for _, a in made)), key=lambda m: m.name
        )
        fits = [m for m in methods if not noisy or not (m.name in WIDE_METHODS or m.statevector_only)]  # Q401, Q403
        method = draw(st.sampled_from(fits or methods))
        source = draw(st.sampled_from([n for n, a in made if a in method.inputs]))
        implicit = len(data_names) == 1 and source == data_names[0] and draw(st.booleans())
        items = [_setting("method", _sampling(draw(entry_value(method)), noisy, shots_swept))]
        if method.baselines and draw(st.integers(0, 3)):
            chosen = draw(st.lists(st.sampled_from(method.baselines), min_size=1, max_size=3, unique=True))
            values_ = [_sampling(draw(entry_value(catalog.METHODS[b])), noisy, shots_swept) for b in chosen]
            items.append(
                _setting(
                    "baseline", values_[0] if len(values_) == 1 and draw(st.booleans()) else ast.List(values_, NOWHERE)
                )
            )
        elif draw(st.booleans()):
            items.append(_setting("baseline", ast.NoneValue(NOWHERE)))
        if draw(st.booleans()):  # a budget the estimate may exceed: only with a policy that handles it (Q503)
            items.append(_setting("budget", draw(_quantity(STAGE.param("budget"), most=1e3) | nones)))
            items.append(_setting("on_over_budget", ast.Word(draw(st.sampled_from(["warn", "fallback"])), NOWHERE)))
        if all_noisy and method.circuits and draw(st.booleans()):  # mitigation only where it acts (else Q404)
            items.append(_setting("mitigation", draw(mitigation_values | nones)))
        items = draw(st.permutations(items))
        statements.append(
            ast.Stage(
                method.stage,
                NOWHERE,
                name,
                NOWHERE,
                None if implicit else source,
                None if implicit else NOWHERE,
                list(items),
                NOWHERE,
            )
        )
        if method.output:
            made.append((name, method.output))
    return ast.Spec([ast.Pipeline(pipeline_name, NOWHERE, draw(st.permutations(statements)), NOWHERE)])


# --- text ------------------------------------------------------------------------------------------


def _padded(s: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return s.map(lambda t: f" {t} ")


def grammar_strategy() -> st.SearchStrategy[str]:
    """Text drawn from grammar/qlang.lark; words padded with spaces so that most of it lexes as drawn."""
    lark = Lark(grammar_text(), parser="lalr")
    keyword = {
        t: _padded(st.just(t.lower())) for t in ("PIPELINE", "DATA", "MODEL", "STAGE", "TRUE", "FALSE", "NONE", "SWEEP")
    }
    comment = st.text(st.characters(exclude_characters="\n"), max_size=10).map(lambda t: "//" + t)
    newline = st.lists(
        st.tuples(st.none() | comment, st.sampled_from(["\n", "\r\n"]), st.sampled_from(["", "  ", "\t"])),
        min_size=1,
        max_size=3,
    ).map(lambda parts: "".join((c or "") + nl + ind for c, nl, ind in parts))
    explicit = {
        **keyword,
        "FROM": st.just(" from "),
        "NAME": _padded(names),
        "UNIT": _padded(units),
        "NUMBER": _padded(number_raws),
        "STRING": string_raws | st.from_regex(r'"([^"\\\n]|\\.)*"', fullmatch=True),
        "_NL": newline,
        "COMMENT": st.just(""),  # a comment would swallow the rest of its line; _NL brings comments instead
    }
    for name in lark.ignore_tokens:  # the %ignore'd spaces
        explicit.setdefault(name, st.sampled_from([" ", "\t", "  ", "\f"]))
    return from_lark(lark, explicit=explicit)


comment_texts = st.text(st.characters(exclude_characters="\n\r"), max_size=12).map(lambda t: "//" + t)


@st.composite
def with_comments(draw, text: str) -> str:
    """`text` with comments at ends of lines and on their own lines, blank lines, and odd indentation."""
    out = []
    for line in text.split("\n"):
        if draw(st.integers(0, 4)) == 0:
            out.append(draw(st.sampled_from(["", " ", "\t", "      "])) + draw(comment_texts))
        if draw(st.integers(0, 5)) == 0:
            out.append("")
        indent = draw(st.sampled_from(["", " ", "\t", "  ", "    "])) if draw(st.booleans()) else None
        body = line if indent is None else indent + line.lstrip()
        if draw(st.integers(0, 3)) == 0:
            body += draw(st.sampled_from([" ", "  ", "\t", ""])) + draw(comment_texts)
        out.append(body)
    if draw(st.integers(0, 3)) == 0:
        out.append(draw(comment_texts))
    return "\n".join(out) + draw(st.sampled_from(["", "\n", "\n\n"]))


@st.composite
def loosely_printed(draw, tree: ast.Spec) -> str:
    """`tree` written by hand, as it were: odd spacing, trailing commas, and line breaks and comments inside
    brackets (where newlines do not end a statement)."""
    inside = st.sampled_from([" ", "", "\n", "\n    ", " // note\n", "\n// own line\n  ", "\t"])
    space = st.sampled_from([" ", "  ", "\t"])

    def value(v: ast.Value) -> str:
        if isinstance(v, ast.String):
            return v.raw
        if isinstance(v, ast.Number):
            return v.raw
        if isinstance(v, ast.Quantity):
            return v.number.raw + draw(space) + v.unit
        if isinstance(v, ast.Sum):
            return (draw(space) + "+" + draw(space)).join(value(t) for t in v.terms)
        if isinstance(v, ast.Bool):
            return "true" if v.value else "false"
        if isinstance(v, ast.NoneValue):
            return "none"
        if isinstance(v, ast.Word):
            return v.name
        if isinstance(v, ast.Call):
            items = [(a.name + ":" + draw(inside) if a.name is not None else "") + value(a.value) for a in v.args]
            return v.name + "(" + bracketed(items) + ")"
        if isinstance(v, ast.Sweep):
            return "sweep(" + bracketed([value(i) for i in v.points]) + ")"
        return "[" + bracketed([value(i) for i in v.items]) + "]"

    def bracketed(items: list[str]) -> str:
        if not items:
            return draw(inside)
        text = draw(inside) + ("," + draw(inside)).join(items)
        return text + ("," if draw(st.booleans()) else "") + draw(inside)

    def statement(s: ast.Statement, indent: str) -> list[str]:
        if isinstance(s, ast.Setting):
            return [indent + s.key + draw(space) + value(s.value)]
        if isinstance(s, ast.Binding):
            return [indent + s.keyword + draw(space) + s.name + draw(space) + "=" + draw(space) + value(s.value)]
        src = f" from{draw(space)}{s.source}" if s.source is not None else ""
        lines = [f"{indent}stage{draw(space)}{s.kind}{draw(space)}{s.name}{src}{draw(space)}{{"]
        for item in s.items:
            lines += statement(item, indent + "  ")
        return lines + [indent + "}"]

    out = []
    for p in tree.pipelines:
        out.append(f"pipeline{draw(space)}{p.name}{draw(space)}{{")
        for s in p.statements:
            out += statement(s, "  ")
        out.append("}")
    return "\n".join(out) + "\n"
