"""Imports flow one way: app -> adapters, eval -> vlm. Training (adapters) does not import the evaluation harness."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAY_NOT_IMPORT = {"vlm": {"app", "adapters", "eval"}, "adapters": {"app", "eval"}, "eval": {"app"}}


def _imported_packages(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize("package", sorted(MAY_NOT_IMPORT))
def test_imports_flow_one_way(package):
    wrong = {str(p.relative_to(ROOT)): sorted(_imported_packages(p) & MAY_NOT_IMPORT[package])
             for p in sorted((ROOT / package).rglob("*.py"))
             if p.name != "__main__.py"}   # `python -m vlm` (for `accelerate launch -m vlm`) starts the CLI
    assert {p: w for p, w in wrong.items() if w} == {}
