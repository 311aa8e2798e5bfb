"""Real-clip QA benchmark: does the assistant answer what was asked, from what the video shows, or say it cannot
tell? Questions in eval/qa/questions.jsonl (see eval/qa/README.md), split by clip into dev and test.

    python -m eval.bench_qa [--split test] [--systems blind assistant reader ...] [--reader DIR] [--out eval/results]
        [--paraphrased]     # the test half's questions in other words (eval/qa/paraphrases.jsonl)
        [--questions eval/qa/rewordings.jsonl --split dev]   # 432 rewordings on development clips

Systems, side by side in one run: `blind` (the same LLM, the question alone: no video, no facts), `assistant`
(the embedded assistant without the reader: facts + untrained video tokens, as before issue 15), `reader` (the
same with the trained reader adapter, the default: decoded from the GGUF's int4 codes, with the extractive
routes of VideoAssistant.stream for "when", "What <kind> ...?" and watermark-only questions), `reader-dense`
(the reader decoded on the dense bf16 weights, token-identical to transformers' generate) and `reader-llm-only`
(the reader without the extractive routes). Per kind: accuracy (accept/reject patterns, or a time in the right window),
first-sentence accuracy, hallucination rate (eval.qa_scoring.unsupported), answer length.
Follow-up questions are asked after the system's own answer to the first turn. Writes qa.json, qa.md and qa.png.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

from eval.qa_scoring import correct, facts_hold_answer, first_sentence, sentences, unsupported

QUESTIONS = Path(__file__).with_name("qa") / "questions.jsonl"
PARAPHRASES = Path(__file__).with_name("qa") / "paraphrases.jsonl"  # other wordings of the test half's questions
SYSTEMS = ("blind", "assistant", "reader", "reader-dense")
ABLATIONS = ("reader-llm-only",)  # the reader without the extractive routes (VideoAssistant.stream)
MAX_NEW_TOKENS = {"describe": 120}


def load_questions(path: Path = QUESTIONS, split: str | None = None, *, paraphrased: bool = False) -> list[dict]:
    """The questions of a split; `paraphrased`: each with its other wording (PARAPHRASES) where it has one, under
    the same accept/reject patterns (the questions without one are left out)."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    rows = [r for r in rows if split in (None, "all", r["split"])]
    if paraphrased:
        other = {p["id"]: p["turns"] for p in (json.loads(x) for x in PARAPHRASES.read_text().splitlines() if x.strip())}
        rows = [{**r, "turns": other[r["id"]]} for r in rows if r["id"] in other]
    return rows


def build_system(name: str, reader: str | None):
    from vlm.assistant import VideoAssistant

    if name in ("reader", "reader-dense", "reader-llm-only"):
        from vlm.reader import default_reader_dir

        assistant = VideoAssistant.from_adapter(reader or default_reader_dir())
        assistant.int4 = name != "reader-dense"     # reader-dense: the dense decoder, token-identical to generate
        assistant.extractive = assistant.extractive and name != "reader-llm-only"
        return assistant
    return VideoAssistant.build()


def run_system(name: str, questions: list[dict], videos_root: Path, *, reader: str | None = None,
               progress: bool = True) -> list[dict]:
    from tqdm import tqdm

    assistant = build_system(name, reader)
    watched: dict[str, object] = {}
    out = []
    for q in tqdm(questions, desc=name, disable=not progress, dynamic_ncols=True):
        path = videos_root / q["clip"]
        if q["clip"] not in watched:
            watched[q["clip"]] = assistant.watch(path)
        video = watched[q["clip"]]
        history: list[dict] = []
        t = time.perf_counter()
        for turn in q["turns"]:
            answer = assistant.answer(None if name == "blind" else video, turn, history,
                                      max_new_tokens=MAX_NEW_TOKENS.get(q["kind"], 64))
            history += [{"role": "user", "content": turn}, {"role": "assistant", "content": answer}]
        facts = "" if name == "blind" else video.context.to_text()
        allowed = facts + "\n" + "\n".join(q["turns"])
        out.append({"id": q["id"], "kind": q["kind"], "system": name, "answer": answer,
                    "correct": correct(answer, q), "first_sentence_correct": correct(first_sentence(answer), q),
                    "unsupported": unsupported(answer, allowed, video.info.duration),
                    "in_facts": facts_hold_answer(facts, q),
                    "words": len(answer.split()), "sentences": sentences(answer),
                    "seconds": round(time.perf_counter() - t, 2)})
    return out


def summarise(rows: list[dict]) -> dict:
    by = defaultdict(list)
    for r in rows:
        by[(r["system"], r["kind"])].append(r)
        by[(r["system"], "all")].append(r)
    out = {}
    for (system, kind), rs in by.items():
        n = len(rs)
        out.setdefault(system, {})[kind] = {
            "n": n, "accuracy": sum(r["correct"] for r in rs) / n,
            "first_sentence": sum(r["first_sentence_correct"] for r in rs) / n,
            "hallucination": sum(bool(r["unsupported"]) for r in rs) / n,
            "words": sum(r["words"] for r in rs) / n, "sentences": sum(r["sentences"] for r in rs) / n,
            "seconds": sum(r["seconds"] for r in rs) / n}
        held = [r["in_facts"] for r in rs if r.get("in_facts") is not None]
        if held:  # of the questions it applies to (not yes/no, not unanswerable)
            out[system][kind]["facts_hold"] = sum(held) / len(held)
            out[system][kind]["facts_hold_n"] = len(held)
    return out


def _main_system(systems: list[str]) -> str:
    """The system the words, first-sentence, describe and facts columns are about: the default (reader)."""
    return "reader" if "reader" in systems else systems[-1]


def table(summary: dict, systems: list[str], split: str) -> str:
    main = _main_system(systems)
    kinds = sorted({k for s in summary.values() for k in s if k != "all"}) + ["all"]
    head = "| kind | questions | " + " | ".join(f"{s} accuracy" for s in systems) + " | " + \
        " | ".join(f"{s} halluc." for s in systems) + f" | {main} words | {main} 1st sentence | facts hold an answer |"
    n = summary[systems[0]]["all"]["n"]
    title = f"{split} half of the benchmark" if split.split()[0] in ("dev", "test", "all") else split
    lines = [f"{title} ({n} questions):", "", head,
             "|" + "---|" * (5 + 2 * len(systems))]
    for k in kinds:
        row = [summary[s].get(k) for s in systems]
        if row[0] is None:
            continue
        last = summary[main][k]
        lines.append(f"| {'**all**' if k == 'all' else k} | {row[0]['n']} | "
                     + " | ".join(f"{r['accuracy']:.0%}" for r in row) + " | "
                     + " | ".join(f"{r['hallucination']:.0%}" for r in row)
                     + f" | {last['words']:.0f} | {last['first_sentence']:.0%} | "
                     + (f"{last['facts_hold']:.0%} of {last['facts_hold_n']}" if "facts_hold" in last else "n/a") + " |")
    if "facts_hold" in summary[main]["all"]:
        lines.append(f"\n*Facts hold an answer*: the share of {main}'s questions (not yes/no or unanswerable) whose facts "
                     "state an accepted answer on some line (a time in the window for \"when\"): a loose upper bound "
                     "for a reader that only restates the facts. Below it, perception missed; between it and the "
                     "accuracy, the reader did.")
    d = summary[main].get("describe")
    if d:
        lines.append(f"\n`describe` answers from {main}: {d['sentences']:.1f} sentences on average (target 2-4).")
    return "\n".join(lines) + "\n"


def plot(summary: dict, systems: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    kinds = sorted(k for k in summary[systems[0]] if k != "all") + ["all"]
    x = np.arange(len(kinds))
    fig, ax = plt.subplots(figsize=(11, 3.8))
    w = 0.8 / len(systems)
    for i, s in enumerate(systems):
        ax.bar(x + i * w, [summary[s][k]["accuracy"] if k in summary[s] else 0 for k in kinds], w, label=s)
    main = _main_system(systems)
    held = [summary[main].get(k, {}).get("facts_hold") for k in kinds]
    if any(h is not None for h in held):  # the loose upper bound the facts leave a reader (table footnote)
        ax.scatter([x[i] + w * (len(systems) - 1) / 2 for i, h in enumerate(held) if h is not None],
                   [h for h in held if h is not None], marker="_", s=400, color="black", zorder=3,
                   label="facts hold an answer")
    ax.set_xticks(x + w * (len(systems) - 1) / 2, kinds, rotation=30, ha="right")
    ax.set_ylabel("accuracy")
    ax.axhline(0.8, color="grey", lw=0.8, ls="--")
    ax.set_ylim(0, 1.2)   # room above the bars for the legend
    ax.set_yticks([0, 0.2, 0.4, 0.6, 0.8, 1.0])
    ax.legend(ncol=len(systems) + 1, fontsize=8, loc="upper center")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", default="test", choices=["dev", "test", "all"])
    p.add_argument("--systems", nargs="+", default=list(SYSTEMS + ABLATIONS), choices=SYSTEMS + ABLATIONS)
    p.add_argument("--reader", help="a reader adapter folder (default: the one shipped in vlm/reader)")
    p.add_argument("--out", type=Path, default=Path("eval/results"))
    p.add_argument("--name", default="qa", help="file name stem of the results")
    p.add_argument("--paraphrased", action="store_true",
                   help="ask each question in its other wording (eval/qa/paraphrases.jsonl, the test half)")
    p.add_argument("--questions", type=Path, default=QUESTIONS,
                   help="a questions file of the same form (eval/qa/rewordings.jsonl: rewordings on development clips)")
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)

    from vlm.runtime import limit_malloc_arenas
    from vlm.samples import shared_videos_dir

    limit_malloc_arenas()
    root = shared_videos_dir()
    if root is None:
        print("bench_qa: the real clips (../shared/videos or $VLM_VIDEOS) are not here", file=sys.stderr)
        return 2
    questions = load_questions(args.questions, split=args.split, paraphrased=args.paraphrased)
    if not questions:
        print(f"bench_qa: no {args.split} questions in {args.questions}", file=sys.stderr)
        return 2
    rows = []
    for name in args.systems:
        rows += run_system(name, questions, root, reader=args.reader, progress=not args.quiet)
    split = args.split + (" (paraphrased)" if args.paraphrased else "")
    print(write_results(args.out, args.name, split, args.systems, rows))
    return 0


def write_results(out: Path, name: str, split: str, systems: list[str], rows: list[dict], **extra) -> str:
    """NAME.json (the summary, every answer and `extra`), NAME.md (the table) and NAME.png; returns the table."""
    summary = summarise(rows)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{name}.json").write_text(json.dumps({"split": split, "summary": summary, **extra, "answers": rows},
                                                 indent=1) + "\n")
    md = table(summary, systems, split)
    plot(summary, systems, out / f"{name}.png")
    (out / f"{name}.md").write_text(md + f"\n![accuracy per kind]({name}.png)\n")
    return md


def rewrite(out: Path = Path("eval/results"), name: str = "qa") -> None:
    """Re-render the table and plot from a run's JSON (no answers re-generated)."""
    data = json.loads((out / f"{name}.json").read_text())
    systems = list(dict.fromkeys(r["system"] for r in data["answers"]))
    md = table(data["summary"], systems, data["split"])
    plot(data["summary"], systems, out / f"{name}.png")
    (out / f"{name}.md").write_text(md + f"\n![accuracy per kind]({name}.png)\n")


if __name__ == "__main__":
    sys.exit(main())
