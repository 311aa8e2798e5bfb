"""`vlm summary` reproduces the lecture's tables."""
import pytest

from vlm.encoders import build_encoder
from vlm.summary import summarize


def _rows(name, shape, **kw):
    C, T, H, W = shape
    model = build_encoder(name, **kw)
    rows, totals = summarize(model, shape)
    return [(r.size, r.rf) for r in rows if r.kind != "Linear"], rows, totals


@pytest.mark.parametrize("name,kw,expected", [
    ("late-fusion", {}, [("12 x 20 x 64 x 64", (1, 3, 3)), ("12 x 20 x 16 x 16", (1, 6, 6)),
                         ("24 x 20 x 16 x 16", (1, 14, 14)), ("24", (20, 64, 64))]),
    ("early-fusion", {"num_frames": 20}, [("12 x 64 x 64", (20, 3, 3)), ("12 x 16 x 16", (20, 6, 6)),
                                          ("24 x 16 x 16", (20, 14, 14)), ("24", (20, 64, 64))]),
    ("3d-cnn", {}, [("12 x 20 x 64 x 64", (3, 3, 3)), ("12 x 5 x 16 x 16", (6, 6, 6)),
                    ("24 x 5 x 16 x 16", (14, 14, 14)), ("24", (20, 64, 64))]),
])
def test_lecture_fusion_tables(name, kw, expected):
    rows, _, _ = _rows(name, (3, 20, 64, 64), num_classes=10, **kw)
    assert rows == expected


def test_c3d_multiply_adds_per_conv_and_total():
    _, rows, totals = _rows("c3d", (3, 16, 112, 112), num_classes=101)
    convs = [round(r.macs / 1e9, 2) for r in rows if r.kind == "Conv3d"]
    assert convs == [1.04, 11.10, 5.55, 11.10, 2.77, 5.55, 0.69, 0.69]
    assert round(totals["conv_macs"] / 1e9, 1) == 38.5
    fc = [r for r in rows if r.kind == "Linear"]
    assert fc[0].macs == 4608 * 4096 and fc[1].macs == 4096 * 4096


def test_summary_cli_rejects_bad_input(capsys):
    from app.cli import main

    assert main(["summary", "3d-cnn", "--input", "3x20x64"]) == 2
    assert "needs 4 numbers" in capsys.readouterr().err
    assert main(["summary", "3d-cnn", "--input", "3x20x64x64"]) == 0
    assert "14 x 14 x 14" in capsys.readouterr().out
