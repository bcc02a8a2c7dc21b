"""Paths whose cost could grow faster than the input, checked by counting work, not by the clock: error
recovery's questions to the parser ("would it take this token?") copy nothing, however deep the brackets
left open; the tokens fed grow in step with the lines; and those answers are the parser's own."""

from __future__ import annotations

import random
import sys
from copy import copy
from pathlib import Path

import pytest
from lark.exceptions import UnexpectedToken
from lark.lexer import Token
from lark.parsers.lalr_parser_state import ParserState

from qlang.syntax import parser as qparser
from qlang.syntax.parser import parse, would_accept

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))


class Work:
    """Counts, while active: parser-state copies and the stack entries they copy, and tokens fed."""

    def __init__(self, monkeypatch):
        self.copies = self.copied = self.fed = 0
        copy, feed = ParserState.copy, ParserState.feed_token

        def counting_copy(state, *a, **k):
            self.copies += 1
            self.copied += len(state.state_stack)
            return copy(state, *a, **k)

        def counting_feed(state, token, *a, **k):
            self.fed += 1
            return feed(state, token, *a, **k)

        monkeypatch.setattr(ParserState, "copy", counting_copy)
        monkeypatch.setattr(ParserState, "feed_token", counting_feed)


@pytest.mark.parametrize("opener", ["[", "f(", "f(a: ", "sweep(", "[f("])
def test_brackets_left_open_cost_in_step_with_their_depth(monkeypatch, opener):
    work = Work(monkeypatch)
    counts = []
    for depth in (500, 5_000):
        work.copies = work.copied = work.fed = 0
        _, diags = parse("pipeline p {\n  seed " + opener * depth)
        assert [d.code for d in diags] == ["Q002"]
        counts.append((work.copied, work.fed))
    (copied_small, fed_small), (copied_large, fed_large) = counts
    assert copied_large <= 10 * copied_small + 100  # a copy per closer supplied made this 100×
    assert fed_large <= 11 * fed_small


@pytest.mark.parametrize("line", ["  seed = 7\n", "  x 'a'\n", "  stage curate s {\n", "  budget 2 kJ +\n", "  )\n"])
def test_broken_lines_cost_in_step_with_their_number(monkeypatch, line):
    work = Work(monkeypatch)
    counts = []
    for n in (100, 1_000):
        work.copies = work.copied = work.fed = 0
        parse("pipeline p {\n" + line * n + "}\n")
        counts.append((work.copied, work.fed))
    (copied_small, fed_small), (copied_large, fed_large) = counts
    assert copied_large <= 11 * copied_small + 100
    assert fed_large <= 11 * fed_small


def _by_trial(state: ParserState, terminal: str) -> bool:
    """The parser's own answer: feed a copy of it the token."""
    trial = state.copy(deepcopy_values=False)
    conf = copy(trial.parse_conf)
    conf.callbacks = {}
    trial.parse_conf = conf
    try:
        trial.feed_token(Token(terminal, "", 0, 0, 0, None, None, 0), terminal == "$END")
    except UnexpectedToken:
        return False
    return True


def test_would_accept_is_the_parsers_answer(monkeypatch):
    """At every state recovery stands in while parsing example specs, mutated ones and deep brackets, each
    terminal's answer equals feeding a copy of the parser."""
    import fuzz

    terminals = sorted({t.name for t in qparser._parser().lark.terminals} | {"$END", "_NL"})
    asked = []

    def checking(state, terminal):
        got = would_accept(state, terminal)
        asked.append(terminal)
        for other in terminals:
            assert would_accept(state, other) == _by_trial(state, other), (other, list(state.state_stack)[-8:])
        return got

    monkeypatch.setattr(qparser, "would_accept", checking)
    rng = random.Random(5)
    sources = fuzz._sources()
    texts = [fuzz.mutate(rng, rng.choice(sources)) for _ in range(60)]
    texts += ["pipeline p {\n  seed " + o * 40 for o in ("[", "f(a: ", "sweep(", "[f(")]
    texts += ["pipeline p {\n  seed 7\n  seed = 7\n  stage curate s {\n    method kmeans(\n  }\n"]
    for text in texts:
        parse(text)
    assert len(asked) > 100
