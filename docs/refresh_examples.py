"""Keep the examples in docs/*.md honest.

    python docs/refresh_examples.py            # rewrite every command's output in docs/diagnostics.md
    python docs/refresh_examples.py --check    # only report examples that are out of date (exit 1)

Three kinds of fenced blocks take part:

- a block whose info string names a file, e.g. ```qlc file=example.qlc, is written to that file
  (```qlc file=example.qlc encoding=latin-1 writes it in that encoding);
- a ```console block whose first line is `$ COMMAND` runs COMMAND in that folder, after the files
  written so far, and the rest of the block is replaced by what it printed (stdout and stderr);
  under a `### Qnnn` heading the output must contain `[Qnnn]`;
- in docs/language.md every ```qlc block is a complete spec that must check with no error and
  already be in `qlc fmt`'s layout (except ```qlc layout=free blocks, which show other layouts).

Commands run in the fixed folder /tmp/qlang-docs (so that outputs that name it stay the same), with
NO_COLOR=1 and the `qlc` next to this Python.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
WORK = Path("/tmp/qlang-docs")
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```[ \t]*$", re.S | re.M)
HEADING = re.compile(r"^##+ (Q\d{3}\b)?", re.M)  # the code of the section a block is in, if any


def _qlc() -> str:
    script = Path(sys.executable).with_name("qlc")
    return str(script) if script.exists() else (shutil.which("qlc") or "qlc")


def _info(info: str) -> tuple[str, dict[str, str]]:
    words = info.split()
    lang = words[0] if words else ""
    attrs = dict(w.split("=", 1) for w in words[1:] if "=" in w)
    return lang, attrs


def _run(command: str) -> str:
    """What COMMAND prints; `COMMAND; echo $?` also prints its exit status."""
    show_status = command.endswith("; echo $?")
    if show_status:
        command = command[: -len("; echo $?")]
    env = {**os.environ, "NO_COLOR": "1", "QLANG_CACHE": str(WORK / ".cache")}  # uncalibrated defaults
    env.pop("FORCE_COLOR", None)
    env.pop("QLANG_MEMORY_BYTES", None)
    words = shlex.split(command)
    while words and re.fullmatch(r"[A-Z_]+=.*", words[0]):
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    if words and words[0] == "qlc":
        words[0] = _qlc()
    done = subprocess.run(words, cwd=WORK, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = done.stdout.rstrip("\n")
    if show_status:
        out = (out + "\n" if out else "") + str(done.returncode)
    return out


def refresh(path: Path, check: bool) -> list[str]:
    """Rewrite the console outputs of one document; returns the problems found."""
    text = path.read_text(encoding="utf-8")
    problems: list[str] = []
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    out, last = [], 0
    for m in FENCE.finditer(text):
        lang, attrs = _info(m.group(1))
        body = m.group(2)
        line = text.count("\n", 0, m.start()) + 1
        if "file" in attrs:
            target = WORK / attrs["file"]
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body.encode(attrs.get("encoding", "utf-8")))
        if lang == "console" and body.startswith("$ "):
            command = body.split("\n", 1)[0][2:]
            words = command.split()
            if "--out" in words[:-1]:  # each example runs into a fresh folder, as on a reader's machine
                shutil.rmtree(WORK / words[words.index("--out") + 1], ignore_errors=True)
            new_body = f"$ {command}\n{_run(command)}\n"
            heading = [h for h in HEADING.finditer(text, 0, m.start())]
            if heading and heading[-1].group(1) and f"[{heading[-1].group(1)}]" not in new_body:
                problems.append(f"{path.name}:{line}: `{command}` does not report {heading[-1].group(1)}")
            if new_body != body:
                if check:
                    problems.append(f"{path.name}:{line}: the output of `{command}` is out of date")
                out.append(text[last:m.start(2)] + new_body)
                last = m.end(2)
    out.append(text[last:])
    new_text = "".join(out)
    if not check and new_text != text:
        path.write_text(new_text, encoding="utf-8")
    return problems


def check_language(path: Path) -> list[str]:
    """Every ```qlc block in the language reference checks clean and is already formatted."""
    sys.path.insert(0, str(DOCS.parent))
    from qlang.checks import check_text
    from qlang.syntax.printer import format_text

    text = path.read_text(encoding="utf-8")
    problems = []
    count = 0
    for m in FENCE.finditer(text):
        lang, attrs = _info(m.group(1))
        if lang != "qlc":
            continue
        count += 1
        body = m.group(2)
        line = text.count("\n", 0, m.start()) + 1
        result = check_text(body, f"{path.name}:{line}")
        for d in result.errors:
            problems.append(f"{path.name}:{line}: example fails the check: {d.code} {d.message}")
        _, formatted = format_text(body)
        if formatted is not None and formatted != body and attrs.get("layout") != "free":
            problems.append(f"{path.name}:{line}: example is not in `qlc fmt` layout")
    print(f"{path.name}: {count} examples checked", file=sys.stderr)
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Refresh or check the examples in docs/.")
    ap.add_argument("--check", action="store_true", help="report out-of-date outputs instead of rewriting them")
    args = ap.parse_args(argv)
    problems = refresh(DOCS / "diagnostics.md", args.check)
    problems += check_language(DOCS / "language.md")
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
