"""Labelled datasets: user tables (JSONL, CSV, TSV) and built-in sets that ship inside installed packages."""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from qlang.diagnostics import did_you_mean, one_of
from qlang.runtime.errors import (
    EMPTY_DATA,
    FILE_NOT_FOUND,
    MALFORMED_ROW,
    MISSING_COLUMN,
    UNKNOWN_NAME,
    RuntimeDiagnostic,
)


@dataclass
class Dataset:
    texts: list[str] | None
    features: np.ndarray | None  # (N, F) float64
    labels: np.ndarray  # (N,) int, indexes label_names
    label_names: list[str]
    name: str
    source: str
    clusters: np.ndarray | None = None  # (N,) cluster ids, set by a curation stage

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def n_classes(self) -> int:
        return len(self.label_names)

    def subset(self, index: np.ndarray) -> Dataset:
        index = np.asarray(index)
        return replace(
            self,
            texts=None if self.texts is None else [self.texts[i] for i in index],
            features=None if self.features is None else self.features[index],
            labels=self.labels[index],
            clusters=None if self.clusters is None else self.clusters[index],
        )

    def sample(self, n: int | None, seed: int) -> Dataset:
        """A deterministic, class-stratified subsample of n rows (all rows when n is None or >= N)."""
        if n is None or int(n) >= len(self):
            return self
        n = int(n)
        rng = np.random.default_rng(seed)
        order = rng.permutation(len(self))
        # Rank each row within its class and take the rows whose rank is the smallest fraction of their
        # class size: every class keeps its share.
        position = np.empty(len(self))
        for c in np.unique(self.labels):
            members = order[self.labels[order] == c]
            position[members] = (np.arange(len(members)) + 0.5) / len(members)
        chosen = order[np.argsort(position[order], kind="stable")[:n]]
        return self.subset(np.sort(chosen))


# ---- user tables -------------------------------------------------------------------------------

_FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv", ".tab": "tsv"}


def load_table(
    path: str | Path,
    text: str | None = "text",
    label: str = "label",
    features: list[str] | None = None,
    fmt: str | None = None,
    base_dir: str | Path = ".",
) -> Dataset:
    """Read a labelled table; `text` names the text column, `features` the numeric columns."""
    file = Path(base_dir) / path
    shown = str(path)
    if fmt is None:
        fmt = _FORMATS.get(file.suffix.lower())
        if fmt is None:
            raise RuntimeDiagnostic(
                UNKNOWN_NAME,
                f"cannot tell the format of '{shown}' from its extension",
                file=shown,
                help="use a .jsonl, .csv or .tsv file, or name the format (jsonl, csv, tsv)",
            )
    elif fmt not in ("jsonl", "csv", "tsv"):
        raise RuntimeDiagnostic(UNKNOWN_NAME, f"unknown data format '{fmt}'", file=shown, help="use jsonl, csv or tsv")
    if text is None and not features:
        raise RuntimeDiagnostic(MISSING_COLUMN, "the data names neither a text column nor feature columns", file=shown)
    if not file.is_file():
        if file.exists():  # a device (/dev/zero), a FIFO, a folder: no end, or no rows, to read
            raise RuntimeDiagnostic(
                FILE_NOT_FOUND,
                f"data file '{shown}' is not a regular file",
                file=shown,
                help="qlang reads data from regular files; save the data as a .jsonl, .csv or .tsv file",
            )
        raise RuntimeDiagnostic(
            FILE_NOT_FOUND,
            f"data file '{shown}' not found",
            file=shown,
            help=f"paths are relative to {Path(base_dir).resolve()}",
        )
    wanted = ([text] if text is not None else []) + [label] + list(features or [])
    try:
        rows = list(_jsonl_rows(file, shown, wanted) if fmt == "jsonl" else _delimited_rows(file, shown, wanted, fmt))
    except UnicodeDecodeError as err:
        raise RuntimeDiagnostic(MALFORMED_ROW, f"file is not UTF-8 text ({err.reason})", file=shown) from None
    if not rows:
        raise RuntimeDiagnostic(EMPTY_DATA, "the data file has no rows", file=shown)

    texts = [_text_value(r[text], shown, line, text) for line, r in rows] if text is not None else None
    feature_matrix = None
    if features:
        feature_matrix = np.array(
            [[_number_value(r[c], shown, line, c) for c in features] for line, r in rows], dtype=np.float64
        )
    raw_labels = [_label_value(r[label], shown, line, label) for line, r in rows]
    labels, names = _encode_labels(raw_labels)
    return Dataset(texts, feature_matrix, labels, names, name=file.stem, source=str(file.resolve()))


# Bounds on what one row may hold, so a malformed file is a diagnostic and not a crash or a hang.
MAX_LINE_CHARS = 16 * 2**20  # one JSONL line (a CSV field has csv's own limit, 131,072 characters)


def _lines(handle, shown: str):
    """(line number, line) of a text file, each line at most MAX_LINE_CHARS long (else Q702)."""
    line_no = 0
    while line := handle.readline(MAX_LINE_CHARS + 1):
        line_no += 1
        if len(line) > MAX_LINE_CHARS and not line.endswith("\n"):
            raise RuntimeDiagnostic(
                MALFORMED_ROW,
                f"line is longer than {MAX_LINE_CHARS:,} characters",
                file=shown,
                line=line_no,
                help="each line of a JSONL file holds one row: a JSON object with the row's fields",
            )
        yield line_no, line


def _jsonl_rows(file: Path, shown: str, wanted: list[str]):
    with open(file, encoding="utf-8-sig") as handle:
        for line_no, line in _lines(handle, shown):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as err:
                raise RuntimeDiagnostic(
                    MALFORMED_ROW, f"invalid JSON: {err.msg}", file=shown, line=line_no, column=err.colno
                ) from None
            except RecursionError:  # CPython's parser recurses once per level and stops at the recursion limit
                raise RuntimeDiagnostic(
                    MALFORMED_ROW,
                    "JSON nested too deeply",
                    file=shown,
                    line=line_no,
                    help="a row is a JSON object whose fields are strings, numbers or short lists",
                ) from None
            if not isinstance(row, dict):
                raise RuntimeDiagnostic(
                    MALFORMED_ROW, "each line must be a JSON object", file=shown, line=line_no, column=1
                )
            for name in wanted:
                if name not in row:
                    raise RuntimeDiagnostic(
                        MISSING_COLUMN,
                        f"row has no field '{name}'",
                        file=shown,
                        line=line_no,
                        help=_did_you_mean(name, row.keys()),
                    )
            yield line_no, row


def _delimited_rows(file: Path, shown: str, wanted: list[str], fmt: str):
    with open(file, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t" if fmt == "tsv" else ",")
        header = None
        header_line = 0
        for line_no, row in _csv_rows(reader, shown):
            if not row:
                continue
            if header is None:
                header, header_line = [h.strip() for h in row], line_no
                for name in wanted:
                    if name not in header:
                        raise RuntimeDiagnostic(
                            MISSING_COLUMN,
                            f"the header has no column '{name}'",
                            file=shown,
                            line=header_line,
                            help=_did_you_mean(name, header),
                        )
                continue
            if len(row) != len(header):
                raise RuntimeDiagnostic(
                    MALFORMED_ROW,
                    f"row has {len(row)} columns, the header has {len(header)}",
                    file=shown,
                    line=line_no,
                )
            yield line_no, dict(zip(header, row))


def _csv_rows(reader, shown: str):
    """(first line number, fields) of each CSV/TSV record; csv's own errors (a field over its 131,072
    characters, usually a quote never closed) are Q702 at the record where they start."""
    start = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise RuntimeDiagnostic(
                MALFORMED_ROW,
                f"malformed row: {err}",
                file=shown,
                line=start,
                help='a quote (") that is never closed makes the rest of the file one field; close it, '
                "or write a quote inside a field as two quotes",
            ) from None
        yield start, row
        start = reader.line_num + 1


def _text_value(value, file: str, line: int, column: str) -> str:
    if not isinstance(value, str):
        raise RuntimeDiagnostic(MALFORMED_ROW, f"'{column}' must be a string, got {value!r}", file=file, line=line)
    return value


def _number_value(value, file: str, line: int, column: str) -> float:
    try:
        if isinstance(value, bool):
            raise TypeError  # a bool is not a number here, though Python says it is
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise RuntimeDiagnostic(
            MALFORMED_ROW, f"'{column}' must be a number, got {_short(value)}", file=file, line=line
        ) from None
    if not math.isfinite(number):  # nan and inf poison every distance, kernel and fit downstream
        raise RuntimeDiagnostic(
            MALFORMED_ROW,
            f"'{column}' must be a finite number, got {_short(value)}",
            file=file,
            line=line,
            help="fill or drop the rows with missing (nan) or infinite values before the run",
        )
    return number


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def _label_value(value, file: str, line: int, column: str) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RuntimeDiagnostic(MALFORMED_ROW, f"row has an empty label '{column}'", file=file, line=line)
    return str(value).strip()


def _encode_labels(raw: list[str]) -> tuple[np.ndarray, list[str]]:
    names = sorted(set(raw))
    try:
        names.sort(key=float)
    except ValueError:
        pass
    index = {name: i for i, name in enumerate(names)}
    return np.array([index[v] for v in raw], dtype=np.int64), names


def _did_you_mean(name: str, choices) -> str:
    choices = [str(c) for c in choices]
    hint = did_you_mean(name, choices)
    return (hint + " " if hint else "") + f"available: {one_of(choices)}"


# ---- built-in datasets -------------------------------------------------------------------------


def vader_lexicon(min_abs: float = 1.5, limit: int | None = None, seed: int = 0) -> Dataset:
    """Words of the human-rated VADER lexicon whose mean rating is at least `min_abs` from neutral,
    labelled by the sign of that rating; classes balanced, subsampled deterministically by `seed`."""
    import vaderSentiment

    file = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    by_class: dict[int, list[str]] = {0: [], 1: []}
    with open(file, encoding="utf-8") as handle:
        for line in handle:
            token, mean = line.rstrip("\r\n").split("\t")[:2]
            rating = float(mean)
            if token.isascii() and token.isalpha() and abs(rating) >= min_abs:
                by_class[int(rating > 0)].append(token)
    per_class = min(len(by_class[0]), len(by_class[1]))
    if limit is not None:
        per_class = min(per_class, limit // 2)
    rng = np.random.default_rng(seed)
    chosen = [(word, c) for c in (0, 1) for word in rng.permutation(sorted(by_class[c]))[:per_class]]
    order = rng.permutation(len(chosen))
    return Dataset(
        texts=[str(chosen[i][0]) for i in order],
        features=None,
        labels=np.array([chosen[i][1] for i in order], dtype=np.int64),
        label_names=["negative", "positive"],
        name="vader_lexicon",
        source=str(file),
    )


def _sklearn_dataset(name: str) -> Dataset:
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, f"load_{name}")()
    return Dataset(
        texts=None,
        features=np.asarray(bunch.data, dtype=np.float64),
        labels=np.asarray(bunch.target, dtype=np.int64),
        label_names=[str(n) for n in bunch.target_names],
        name=name,
        source=f"sklearn.datasets.load_{name}",
    )


def breast_cancer() -> Dataset:
    return _sklearn_dataset("breast_cancer")


def wine() -> Dataset:
    return _sklearn_dataset("wine")


def digits() -> Dataset:
    return _sklearn_dataset("digits")


BUILTIN_DATASETS = {"vader_lexicon": vader_lexicon, "breast_cancer": breast_cancer, "wine": wine, "digits": digits}


def builtin_dataset(name: str, **kwargs) -> Dataset:
    if name not in BUILTIN_DATASETS:
        raise RuntimeDiagnostic(
            UNKNOWN_NAME, f"unknown built-in dataset '{name}'", help=_did_you_mean(name, BUILTIN_DATASETS)
        )
    return BUILTIN_DATASETS[name](**kwargs)
