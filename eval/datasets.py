"""Labelled video datasets for evaluation: CSV manifests, class folders, UCF101, HMDB51 and Kinetics-style CSVs.

Every loader collects all problems (missing files, paths escaping the root, unknown labels, undecodable clips,
malformed rows) and raises them together in one `DatasetError`, or, with skip_bad=True, drops the bad samples
and lists them in `Dataset.skipped`.
"""
from __future__ import annotations

import csv
import re
from pathlib import Path

from vlm.features import Dataset, DatasetError, VideoSample  # noqa: F401  (the clip lists training uses too)
from vlm.video import VIDEO_EXTENSIONS, VideoReadError, probe


def label_to_text(label: str) -> str:
    """'ApplyEyeMakeup' / 'apply_eye_makeup' / 'apply-eye-makeup' -> 'apply eye makeup'."""
    s = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", label.replace("_", " ").replace("-", " "))
    return re.sub(r"\s+", " ", s).strip().lower()


def _finish(name: str, source, rows: list[tuple[Path, str]], classes: list[str] | None, texts: dict[str, str],
            root: Path, problems: list[str], *, skip_bad: bool, check_decode: bool) -> Dataset:
    """Shared checks for every format; rows are (path, label) pairs."""
    root = root.resolve()
    known = set(classes) if classes is not None else None
    good, bad = [], list(problems)
    for path, label in rows:
        where = f"{path}"
        resolved = path.resolve()
        if not resolved.is_relative_to(root):
            bad.append(f"{where}: path escapes the dataset root {root}")
        elif known is not None and label not in known:
            bad.append(f"{where}: unknown label {label!r}")
        elif not resolved.exists():
            bad.append(f"{where}: missing file")
        else:
            if check_decode:
                try:
                    probe(resolved)
                except VideoReadError as e:
                    bad.append(f"{where}: {e.reason}")
                    continue
            good.append(VideoSample(resolved, label))
    if bad and not skip_bad:
        raise DatasetError(source, bad)
    classes = classes if classes is not None else sorted({s.label for s in good})
    if not good:
        raise DatasetError(source, bad + ["no usable samples"])
    texts = {c: texts.get(c) or label_to_text(c) for c in classes}
    return Dataset(name, good, classes, texts, skipped=bad)


def load_manifest(path: str | Path, *, split: str | None = None, skip_bad: bool = False,
                  check_decode: bool = True) -> Dataset:
    """CSV with columns path,label[,text][,split]; paths relative to the CSV's folder."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(path, ["manifest not found"])
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        cols = set(reader.fieldnames or [])
        if not {"path", "label"} <= cols:
            raise DatasetError(path, [f"needs columns 'path' and 'label'; found {sorted(cols)}"])
        if split and "split" not in cols:
            raise DatasetError(path, [f"--split {split!r} given but the manifest has no 'split' column"])
        rows, texts, problems = [], {}, []
        for line, row in enumerate(reader, start=2):
            if split and row.get("split") != split:
                continue
            if not (row.get("path") or "").strip() or not (row.get("label") or "").strip():
                problems.append(f"line {line}: empty path or label")
                continue
            rows.append((path.parent / row["path"].strip(), row["label"].strip()))
            if row.get("text"):
                texts.setdefault(row["label"].strip(), row["text"].strip())
    if not rows and not problems:
        raise DatasetError(path, [f"no rows{f' in split {split!r}' if split else ''}"])
    name = f"{path.parent.name}/{path.name}" + (f":{split}" if split else "")
    return _finish(name, path, rows, None, texts, path.parent, problems, skip_bad=skip_bad, check_decode=check_decode)


def load_folder(root: str | Path, *, skip_bad: bool = False, check_decode: bool = True) -> Dataset:
    """One sub-folder per class, videos inside (any depth)."""
    root = Path(root)
    classes = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    rows = [(p, c) for c in classes for p in sorted((root / c).rglob("*")) if p.suffix.lower() in VIDEO_EXTENSIONS]
    return _finish(root.name, root, rows, classes, {}, root, [], skip_bad=skip_bad, check_decode=check_decode)


def load_ucf101(root: str | Path, splits_dir: str | Path | None = None, *, split: int = 1, skip_bad: bool = False,
                check_decode: bool = True) -> Dataset:
    """UCF101: classInd.txt ('1 ApplyEyeMakeup') + testlist0N.txt ('ApplyEyeMakeup/v_..._c01.avi')."""
    root = Path(root)
    sd = Path(splits_dir) if splits_dir else root
    classes, problems = [], []
    for n, line in enumerate(_lines(sd / "classInd.txt"), start=1):
        parts = line.split()
        if len(parts) != 2 or not parts[0].isdigit():
            problems.append(f"classInd.txt line {n}: expected 'INDEX Name', got {line!r}")
            continue
        classes.append(parts[1])
    rows = []
    for line in _lines(sd / f"testlist0{split}.txt"):
        rel = line.split()[0]
        rows.append((root / rel, rel.split("/")[0]))
    return _finish(f"ucf101-split{split}", sd, rows, classes, {}, root, problems, skip_bad=skip_bad,
                   check_decode=check_decode)


def load_hmdb51(root: str | Path, splits_dir: str | Path, *, split: int = 1, skip_bad: bool = False,
                check_decode: bool = True) -> Dataset:
    """HMDB51: '<class>_test_split<N>.txt' files with lines 'video.avi 0|1|2' (2 = test), videos in root/<class>/."""
    root, sd = Path(root), Path(splits_dir)
    files = sorted(sd.glob(f"*_test_split{split}.txt"))
    if not files:
        raise DatasetError(sd, [f"no *_test_split{split}.txt files"])
    classes, rows, problems = [], [], []
    for f in files:
        cls = f.name[: -len(f"_test_split{split}.txt")]
        classes.append(cls)
        for n, line in enumerate(_lines(f), start=1):
            parts = line.split()
            if len(parts) != 2 or parts[1] not in "012":
                problems.append(f"{f.name} line {n}: expected 'video.avi 0|1|2', got {line!r}")
            elif parts[1] == "2":
                rows.append((root / cls / parts[0], cls))
    return _finish(f"hmdb51-split{split}", sd, rows, classes, {}, root, problems, skip_bad=skip_bad,
                   check_decode=check_decode)


def load_kinetics(csv_path: str | Path, videos_dir: str | Path, *, split: str | None = None, skip_bad: bool = False,
                  check_decode: bool = True) -> Dataset:
    """Kinetics CSV (label,youtube_id,time_start,time_end,split) mapped to local files named
    '{youtube_id}_{time_start:06d}_{time_end:06d}.mp4', under videos_dir or videos_dir/<label>/."""
    csv_path, vdir = Path(csv_path), Path(videos_dir)
    rows, problems = [], []
    with open(csv_path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        need = {"label", "youtube_id", "time_start", "time_end"}
        if not need <= set(reader.fieldnames or []):
            raise DatasetError(csv_path, [f"needs columns {sorted(need)}; found {reader.fieldnames}"])
        for n, r in enumerate(reader, start=2):
            if split and r.get("split") != split:
                continue
            try:
                name = f"{r['youtube_id']}_{int(float(r['time_start'])):06d}_{int(float(r['time_end'])):06d}.mp4"
            except ValueError:
                problems.append(f"line {n}: bad time_start/time_end {r['time_start']!r}, {r['time_end']!r}")
                continue
            nested = vdir / r["label"] / name
            rows.append((nested if nested.exists() else vdir / name, r["label"]))
    return _finish(csv_path.name, csv_path, rows, None, {}, vdir, problems, skip_bad=skip_bad,
                   check_decode=check_decode)


def _lines(path: Path) -> list[str]:
    if not path.is_file():
        raise DatasetError(path, ["file not found"])
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]


def load_dataset(source: str | Path, *, split: str | None = None, skip_bad: bool = False, fmt: str = "auto",
                 splits_dir: str | Path | None = None, check_decode: bool = True) -> Dataset:
    """Pick the loader: a .csv manifest (or Kinetics CSV with fmt='kinetics'), UCF101/HMDB51 with splits_dir,
    else a folder of class folders."""
    source = Path(source)
    kw = {"skip_bad": skip_bad, "check_decode": check_decode}
    if fmt == "auto":
        fmt = "manifest" if source.suffix == ".csv" else "ucf101" if (Path(splits_dir or source) / "classInd.txt").exists() \
            else "folder"
    if fmt == "manifest":
        return load_manifest(source, split=split, **kw)
    if fmt == "folder":
        return load_folder(source, **kw)
    if fmt == "ucf101":
        return load_ucf101(source, splits_dir, split=int(split or 1), **kw)
    if fmt == "hmdb51":
        if not splits_dir:
            raise ValueError("hmdb51 needs --splits-dir (the folder of *_test_split1.txt files)")
        return load_hmdb51(source, splits_dir, split=int(split or 1), **kw)
    if fmt == "kinetics":
        if not splits_dir:
            raise ValueError("kinetics needs --splits-dir pointing at the videos folder; SOURCE is the CSV")
        return load_kinetics(source, splits_dir, split=split, **kw)
    raise ValueError(f"Unknown dataset format {fmt!r}; available: ['auto', 'folder', 'hmdb51', 'kinetics', "
                     f"'manifest', 'ucf101']")
