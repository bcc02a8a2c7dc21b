import json

import numpy as np
import pytest

from qlang.runtime.data import breast_cancer, builtin_dataset, digits, load_table, vader_lexicon, wine
from qlang.runtime.errors import RuntimeDiagnostic


def write(tmp_path, name, text):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return name


def diagnose(tmp_path, name, **kwargs) -> RuntimeDiagnostic:
    with pytest.raises(RuntimeDiagnostic) as caught:
        load_table(name, base_dir=tmp_path, **kwargs)
    return caught.value


def test_jsonl_csv_tsv_read_alike(tmp_path):
    rows = [("good film", "pos"), ("awful, truly", "neg"), ("fine", "pos")]
    write(tmp_path, "a.jsonl", "".join(json.dumps({"text": t, "label": l}) + "\n" for t, l in rows) + "\n")
    write(tmp_path, "a.csv", "text,label\n" + "".join(f'"{t}",{l}\n' for t, l in rows))
    write(tmp_path, "a.tsv", "text\tlabel\n" + "".join(f"{t}\t{l}\n" for t, l in rows))
    for name in ("a.jsonl", "a.csv", "a.tsv"):
        data = load_table(name, base_dir=tmp_path)
        assert data.texts == [t for t, _ in rows]
        assert data.label_names == ["neg", "pos"]
        assert data.labels.tolist() == [1, 0, 1]


def test_numeric_features_and_format_override(tmp_path):
    write(tmp_path, "n.txt", "a,b,y\n1,2.5,0\n3,4,1\n")
    data = load_table("n.txt", text=None, label="y", features=["a", "b"], fmt="csv", base_dir=tmp_path)
    assert data.features.tolist() == [[1.0, 2.5], [3.0, 4.0]]
    assert data.texts is None


def test_missing_file(tmp_path):
    err = diagnose(tmp_path, "nope.jsonl")
    assert (err.code, err.file) == ("Q701", "nope.jsonl")
    assert "nope.jsonl" in str(err)


def test_bad_json_names_file_line_and_column(tmp_path):
    write(tmp_path, "b.jsonl", '{"text": "ok", "label": 1}\n\n{"text": "broken", label: 0}\n')
    err = diagnose(tmp_path, "b.jsonl")
    assert (err.code, err.file, err.line) == ("Q702", "b.jsonl", 3)
    assert err.column is not None
    assert str(err).startswith(f"b.jsonl:3:{err.column}: error[Q702]")


def test_wrong_column_count(tmp_path):
    write(tmp_path, "c.csv", "text,label\nhello,1\nthere,1,extra\n")
    err = diagnose(tmp_path, "c.csv")
    assert (err.code, err.line) == ("Q702", 3)


def test_missing_column_suggests_a_name(tmp_path):
    write(tmp_path, "d.csv", "txt,label\nhello,1\n")
    err = diagnose(tmp_path, "d.csv")
    assert (err.code, err.line) == ("Q703", 1)
    assert "txt" in err.help


def test_missing_json_field_names_line(tmp_path):
    write(tmp_path, "e.jsonl", '{"text": "a", "label": 1}\n{"text": "b"}\n')
    err = diagnose(tmp_path, "e.jsonl")
    assert (err.code, err.line) == ("Q703", 2)


def test_non_numeric_feature(tmp_path):
    write(tmp_path, "f.tsv", "x\ty\n1\ta\nzz\tb\n")
    err = diagnose(tmp_path, "f.tsv", text=None, label="y", features=["x"])
    assert (err.code, err.line) == ("Q702", 3)


@pytest.mark.parametrize("content", ["", "\n\n", "text,label\n"])
def test_empty_file(tmp_path, content):
    err = diagnose(tmp_path, write(tmp_path, "g.csv", content))
    assert err.code == "Q704"


def test_unknown_format(tmp_path):
    assert diagnose(tmp_path, write(tmp_path, "h.xml", "<a/>")).code == "Q705"


def test_vader_lexicon_balanced_and_deterministic():
    data = vader_lexicon(min_abs=1.5, limit=200, seed=3)
    assert len(data) == 200
    assert np.bincount(data.labels).tolist() == [100, 100]
    assert all(t.isalpha() for t in data.texts)
    again = vader_lexicon(min_abs=1.5, limit=200, seed=3)
    assert again.texts == data.texts and np.array_equal(again.labels, data.labels)
    assert vader_lexicon(min_abs=1.5, limit=200, seed=4).texts != data.texts
    full = vader_lexicon(min_abs=2.5)
    assert np.bincount(full.labels)[0] == np.bincount(full.labels)[1]


def test_vader_labels_follow_rating_sign():
    data = vader_lexicon(min_abs=2.5)
    words = dict(zip(data.texts, data.labels))
    assert words.get("love", 1) == 1 and words.get("hate", 0) == 0


def test_sklearn_builtins():
    for loader, n, classes in ((breast_cancer, 569, 2), (wine, 178, 3), (digits, 1797, 10)):
        data = loader()
        assert data.features.shape[0] == len(data) == n
        assert data.n_classes == classes
    with pytest.raises(RuntimeDiagnostic) as caught:
        builtin_dataset("breast_cancr")
    assert "breast_cancer" in caught.value.help


def test_stratified_sample_keeps_class_shares():
    data = wine().sample(60, seed=1)
    assert len(data) == 60
    shares = np.bincount(data.labels) / 60
    assert np.allclose(shares, np.bincount(wine().labels) / 178, atol=0.02)
    assert np.array_equal(wine().sample(60, seed=1).labels, data.labels)


# ---- bad data is a Q70x diagnostic, never a crash or a hang -----------------------------------------


@pytest.mark.parametrize("bad", ["nan", "inf", "-inf", "NaN", "1e400"])
def test_non_finite_features_are_diagnosed(tmp_path, bad):
    write(tmp_path, "a.csv", f"x,y,label\n1,2,a\n3,{bad},b\n")
    err = diagnose(tmp_path, "a.csv", text=None, features=["x", "y"])
    assert err.code == "Q702" and err.line == 3 and "finite" in err.message
    write(tmp_path, "a.jsonl", '{"x": 1, "y": 2, "label": "a"}\n{"x": NaN, "y": 2, "label": "b"}\n')
    err = diagnose(tmp_path, "a.jsonl", text=None, features=["x", "y"])
    assert err.code == "Q702" and err.line == 2 and "finite" in err.message


def test_deeply_nested_json_is_diagnosed(tmp_path):
    depth = 100_000
    write(tmp_path, "a.jsonl", '{"text": "ok", "label": "a"}\n{"text": ' + "[" * depth + "]" * depth + ', "label": "b"}\n')
    err = diagnose(tmp_path, "a.jsonl")
    assert err.code == "Q702" and err.line == 2 and "nested" in err.message


def test_an_unterminated_csv_quote_is_diagnosed(tmp_path):
    write(tmp_path, "a.csv", 'text,label\ngood,a\n"never closed,b\n' + "x" * 200_000 + "\n")
    err = diagnose(tmp_path, "a.csv")
    assert err.code == "Q702" and err.line == 3 and "field larger than field limit" in err.message
    assert "quote" in err.help


def test_a_line_over_the_bound_is_diagnosed(tmp_path, monkeypatch):
    from qlang.runtime import data

    monkeypatch.setattr(data, "MAX_LINE_CHARS", 1000)
    write(tmp_path, "a.jsonl", '{"text": "ok", "label": "a"}\n{"text": "' + "x" * 5000 + '", "label": "b"}\n')
    err = diagnose(tmp_path, "a.jsonl")
    assert err.code == "Q702" and err.line == 2 and "longer than" in err.message


def test_devices_fifos_and_folders_are_not_data_files(tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.csv")
    (tmp_path / "folder.csv").mkdir()
    for path in ("/dev/zero", str(tmp_path / "pipe.csv"), "folder.csv"):
        err = diagnose(tmp_path, path, fmt="csv")
        assert err.code == "Q701" and "not a regular file" in err.message


def test_the_plan_counts_no_rows_in_devices_and_fifos(tmp_path):
    import os

    from qlang.catalog.costs import data_rows

    os.mkfifo(tmp_path / "pipe.csv")  # opening it would block for ever
    for path in ("/dev/zero", "pipe.csv"):  # reading /dev/zero would never end
        assert data_rows({"name": "file", "params": {"path": path, "limit": None}}, tmp_path) == (1, 2)
    write(tmp_path, "rows.csv", "text,label\n" + "a,b\n\n" * 5 + "  \n")
    assert data_rows({"name": "file", "params": {"path": "rows.csv", "limit": None}}, tmp_path) == (5, 2)
