"""Load benchmark for `vlm serve`: concurrent streaming clients on real clips, the queue limit, memory over many
requests, and what watching a video once saves.

    python -m eval.bench_serve [--out eval/results] [--requests-per-client 3] [--memory-requests 200]

Starts `vlm serve` (the embedded assistant, the real clips as the allowed media folder) in its own process on a
free loopback port, then, from this process: 1, 4 and 8 concurrent clients each streaming questions from the QA
benchmark's test half (answers checked with its accept patterns); time to first token p50/p95 and completion
tokens/s overall; 2x the queue limit fired at once (429s, not hangs); `--memory-requests` requests in a row with
the server's RSS sampled; the same question on a video already watched against a new one. Writes serve.json and
serve.md.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, media: Path, max_queue: int):
        self.port = _port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "vlm", "serve", "--port", str(self.port),
                                      "--allowed-local-media-path", str(media), "--max-queue", str(max_queue)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    def wait_ready(self, timeout: float = 180) -> float:
        import httpx2

        t0 = time.perf_counter()
        while time.perf_counter() - t0 < timeout:
            try:
                if httpx2.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return time.perf_counter() - t0
            except httpx2.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"vlm serve exited: {self.proc.stderr.read()[-2000:]}")
            time.sleep(0.5)
        raise TimeoutError("vlm serve did not get ready")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(20)


def ask(url: str, clip: Path, question: str, *, max_tokens: int = 48, timeout: float = 600) -> dict:
    """One streamed request: time to the first content token, the answer, completion tokens, status."""
    import httpx2

    body = {"model": "vlm", "stream": True, "max_tokens": max_tokens, "stream_options": {"include_usage": True},
            "messages": [{"role": "user", "content": [{"type": "video_url", "video_url": {"url": f"file://{clip}"}},
                                                      {"type": "text", "text": question}]}]}
    t0 = time.perf_counter()
    first, text, usage = None, [], {}
    with httpx2.Client(timeout=timeout) as http:
        with http.stream("POST", f"{url}/v1/chat/completions", json=body) as r:
            if r.status_code != 200:
                r.read()
                return {"status": r.status_code, "seconds": time.perf_counter() - t0}
            for line in r.iter_lines():
                if not line.startswith("data: ") or line == "data: [DONE]":
                    continue
                chunk = json.loads(line[6:])
                if chunk.get("usage"):
                    usage = chunk["usage"]
                for c in chunk.get("choices", []):
                    piece = c["delta"].get("content")
                    if piece:
                        first = first or time.perf_counter() - t0
                        text.append(piece)
    return {"status": 200, "ttft": first, "seconds": time.perf_counter() - t0, "answer": "".join(text).strip(),
            "tokens": usage.get("completion_tokens", 0)}


def concurrency(url: str, jobs: list[tuple[Path, dict]], clients: int, per_client: int) -> dict:
    work = [jobs[(c * per_client + k) % len(jobs)] for c in range(clients) for k in range(per_client)]
    t0 = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = list(pool.map(lambda j: {**ask(url, j[0], j[1]["turns"][0]), "q": j[1]}, work))
    wall = time.perf_counter() - t0
    ok = [r for r in results if r["status"] == 200]
    ttfts = sorted(r["ttft"] for r in ok if r["ttft"] is not None)
    right = sum(bool(re.search(r["q"]["accept"], r["answer"], re.I) and not (r["q"].get("reject") and
                re.search(r["q"]["reject"], r["answer"], re.I))) for r in ok)
    return {"clients": clients, "requests": len(results), "completed": len(ok), "right": right,
            "ttft_p50": statistics.median(ttfts) if ttfts else None,
            "ttft_p95": ttfts[min(len(ttfts) - 1, round(0.95 * (len(ttfts) - 1)))] if ttfts else None,
            "tokens_per_s": sum(r["tokens"] for r in ok) / wall, "wall_s": wall}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("eval/results"))
    p.add_argument("--requests-per-client", type=int, default=3)
    p.add_argument("--memory-requests", type=int, default=200)
    p.add_argument("--max-queue", type=int, default=8)
    args = p.parse_args(argv)

    from eval.bench_qa import load_questions
    from vlm.samples import shared_videos_dir

    root = shared_videos_dir()
    jobs = [(root / q["clip"], q) for q in load_questions(split="test") if "accept" in q and len(q["turns"]) == 1
            and q["kind"] in ("activity", "said", "written", "object", "count")]
    server = Server(root, args.max_queue)
    res: dict = {"max_queue": args.max_queue}
    try:
        res["ready_s"] = server.wait_ready()
        ask(server.url, jobs[0][0], "What is happening?", max_tokens=4)   # warm-up: models, perception
        res["load"] = [concurrency(server.url, jobs, c, args.requests_per_client) for c in (1, 4, 8)]
        for row in res["load"]:
            print(json.dumps(row), file=sys.stderr)
        n = 2 * args.max_queue
        with ThreadPoolExecutor(n) as pool:
            burst = list(pool.map(lambda k: ask(server.url, jobs[k % len(jobs)][0], "What is it?", max_tokens=16,
                                                timeout=300), range(n)))
        res["burst"] = {"sent": n, "ok": sum(r["status"] == 200 for r in burst),
                        "rejected_429": sum(r["status"] == 429 for r in burst),
                        "slowest_s": max(r["seconds"] for r in burst)}
        new = next(root / q["clip"] for q in load_questions(split="dev") if root / q["clip"] not in {j[0] for j in jobs})
        res["first_watch"] = ask(server.url, new, "What is in the video?", max_tokens=1)["ttft"]
        res["watched_again"] = ask(server.url, new, "And what else?", max_tokens=1)["ttft"]
        rss, clips = [], sorted({j[0] for j in jobs})
        for k in range(args.memory_requests):
            ask(server.url, clips[k % len(clips)], "What is happening?", max_tokens=8)
            if k % 20 == 0 or k == args.memory_requests - 1:
                rss.append((k + 1, round(server.rss_mb(), 1)))
        res["rss_mb"] = rss
    finally:
        server.stop()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "serve.json").write_text(json.dumps(res, indent=2) + "\n")
    md = table(res)
    (args.out / "serve.md").write_text(md)
    print(md)
    return 0


def table(res: dict) -> str:
    lines = ["| concurrent streaming clients | requests | completed | right answers | TTFT p50 (s) | TTFT p95 (s) | "
             "completion tokens/s overall |", "|---|---|---|---|---|---|---|"]
    for r in res["load"]:
        lines.append(f"| {r['clients']} | {r['requests']} | {r['completed']} | {r['right']} | {r['ttft_p50']:.2f} | "
                     f"{r['ttft_p95']:.2f} | {r['tokens_per_s']:.1f} |")
    b, rss = res["burst"], res["rss_mb"]
    lines += ["", f"Queue limit {res['max_queue']}: {b['sent']} requests at once gave {b['ok']} answers and "
              f"{b['rejected_429']} immediate 429s (slowest answer {b['slowest_s']:.1f} s; none hung).",
              f"A video already watched: first token after {res['watched_again']:.2f} s against {res['first_watch']:.2f} s "
              f"the first time ({res['first_watch'] - res['watched_again']:.2f} s of decoding, encoding and perception "
              "saved).",
              f"Server RSS over {rss[-1][0]} requests in a row: " + ", ".join(f"{mb:.0f} MB after {k}" for k, mb in rss)
              + f" (first to last: {rss[-1][1] - rss[0][1]:+.0f} MB)."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
