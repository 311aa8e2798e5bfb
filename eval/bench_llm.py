"""Decoding benchmark: the fast decoder (vlm.fastlm) against plain transformers `generate()` on the same weights.

    python -m eval.bench_llm [--out eval/results] [--new-tokens 96]

Each engine runs in its own fresh process on the embedded SmolLM2-135M (bf16 where the CPU has it, as the
assistant loads it), greedy with the assistant's repetition penalty, on a fixed set of prompts: short chat
questions and a 600-token perception-style prompt with 64 video features spliced in as inputs_embeds. Reported:
decode tokens/s (after the first token), time to first token on the long prompt, and whether the greedy outputs
are token-identical to generate's. Also: the fast decoder driven from a second thread through vlm's model thread
(as Streamlit and the server call it), and generate at batch 4 (several streams decoded together) against four
fast streams one after another. Writes llm.json and llm.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

PROMPTS = ["What is the capital of France?", "Write a short poem about the sea.",
           "Explain what a video encoder does in two sentences.", "List three fruits that are red.",
           "How do I boil an egg?", "What is 12 times 7?", "Give me a name for a black cat.",
           "Describe a sunny day at the beach."]
PENALTY = 1.15
ENGINES = ("generate", "fast", "fast-threaded", "fast-int4", "fast-int4-threaded")


def _prompts(tokenizer, model, n_video: int = 64):
    """[(name, inputs_embeds (1, L, D))]: the chat prompts, then a long one with video features spliced in."""
    import torch

    out = []
    for p in PROMPTS:
        text = tokenizer.apply_chat_template([{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True)
        ids = tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"]
        out.append((p, model.get_input_embeddings()(ids)))
    facts = "\n".join(f"0:{i:02d}-0:{i + 1:02d}: drum ({50 - i}%), drumstick ({10 + i % 7}%), steel drum ({5 + i}%); "
                      f"motion moderate, mostly {['left', 'right', 'up'][i % 3]}ward." for i in range(24))
    text = tokenizer.apply_chat_template([{"role": "user", "content": f"Facts:\n{facts}\nQuestion: What is happening?"}],
                                         tokenize=False, add_generation_prompt=True)
    ids = tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"]
    emb = model.get_input_embeddings()(ids)
    g = torch.Generator().manual_seed(0)
    video = torch.randn(1, n_video, emb.shape[-1], generator=g) * emb.std()
    out.append(("600-token prompt + 64 video features", torch.cat([emb[:, :3], video.to(emb.dtype), emb[:, 3:]], 1)))
    return out


def _run(engine: str, new_tokens: int) -> dict:
    """In the child: load, warm up, then every prompt greedily; token ids, TTFT and decode speed per prompt."""
    import torch

    from vlm.fastlm import build_fast_lm
    from vlm.runtime import submit
    from vlm.weights import DEFAULT_LLM, gguf_path, load_causal_lm

    t0 = time.perf_counter()
    model, tok = load_causal_lm()
    eos = {tok.eos_token_id}
    fast = build_fast_lm(model, gguf=gguf_path(DEFAULT_LLM) if "int4" in engine else None) \
        if engine.startswith("fast") else None
    load = time.perf_counter() - t0

    def once(emb) -> tuple[list[int], float, float]:
        with torch.inference_mode():
            if fast is not None:
                t = time.perf_counter()
                ids, first = [], None
                for token in fast.generate(emb, max_new_tokens=new_tokens, eos_token_ids=eos,
                                           repetition_penalty=PENALTY):
                    first = first or time.perf_counter() - t
                    ids.append(token)
                return ids, first, time.perf_counter() - t
            t = time.perf_counter()
            first_out = model.generate(inputs_embeds=emb, attention_mask=torch.ones(emb.shape[:2], dtype=torch.long),
                                       max_new_tokens=1, do_sample=False, temperature=None, top_p=None, top_k=None,
                                       pad_token_id=tok.pad_token_id)
            first = time.perf_counter() - t
            t = time.perf_counter()
            out = model.generate(inputs_embeds=emb, attention_mask=torch.ones(emb.shape[:2], dtype=torch.long),
                                 max_new_tokens=new_tokens, do_sample=False, temperature=None, top_p=None, top_k=None,
                                 repetition_penalty=PENALTY, pad_token_id=tok.pad_token_id)
            del first_out
            return out[0].tolist(), first, time.perf_counter() - t

    prompts = _prompts(tok, model)
    threaded = engine.endswith("threaded")
    call = (lambda emb: submit(once, emb).result()) if threaded else once
    if threaded:
        torch.ones(256, 256) @ torch.ones(256, 256)  # this thread runs a parallel op first: the "second team"
    call(prompts[0][1])  # warm-up
    rows = []
    for name, emb in prompts:
        ids, first, total = call(emb)
        rows.append({"prompt": name, "prompt_tokens": emb.shape[1], "tokens": ids, "ttft_s": first,
                     "decode_tok_s": (len(ids) - 1) / max(total - first, 1e-9) if len(ids) > 1 else None})
    out = {"engine": engine, "load_s": load, "rows": rows, "dtype": str(next(model.parameters()).dtype)}
    if engine == "fast-int4":
        out["forced_agreement"] = _forced_agreement(model, fast, prompts, eos, new_tokens)
    if engine == "generate":
        out["batch4_tok_s"] = _batch(model, tok, new_tokens)
    return out


def _forced_agreement(model, fast, prompts, eos, new_tokens: int) -> float:
    """Teacher-forced along the exact greedy tokens (the dense fast decoder's, identical to generate's): the
    fraction of positions where the int4 path's greedy choice is the same token."""
    import torch

    from vlm.fastlm import build_fast_lm

    dense = build_fast_lm(model)
    same = total = 0
    for _, emb in prompts:
        ref = list(dense.generate(emb, max_new_tokens=new_tokens, eos_token_ids=eos, repetition_penalty=PENALTY))
        logits = fast.start(emb.to(fast.dtype))
        for k, token in enumerate(ref):
            scores = logits
            if k:
                idx = torch.tensor(ref[:k])
                s = scores[idx]
                scores = scores.scatter(0, idx, torch.where(s < 0, s * PENALTY, s / PENALTY))
            same += int(scores.argmax()) == token
            total += 1
            if k + 1 < len(ref):
                logits = fast.feed([token])
    return same / total


def _batch(model, tok, new_tokens: int) -> float:
    """generate's overall tokens/s for 4 chat prompts decoded together (left-padded)."""
    import torch

    texts = [tok.apply_chat_template([{"role": "user", "content": p}], tokenize=False, add_generation_prompt=True)
             for p in PROMPTS[:4]]
    tok.padding_side = "left"
    enc = tok(texts, return_tensors="pt", padding=True, add_special_tokens=False)
    with torch.inference_mode():
        t = time.perf_counter()
        out = model.generate(**enc, max_new_tokens=new_tokens, min_new_tokens=new_tokens, do_sample=False,
                             temperature=None, top_p=None, top_k=None, pad_token_id=tok.pad_token_id)
    return 4 * (out.shape[1] - enc["input_ids"].shape[1]) / (time.perf_counter() - t)


def _child(engine: str, new_tokens: int) -> dict:
    out = subprocess.run([sys.executable, "-m", "eval.bench_llm", "--child", engine, "--new-tokens", str(new_tokens)],
                         capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def summary(runs: dict) -> dict:
    ref = runs["generate"]["rows"]
    res = {}
    for name, run in runs.items():
        rows = run["rows"]
        same = sum(r["tokens"] == g["tokens"] for r, g in zip(rows, ref))
        tokens = sum(len(g["tokens"]) for g in ref)
        agree = sum(next((k for k, (a, b) in enumerate(zip(r["tokens"], g["tokens"])) if a != b),
                         min(len(r["tokens"]), len(g["tokens"]))) for r, g in zip(rows, ref))
        speeds = [r["decode_tok_s"] for r in rows if r["decode_tok_s"]]
        res[name] = {"decode_tok_s": sum(speeds) / len(speeds), "ttft_long_s": rows[-1]["ttft_s"],
                     "identical_outputs": f"{same}/{len(rows)}", "identical_prefix_tokens": agree / tokens}
    return res


def table(res: dict, runs: dict) -> str:
    base = res["generate"]["decode_tok_s"]
    lines = ["| engine | decode tokens/s | vs generate | TTFT, 600 tokens + 64 video (s) | greedy outputs identical "
             "to generate | tokens before the first difference |", "|---|---|---|---|---|---|"]
    names = {"generate": "transformers `generate()`", "fast": "vlm.fastlm, dense bf16 (exact)",
             "fast-threaded": "vlm.fastlm, dense bf16, from another thread (through the model thread)",
             "fast-int4": "vlm.fastlm, int4 codes of the GGUF (the default)",
             "fast-int4-threaded": "vlm.fastlm, int4, from another thread (as the app and server call it)"}
    for k, r in res.items():
        lines.append(f"| {names[k]} | {r['decode_tok_s']:.1f} | {r['decode_tok_s'] / base:.2f}x | {r['ttft_long_s']:.3f} | "
                     f"{r['identical_outputs']} | {r['identical_prefix_tokens']:.1%} |")
    forced = runs.get("fast-int4", {}).get("forced_agreement")
    if forced is not None:
        lines.append(f"\nint4, teacher-forced along generate's greedy tokens: the same next token at {forced:.1%} of "
                     "positions (a different token early makes the rest of an answer differ, which is what the "
                     "prefix column counts).")
    b4 = runs["generate"].get("batch4_tok_s")
    if b4:
        lines.append(f"\nBatch 4: `generate()` decoding four chat prompts together makes {b4:.1f} tokens/s overall; "
                     f"the default fast decoder one stream at a time makes {res['fast-int4']['decode_tok_s']:.1f} "
                     f"({res['fast-int4']['decode_tok_s'] / b4:.2f}x).")
    lines.append(f"\nSame weights ({runs['generate']['dtype']}), each engine in its own process, greedy, repetition "
                 f"penalty {PENALTY}, {len(runs['generate']['rows'])} prompts.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=Path("eval/results"))
    p.add_argument("--new-tokens", type=int, default=96)
    p.add_argument("--child", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(_run(args.child, args.new_tokens)))
        return 0
    runs = {name: _child(name, args.new_tokens) for name in ENGINES}
    res = summary(runs)
    args.out.mkdir(parents=True, exist_ok=True)
    meta = {"machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(), "date": time.strftime("%Y-%m-%d")}
    (args.out / "llm.json").write_text(json.dumps({"meta": meta, "summary": res, "runs": runs}, indent=1) + "\n")
    md = table(res, runs)
    (args.out / "llm.md").write_text(md)
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
