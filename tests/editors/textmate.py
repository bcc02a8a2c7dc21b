"""A small TextMate tokenizer in Python, enough for qlang's grammar: `match` rules with `name` and
`captures`, `begin`/`end` rules with inner `patterns`, `include` of `#repository` entries, and nested
`patterns` lists. Regexes are compiled with Python's `re` (the grammar keeps to the common subset of
Oniguruma: classes, `\\b`, look-ahead and look-behind). Rules never span lines here (qlang strings end at
the end of their line), so each line is tokenised on its own."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Token:
    start: int  # offset in the line
    end: int
    scopes: tuple[str, ...]


class Grammar:
    def __init__(self, path: Path):
        self.data = json.loads(path.read_text(encoding="utf-8"))
        self.scope = self.data["scopeName"]
        self._compiled: dict[str, re.Pattern] = {}

    def _re(self, source: str) -> re.Pattern:
        if source not in self._compiled:
            self._compiled[source] = re.compile(source)
        return self._compiled[source]

    def _rules(self, patterns: list[dict]) -> list[dict]:
        """Flatten includes and nested pattern lists into a list of match or begin/end rules."""
        out: list[dict] = []
        for p in patterns:
            if "include" in p:
                out += self._rules([self.data["repository"][p["include"].lstrip("#")]])
            elif "match" in p or "begin" in p:
                out.append(p)
            else:
                out += self._rules(p.get("patterns", []))
        return out

    def tokenize_line(self, line: str) -> list[Token]:
        tokens: list[Token] = []
        base = (self.scope,)
        pos = 0
        rules = self._rules(self.data["patterns"])
        while pos <= len(line):
            best = None
            for rule in rules:
                m = self._re(rule.get("match") or rule["begin"]).search(line, pos)
                if m and (best is None or m.start() < best[1].start()) and (m.end() > m.start() or "begin" in rule):
                    best = (rule, m)
            if best is None:
                break
            rule, m = best
            if "match" in rule:
                tokens += self._captured(
                    m, base + ((rule["name"],) if "name" in rule else ()), rule.get("captures", {})
                )
                pos = m.end()
                continue
            scope = base + (rule["name"],)
            tokens += self._captured(m, scope, rule.get("beginCaptures", {}))
            pos = m.end()
            inner = self._rules(rule.get("patterns", []))
            end = self._re(rule["end"])
            while True:
                e = end.search(line, pos)
                hit = None
                for r in inner:
                    mm = self._re(r["match"]).search(line, pos)
                    if mm and mm.end() > mm.start() and (hit is None or mm.start() < hit[1].start()):
                        hit = (r, mm)
                if hit and (e is None or hit[1].start() < e.start()):
                    r, mm = hit
                    tokens.append(Token(pos, mm.start(), scope)) if mm.start() > pos else None
                    tokens.append(Token(mm.start(), mm.end(), scope + (r["name"],)))
                    pos = mm.end()
                    continue
                stop = e.start() if e else len(line)
                if stop > pos:
                    tokens.append(Token(pos, stop, scope))
                if e is not None:
                    tokens += self._captured(e, scope, rule.get("endCaptures", {}))
                pos = e.end() if e else len(line)
                break
            if pos >= len(line):
                break
        return tokens

    @staticmethod
    def _captured(m: re.Match, scope: tuple[str, ...], captures: dict) -> list[Token]:
        out = []
        if m.end() > m.start():
            out.append(Token(m.start(), m.end(), scope + ((captures["0"]["name"],) if "0" in captures else ())))
        for k, c in captures.items():
            if k != "0" and m.group(int(k)) is not None and m.end(int(k)) > m.start(int(k)):
                out.append(Token(m.start(int(k)), m.end(int(k)), scope + (c["name"],)))
        return out

    def scopes_at(self, text: str) -> list[tuple[str, ...]]:
        """The innermost scopes of every character of `text` (the deepest token covering it)."""
        out: list[tuple[str, ...]] = []
        for line in text.split("\n"):
            per = [(self.scope,)] * (len(line) + 1)
            for tok in self.tokenize_line(line):  # later (capture) tokens are more specific
                for i in range(tok.start, tok.end):
                    if len(tok.scopes) >= len(per[i]):
                        per[i] = tok.scopes
            out += per
        return out
