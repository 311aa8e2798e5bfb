"""Question-answering accuracy of an assistant (with or without an adapter) on held-out conversations.

Answers are generated greedily from the same prompt format training uses. `exact` compares the normalised answer
with the reference; `mentions` accepts an answer that names the reference and none of the other answers given to
the same question elsewhere in the set (fair to an untrained model that answers in sentences).
"""
from __future__ import annotations

import re
from collections import defaultdict

import torch

from adapters.data import Example
from vlm.runtime import model_thread


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", " ", text.lower()).strip()


def _question_key(question: str) -> str:
    return " ".join(normalise(question).split()[:3])


@model_thread
@torch.no_grad()
def qa_accuracy(assistant, examples: list[Example], *, batch_size: int = 16, max_new_tokens: int = 8,
                progress: bool = True) -> dict:
    from tqdm import tqdm

    from adapters.train import encoder_tokens

    tokens = encoder_tokens(assistant, examples, progress=False)
    proc, model = assistant.processor, assistant.model
    refs = [normalise(e.turns[-1]["content"]) for e in examples]
    options: dict[str, set[str]] = defaultdict(set)
    for e, r in zip(examples, refs):
        options[_question_key(e.turns[-2]["content"])].add(r)
    answers: list[str] = []
    for i in tqdm(range(0, len(examples), batch_size), desc="answering", disable=not progress):
        chunk = examples[i:i + batch_size]
        texts = [proc.chat_text(proc.conversation(list(e.turns[:-1]))) for e in chunk]
        inputs = proc(texts, num_frames=assistant.config.num_frames)
        feats = model.project_tokens(torch.stack([tokens[e.video] for e in chunk]))
        out = model.generate(**inputs, video_features=feats, max_new_tokens=max_new_tokens, do_sample=False,
                             pad_token_id=proc.tokenizer.pad_token_id)
        answers += proc.tokenizer.batch_decode(out, skip_special_tokens=True)
    rows = []
    for e, ref, ans in zip(examples, refs, answers):
        words = set(normalise(ans).split())
        others = options[_question_key(e.turns[-2]["content"])] - {ref}
        rows.append({"kind": e.kind, "exact": normalise(ans) == ref,
                     "mentions": ref in words and not (words & others), "answer": ans.strip(), "reference": ref})
    return summarise(rows)


def summarise(rows: list[dict]) -> dict:
    out = {"n": len(rows), "examples": rows[:20]}
    for metric in ("exact", "mentions"):
        out[metric] = sum(r[metric] for r in rows) / max(len(rows), 1)
        for kind in sorted({r["kind"] for r in rows}):
            sel = [r for r in rows if r["kind"] == kind]
            out[f"{metric}_{kind}"] = sum(r[metric] for r in sel) / len(sel)
    return out
