"""App start-up benchmark: `streamlit run` to the first interactive page (chat box ready on a sample clip).

    python -m eval.bench_app [--out eval/results] [--runs 3]

Measures, in a real browser (Debian's Chromium via Playwright), the seconds from launching the server process to
(a) the page answering HTTP, (b) the first interactive page (player and chat box drawn; the models load in the
background meanwhile) and (c) the models ready with the sample clip watched (the frame strip drawn). The model
cache must exist (`make setup`). Target for (b): <= 5 s. Writes app.json and app.md.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_startup(browser) -> dict:
    port = _free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app" / "streamlit_app.py"),
                             "--server.port", str(port), "--server.address", "127.0.0.1"], cwd=ROOT,
                            env={**os.environ, "HF_HUB_OFFLINE": "1"}, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        t_http = time.perf_counter() - t0
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        page.get_by_placeholder("Ask about the video").wait_for(timeout=120_000)
        t_interactive = time.perf_counter() - t0
        page.get_by_text("What the model sees:").wait_for(timeout=120_000)
        t_ready = time.perf_counter() - t0
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return {"http_s": t_http, "interactive_s": t_interactive, "models_ready_s": t_ready}


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("eval/results"))
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args(argv)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        runs = [one_startup(browser) for _ in range(args.runs)]
        browser.close()
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "app.json").write_text(json.dumps({"runs": runs, "median": med}, indent=2) + "\n")
    md = (f"| start-up (median of {args.runs}) | seconds |\n|---|---|\n"
          f"| server answers HTTP | {med['http_s']:.2f} |\n"
          f"| first interactive page (player and chat box; models loading) | {med['interactive_s']:.2f} |\n"
          f"| models loaded and the sample clip watched (frame strip shown) | {med['models_ready_s']:.2f} |\n")
    (args.out / "app.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
