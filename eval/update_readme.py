"""Copy benchmark tables from eval/results/*.md into README.md between <!-- results:NAME --> markers.

    python -m eval.update_readme

so the README shows what the last benchmark run wrote, not numbers typed by hand.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def update(readme: Path = ROOT / "README.md", results: Path = ROOT / "eval" / "results") -> list[str]:
    text = readme.read_text()
    done = []

    def fill(m: re.Match) -> str:
        name = m.group(1)
        src = results / f"{name}.md"
        if not src.exists():
            return m.group(0)
        body = src.read_text().strip().replace("](", f"](eval/results/").replace("eval/results/http", "http")
        done.append(name)
        return f"<!-- results:{name} -->\n{body}\n<!-- /results:{name} -->"

    text = re.sub(r"<!-- results:([\w-]+) -->.*?<!-- /results:\1 -->", fill, text, flags=re.S)
    readme.write_text(text)
    return done


if __name__ == "__main__":
    print("updated:", ", ".join(update()) or "nothing")
    sys.exit(0)
