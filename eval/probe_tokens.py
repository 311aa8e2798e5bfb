"""Are the answers in the frozen video tokens? Linear probes on the fine-tuning benchmark's synthetic QA set.

    python -m eval.probe_tokens [--out eval/results] [--pooling 2] [--clips 400]

For each question kind (direction, growth, colour, shape) a linear classifier is trained on the pooled encoder
tokens of the training clips (the tokens the projector sees; cached by eval.bench_finetune) and scored on the
held-out clips: once on the tokens averaged over the clip and once on all tokens side by side (which keeps where and
when). If a probe is right and the fine-tuned assistant is not, the LLM is failing to read the tokens, not the
encoder failing to see. Writes probe_tokens.json and probe_tokens.md.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

KINDS = {"Which way": "direction", "bigger or smaller": "growth", "What colour": "colour", "What shape": "shape"}


def answers(examples) -> dict[Path, dict[str, str]]:
    """{clip: {kind: answer}} from the conversations."""
    out: dict[Path, dict[str, str]] = {}
    for e in examples:
        for q, a in zip(e.turns[::2], e.turns[1::2]):
            kind = next((k for key, k in KINDS.items() if key in q["content"]), None)
            if kind:
                out.setdefault(e.video, {})[kind] = a["content"]
    return out


def linear_probe(x: torch.Tensor, y: torch.Tensor, xt: torch.Tensor, yt: torch.Tensor, classes: int, *,
                 steps: int = 300, lr: float = 1e-2, l2: float = 1e-3) -> float:
    """Full-batch Adam on standardised features; held-out accuracy."""
    mu, sd = x.mean(0), x.std(0) + 1e-5
    x, xt = (x - mu) / sd, (xt - mu) / sd
    w = torch.zeros(x.shape[1], classes, requires_grad=True)
    b = torch.zeros(classes, requires_grad=True)
    opt = torch.optim.Adam([w, b], lr=lr)
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(x @ w + b, y) + l2 * w.pow(2).sum()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return float(((xt @ w + b).argmax(1) == yt).float().mean())


def main(argv: list[str] | None = None) -> int:
    from adapters.data import load_training_data
    from adapters.train import TrainArgs, build_assistant, encoder_tokens
    from eval.bench_finetune import dataset
    from vlm.runtime import model_thread

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("eval/results"))
    p.add_argument("--pooling", type=int, default=2, help="tokens per frame side")
    p.add_argument("--clips", type=int, default=400)
    args = p.parse_args(argv)
    data = dataset(args.clips)
    train, test = load_training_data(data["train"]), load_training_data(data["test"])

    @model_thread
    def tokens():
        assistant = build_assistant(TrainArgs(pooling=args.pooling))
        return encoder_tokens(assistant, train, progress=True), encoder_tokens(assistant, test, progress=True)

    tok_train, tok_test = tokens()
    ans_train, ans_test = answers(train), answers(test)
    torch.manual_seed(0)
    rows = []
    for kind in KINDS.values():
        tr = [v for v in tok_train if kind in ans_train.get(v, {})]
        te = [v for v in tok_test if kind in ans_test.get(v, {})]
        classes = sorted({ans_train[v][kind] for v in tr})
        y = torch.tensor([classes.index(ans_train[v][kind]) for v in tr])
        known = [v for v in te if ans_test[v][kind] in classes]
        yt = torch.tensor([classes.index(ans_test[v][kind]) for v in known])
        row = {"kind": kind, "classes": len(classes), "train_clips": len(tr), "test_clips": len(known)}
        for name, f in (("mean", lambda t: t.mean(0)), ("all", lambda t: t.flatten())):
            x = torch.stack([f(tok_train[v]) for v in tr])
            xt = torch.stack([f(tok_test[v]) for v in known])
            row[name] = linear_probe(x, y, xt, yt, len(classes))
        rows.append(row)
        print(json.dumps(row), file=sys.stderr)
    n = next(iter(tok_train.values())).shape[0]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "probe_tokens.json").write_text(json.dumps({"pooling": args.pooling, "tokens_per_clip": n,
                                                            "rows": rows}, indent=2) + "\n")
    md = [f"Linear probes on the frozen {args.pooling}x{args.pooling}-pooled tokens ({n} per clip), held-out clips:",
          "", "| question | classes | chance | tokens averaged | all tokens side by side |", "|---|---|---|---|---|"]
    md += [f"| {r['kind']} | {r['classes']} | {1 / r['classes']:.0%} | {r['mean']:.1%} | {r['all']:.1%} |"
           for r in rows]
    (args.out / "probe_tokens.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main())
