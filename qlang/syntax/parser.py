"""Text → syntax tree. Lark's LALR parser builds the tree directly (no intermediate parse tree)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import cast

from lark import Lark, Token, Transformer, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken
from lark.parsers.lalr_analysis import Shift

from qlang.diagnostics import Diagnostic, Span
from qlang.syntax import ast
from qlang.syntax.strings import BadEscape, unquote


def grammar_text() -> str:
    try:
        return (resources.files("qlang.grammar") / "qlang.lark").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):  # running from a source checkout
        return (Path(__file__).resolve().parents[2] / "grammar" / "qlang.lark").read_text(encoding="utf-8")


def _offsets(tok: Token) -> tuple[int, int]:
    """A token's start and end offsets; Lark sets both on every token its lexer makes."""
    assert tok.start_pos is not None and tok.end_pos is not None
    return tok.start_pos, tok.end_pos


def _span(tok: Token) -> Span:
    return Span(tok.start_pos, tok.end_pos)  # type: ignore[arg-type]  # set on every token (see _offsets)


class _BuildAst(Transformer):
    """Runs inside the LALR parser: each rule's children are already AST nodes or tokens."""

    def __init__(self):
        super().__init__()
        self.errors: list[Diagnostic] = []

    def __default__(self, data, children, meta):
        return Tree(data, children, meta)

    # values
    def string(self, c):
        tok = c[0]
        try:
            value = unquote(str(tok))
        except BadEscape as e:
            at = tok.start_pos + e.offset
            self.errors.append(
                Diagnostic(
                    "Q004",
                    f"unknown escape `{e.text}` in string",
                    Span(at, at + len(e.text)),
                    label="not a known escape",
                    help='strings know \\" \\\\ \\n \\t \\r \\0 and \\u{XXXX}',
                )
            )
            value = str(tok)[1:-1]
        return ast.String(value, str(tok), _span(tok))

    def number(self, c):
        tok = c[0]
        raw = str(tok)
        exact = "." not in raw and "e" not in raw and "E" not in raw and len(raw) <= 4000  # int() refuses 4300 digits
        value: int | float = int(raw) if exact else float(raw)
        return ast.Number(value, raw, _span(tok))

    def quantity(self, c):
        num = self.number(c[:1])
        unit = c[1]
        return ast.Quantity(num, str(unit), _span(unit), num.span.to(_span(unit)))

    def sum(self, c):
        return ast.Sum(list(c), c[0].span.to(c[-1].span))

    def true(self, c):
        return ast.Bool(True, _span(c[0]))

    def false(self, c):
        return ast.Bool(False, _span(c[0]))

    def none(self, c):
        return ast.NoneValue(_span(c[0]))

    def word(self, c):
        return ast.Word(str(c[0]), _span(c[0]))

    def call(self, c):
        name, *args, rpar = c
        args = [a for a in args if a is not None]
        return ast.Call(str(name), _span(name), args, _span(name).to(_span(rpar)))

    def arg(self, c):
        if len(c) == 2:
            name, value = c
            return ast.Arg(str(name), _span(name), value, _span(name).to(value.span))
        return ast.Arg(None, None, c[0], c[0].span)

    def sweep(self, c):
        kw, *points, rpar = c
        return ast.Sweep([v for v in points if v is not None], _span(kw).to(_span(rpar)))

    def list(self, c):
        lsqb, *items, rsqb = c
        return ast.List([i for i in items if i is not None], _span(lsqb).to(_span(rsqb)))

    # statements
    def setting(self, c):
        key, value = c
        return ast.Setting(str(key), _span(key), value, _span(key).to(value.span))

    stage_item = setting

    def data(self, c):
        kw, name, value = c
        return ast.Binding("data", str(name), _span(name), value, _span(kw).to(value.span))

    def model(self, c):
        kw, name, value = c
        return ast.Binding("model", str(name), _span(name), value, _span(kw).to(value.span))

    def from_clause(self, c):
        return c[0]

    def stage(self, c):
        kw, kind, name, *rest = c
        source = rest[0] if rest and isinstance(rest[0], Token) and rest[0].type == "NAME" else None
        items = [i for i in rest if isinstance(i, ast.Setting)]
        return ast.Stage(
            str(kind),
            _span(kind),
            str(name),
            _span(name),
            str(source) if source is not None else None,
            _span(source) if source is not None else None,
            items,
            _span(kw).to(_span(rest[-1])),
        )

    def pipeline(self, c):
        kw, name, *statements, rbrace = c
        return ast.Pipeline(str(name), _span(name), statements, _span(kw).to(_span(rbrace)))

    def start(self, c):
        return ast.Spec(list(c))


class _Lexed:
    """Comments and blank lines seen by the lexer, and bracket depth for dropping newlines.

    The depth lives on the object, not in `process`, because error recovery restarts the lexer."""

    always_accept = ("_NL",)

    def __init__(self):
        self.comments: list[ast.Comment] = []
        self.blank_ends: list[int] = []  # offsets where a run of newlines holding a blank line ends
        self.depth = 0

    def reset(self):
        self.comments = []
        self.blank_ends = []
        self.depth = 0

    def on_newlines(self, tok: Token) -> Token:
        """Record comments inside a run of newlines, and where a blank line precedes a comment or token."""
        text = str(tok)
        tok_start, tok_end = _offsets(tok)
        pos, blank, first = 0, False, True
        segments = text.split("\n")
        for i, line in enumerate(segments):
            stripped = line.strip()
            if stripped.startswith("//"):
                start = tok_start + pos + line.index("//")
                if blank:
                    self.blank_ends.append(start)
                self.comments.append(
                    ast.Comment(stripped.rstrip("\r"), Span(start, start + len(stripped.rstrip("\r"))))
                )
                blank = False
            elif not stripped and not first and i < len(segments) - 1:
                blank = True
            first = False
            pos += len(line) + 1
        if blank:
            self.blank_ends.append(tok_end)
        return tok

    def on_comment(self, tok: Token) -> Token:
        """A comment that ends the file; trailing spaces dropped as for every other comment."""
        text = str(tok).rstrip()
        start, _ = _offsets(tok)
        self.comments.append(ast.Comment(text, Span(start, start + len(text))))
        return tok

    def process(self, stream):
        for tok in stream:
            t = tok.type
            if t == "LPAR" or t == "LSQB":
                self.depth += 1
            elif t == "RPAR" or t == "RSQB":
                self.depth = max(0, self.depth - 1)
            elif t == "RBRACE":  # no bracket spans a `}`: an unclosed one ends here
                self.depth = 0
            elif t == "_NL" and self.depth:
                continue
            yield tok


class _Parser:
    def __init__(self):
        self.lexed = _Lexed()
        self.builder = _BuildAst()
        self.lark = Lark(
            grammar_text(),
            parser="lalr",
            lexer="contextual",
            transformer=self.builder,
            postlex=self.lexed,
            lexer_callbacks={"_NL": self.lexed.on_newlines, "COMMENT": self.lexed.on_comment},
            maybe_placeholders=True,
        )


@lru_cache(maxsize=1)
def _parser() -> _Parser:
    return _Parser()


SYNTAX_CODES = frozenset({"Q001", "Q002", "Q003"})
PARSE_CODES = SYNTAX_CODES | {"Q004"}  # every code `parse` makes


def parse(text: str) -> tuple[ast.Spec | None, list[Diagnostic]]:
    """Parse a whole spec, reporting every syntax error (Q001–Q003), at most one per line.

    After an error the parser recovers (see `_Recovering`): the tree then holds every statement that
    parsed, and misses the broken ones. The tree is None only when the text could not be closed into one."""
    p = _parser()
    p.lexed.reset()
    p.builder.errors = []
    if text.startswith("\ufeff"):  # a byte-order mark; a space keeps every offset
        text = " " + text[1:]
    spec, errors = _Recovering(p, text).run()
    if spec is not None:
        spec.comments = p.lexed.comments
        spec.blank_lines_before = set(p.lexed.blank_ends)
    diags = errors + p.builder.errors
    first: dict[tuple, Diagnostic] = {}
    for d in diags:
        first.setdefault((d.code, d.span), d)  # one diagnostic per code and place, the first made
    unique = list(first.values())
    return spec, sorted(unique, key=lambda d: d.span.start if d.span else -1)


class _Recovering:
    """Lark's LALR parser driven token by token, with panic-mode recovery that knows no grammar rule.

    Every time the parser shifts a statement-ending newline, it keeps a copy of its stacks. On an
    unexpected token it reports it, goes back to that copy (dropping the broken statement's part), and
    resumes at the next line: at the token itself if it starts a line (the statement ended early), else
    after the next newline or at the next `}`. An unexpected character is reported, and the rest of its
    line skipped. At the end of the file, missing closers (`)`, `]`, `}`) are supplied. Each token is
    fed once or skipped, so the time stays linear in the input."""

    _CLOSERS = ("RPAR", "RSQB", "_NL", "RBRACE")

    def __init__(self, p: _Parser, text: str):
        self.p = p
        self.text = text
        self.ip = p.lark.parse_interactive(text)
        self.state = self.ip.parser_state
        self.errors: list[Diagnostic] = []
        self.quiet_until = -1  # errors up to this offset follow from one already reported
        self.save()
        self.last_line = -1  # start offset of the line of the last error reported
        self.accepted_by_stack: dict[tuple, set[str]] = {}

    def tokens(self):
        """The lexer's tokens; an unexpected character is yielded as its exception, and lexing goes on."""
        thread = self.ip.lexer_thread
        while True:
            try:
                yield from thread.lex(self.state)
                return
            except UnexpectedCharacters as e:
                yield e
            except UnexpectedToken as e:  # the contextual lexer's fallback: a token not valid here
                yield e.token

    def run(self) -> tuple[ast.Spec | None, list[Diagnostic]]:
        stream = self.tokens()
        retry: Token | UnexpectedCharacters | None = None
        retried = -1
        while True:
            tok, retry = (retry, None) if retry is not None else (next(stream, None), None)
            if tok is None:
                return self.finish(), self.errors
            if isinstance(tok, UnexpectedCharacters):
                self.bad_character(tok)
                continue
            try:
                self.state.feed_token(tok)
            except UnexpectedToken as e:
                self.report(e, tok)
                if tok.type == "_NL":
                    after = next(stream, None)
                    if isinstance(after, Token) and after.type == "LBRACE" and self.accepts("LBRACE"):
                        retry = after  # a header whose `{` went on the next line reads on
                        continue
                    self.restore()
                    if isinstance(after, Token):
                        self.rewind(after)
                    retry = after if isinstance(after, UnexpectedCharacters) else None
                    if after is None:
                        return self.finish(), self.errors
                    continue
                self.restore()
                if tok.start_pos != retried and self.starts_line(tok):
                    retried = tok.start_pos or 0  # the statement before it ended early: it may start the next one
                    self.rewind(tok)
                    continue
                retry = self.skip_line(tok, stream)
                continue
            if tok.type == "_NL":
                self.save()

    def rewind(self, tok: Token) -> None:
        """Lex again from `tok`: the contextual lexer read it for the state before the error."""
        self.ip.lexer_thread.state.line_ctr.char_pos = tok.start_pos

    def starts_line(self, tok: Token) -> bool:
        at = tok.start_pos or 0
        start = self.text.rfind("\n", max(0, at - 200), at)
        return start != -1 and not self.text[start + 1 : at].strip()

    def skip_line(self, tok: Token | UnexpectedCharacters | None, stream) -> Token | None:
        """Skip to the end of the broken statement; the token to resume with (None: go on reading)."""
        self.p.lexed.depth = 0
        opened = 0  # a broken header's block is skipped whole
        while tok is not None:
            if isinstance(tok, UnexpectedCharacters):
                self.bad_character(tok, quiet=True)
            elif tok.type == "LBRACE":
                opened += 1
            elif tok.type == "RBRACE" and opened:
                opened -= 1
            elif tok.type == "RBRACE" and self.accepts("RBRACE"):
                return tok
            elif tok.type == "_NL" and not opened:
                return None
            tok = next(stream, None)
        return None

    def save(self) -> None:
        """Keep the stacks, and the length of each list of statements on them: Lark's left-recursion
        shortcut appends to those lists in place."""
        values = self.state.value_stack
        self.saved = (
            list(self.state.state_stack),
            list(values),
            [(v, len(v.children)) for v in values if isinstance(v, Tree)],
        )

    def restore(self) -> None:
        self.p.lexed.depth = 0  # back at a statement's level, outside any bracket
        self.state.state_stack[:] = self.saved[0]
        self.state.value_stack[:] = self.saved[1]
        for tree, n in self.saved[2]:
            del tree.children[n:]

    def accepts(self, terminal: str) -> bool:
        return would_accept(self.state, terminal)

    def finish(self) -> ast.Spec | None:
        """Feed the end of the file, supplying the closers it lacks (reported once, as Q002)."""
        end = len(self.text)
        for _ in range(len(self.state.state_stack) * 2 + 4):
            if self.accepts("$END"):
                return self.state.feed_token(Token("$END", "", end, 0, 0, None, None, end), True)
            if not self.errors or self.errors[-1].code != "Q002":
                eof = Token("$END", "", end, 0, 0, None, None, end)
                self.report(UnexpectedToken(eof, self.accepted(), state=self.state), eof)
            closer = next((t for t in self._CLOSERS if self.accepts(t)), None)
            if closer is None and self.state.state_stack != self.saved[0]:
                self.restore()  # the last statement is incomplete: drop it
                continue
            if closer is None:
                return None
            self.state.feed_token(Token(closer, "", end, 0, 0, None, None, end))
        return None

    def accepted(self) -> set[str]:
        """The terminals the parser can take now (what Lark's `accepts` computes), cached by stack: a file
        with thousands of errors meets the same few stacks again and again."""
        key = tuple(self.state.state_stack)
        if key not in self.accepted_by_stack:
            states = self.state.parse_conf.states[self.state.position]
            self.accepted_by_stack[key] = {t for t in states if t.isupper() and self.accepts(t)}
        return self.accepted_by_stack[key]

    def report(self, e: UnexpectedInput, tok: Token) -> None:
        assert tok.start_pos is not None  # every token here comes from the lexer or carries its offset
        if tok.start_pos <= self.quiet_until:
            return
        line = self.text.rfind("\n", 0, tok.start_pos) + 1 if tok.type != "$END" else -2
        if line == self.last_line:
            return
        self.last_line = line
        if isinstance(e, UnexpectedToken):
            e._accepts = self.accepted()  # what Lark's own `accepts` computes, without an interactive parser
        self.errors.append(syntax_error(e, self.text))

    def bad_character(self, e: UnexpectedCharacters, quiet: bool = False) -> None:
        """Report an unexpected character and skip it; an unterminated string is skipped to the end of its
        line. What else goes wrong on that line follows from it and is recovered from silently."""
        pos = e.pos_in_stream
        assert pos is not None  # the lexer always says where
        if not quiet:
            self.report(e, Token("ERROR", self.text[pos], pos, 0, 0, None, None, pos + 1))
        eol = self.text.find("\n", pos)
        eol = len(self.text) if eol == -1 else eol
        self.quiet_until = max(self.quiet_until, eol)
        line_ctr = self.ip.lexer_thread.state.line_ctr
        if self.text[pos] == '"':
            line_ctr.feed(self.text[line_ctr.char_pos : eol])
            self.p.lexed.depth = 0  # its closing brackets were inside the string
        else:
            line_ctr.feed(self.text[pos])


def would_accept(state, terminal: str) -> bool:
    """Whether the LALR parser in `state` would take `terminal` now (`$END`: whether the input may end).

    Feeding a copy of the parser would answer too, but a copy costs the depth of its stack: asked at
    every bracket left open at the end of a file, that made recovery quadratic in the nesting depth.
    Here the reductions the token would cause are followed on a view of the stack, nothing copied."""
    states = state.parse_conf.states
    stack = state.state_stack
    depth = len(stack)
    pushed: list[int] = []  # the stack is stack[:depth] + pushed
    while True:
        action = states[pushed[-1] if pushed else stack[depth - 1]].get(terminal)
        if action is None:
            return False
        kind, rule = action
        if kind is Shift:
            return terminal != "$END"
        size = len(rule.expansion)
        popped = min(size, len(pushed))
        del pushed[len(pushed) - popped :]
        depth -= size - popped
        _, goto = states[pushed[-1] if pushed else stack[depth - 1]][rule.origin.name]
        pushed.append(goto)
        if terminal == "$END" and goto == state.parse_conf.end_state:
            return True


# --- friendly syntax errors ---------------------------------------------------------------------

_WORDS = {
    "NAME": "a name",
    "STRING": "a string",
    "NUMBER": "a number",
    "UNIT": "a unit",
    "TRUE": "`true`",
    "FALSE": "`false`",
    "NONE": "`none`",
    "SWEEP": "`sweep`",
    "PIPELINE": "`pipeline`",
    "DATA": "`data`",
    "MODEL": "`model`",
    "STAGE": "`stage`",
    "FROM": "`from`",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "LPAR": "`(`",
    "RPAR": "`)`",
    "LSQB": "`[`",
    "RSQB": "`]`",
    "COMMA": "`,`",
    "COLON": "`:`",
    "EQUAL": "`=`",
    "PLUS": "`+`",
    "_NL": "a new line",
    "$END": "the end of the file",
}
_VALUE_START = {"STRING", "NUMBER", "TRUE", "FALSE", "NONE", "LSQB"}


def _expected_words(expected: set[str]) -> list[str]:
    names = set(expected)
    if _VALUE_START <= names:  # a value may start here: say so once
        names -= _VALUE_START
        names.discard("NAME")
        words = ["a value"]
    else:
        words = []
    order = list(_WORDS)
    words += [_WORDS[n] for n in sorted(names, key=lambda n: order.index(n) if n in order else 99) if n in _WORDS]
    return list(dict.fromkeys(words))


def _list_words(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _describe(tok: Token) -> str:
    if tok.type == "$END":
        return "end of file"
    if tok.type == "_NL":
        return "end of line"
    if tok.type == "NAME":
        return f"name `{tok}`"
    if tok.type == "STRING":
        return f"string {tok}"
    if tok.type == "NUMBER":
        return f"number `{tok}`"
    if tok.type == "UNIT":
        return f"`{tok}`"
    return f"`{tok}`"


def _end_of_content(text: str) -> Span:
    end = len(text.rstrip())
    return Span(end, end)


_CHARACTER_HELP = {
    "'": 'strings go in double quotes: "text"',
    "#": "comments start with `//`",
    ";": "a statement ends at the end of its line; no `;` is needed",
    "-": "names are made of letters, digits and `_`",
}


def _is_number(word: str) -> bool:
    try:
        float(word)
    except ValueError:
        return False
    return True


def syntax_error(e: UnexpectedInput, text: str) -> Diagnostic:
    if isinstance(e, UnexpectedCharacters):
        pos = cast(int, e.pos_in_stream)  # Lark sets it on every lexer error; its class default is None
        ch = text[pos]
        if ch == '"':
            eol = text.find("\n", pos)
            eol = len(text) if eol == -1 else eol
            return Diagnostic(
                "Q003",
                "unterminated string",
                Span(pos, eol),
                label='this string has no closing `"`',
                help="close the string on the same line; write a newline inside a string as \\n",
            )
        return Diagnostic(
            "Q003",
            f"unexpected character `{ch}`" if ch.isprintable() else f"unexpected character U+{ord(ch):04X}",
            Span(pos, pos + 1),
            label="not part of the language here",
            help=_CHARACTER_HELP.get(ch, "comments start with `//`; strings go in double quotes"),
        )
    assert isinstance(e, UnexpectedToken)
    tok = e.token
    expected = set(e.accepts or e.expected or ())
    words = _expected_words(expected)
    if tok.type == "$END":
        span = _end_of_content(text)
        return Diagnostic(
            "Q002",
            "unexpected end of file",
            span,
            label=f"expected {_list_words(words)} after this" if words else "",
            help="a `{` opened above has no matching `}`" if "RBRACE" in expected else None,
        )
    span = Span(tok.start_pos, max(tok.end_pos, tok.start_pos + 1))
    if tok.type == "_NL":
        span = Span(tok.start_pos, tok.start_pos)
    help_text = None
    lo = max(0, tok.start_pos - 200)  # a bounded look back: one long line with many errors stays linear
    line_before = text[text.rfind("\n", lo, tok.start_pos) + 1 or lo : tok.start_pos].split()
    from qlang.units import UNITS

    if "PIPELINE" in expected and tok.type != "_NL":
        help_text = "a spec is made of `pipeline NAME { ... }` blocks"
    elif (
        len(line_before) >= 2
        and _is_number(line_before[-2])
        and line_before[-1] not in UNITS
        and line_before[-1][:1].isalpha()
    ):
        help_text = (
            f"`{line_before[-1]}` was read as the unit of `{line_before[-2]}`; each statement goes on its own line"
        )
    elif tok.type == "_NL" and expected in ({"LBRACE"}, {"FROM", "LBRACE"}):
        help_text = "write the header and its `{` on one line"
    elif tok.type == "COMMA" and "_NL" in expected:
        help_text = "several values go in a list: `[a, b]`"
    elif tok.type in ("EQUAL", "COLON") and expected & _VALUE_START and len(line_before) == 1:
        help_text = "a setting reads `key value`, without `=` or `:`"
    elif tok.type == "EQUAL" and "COLON" in expected:
        help_text = "an argument reads `name: value`"
    elif "_NL" in expected and tok.type not in ("_NL", "RBRACE"):
        help_text = "each statement goes on its own line"
    elif "RPAR" in expected and "_NL" not in expected:
        help_text = "a `(` opened before is not closed"
    elif "RSQB" in expected and "_NL" not in expected:
        help_text = "a `[` opened before is not closed"
    elif tok.type == "LBRACE" and "NAME" in expected and line_before[-1:] == ["pipeline"]:
        help_text = "a pipeline reads `pipeline NAME { ... }`"
    elif tok.type == "LBRACE" and "NAME" in expected:
        help_text = "a stage reads `stage KIND NAME { ... }` or `stage KIND NAME from INPUT { ... }`"
    elif tok.type == "_NL" and expected & _VALUE_START:
        help_text = "write a value after the key, e.g. `seed 7` or `budget 2 kJ`"
    return Diagnostic(
        "Q001",
        f"unexpected {_describe(tok)}",
        span,
        label=f"expected {_list_words(words)}" if words else "",
        help=help_text,
    )
