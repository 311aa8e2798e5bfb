"""Adapter training on a 2-layer LLM built from a config: data formats, loss masking, training, exact resume,
adapter folders loadable by plain peft and by the assistant, and a 2-process accelerate run."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from adapters.data import DataError, load_training_data, synth_questions, synth_scene, write_synthetic_set
from adapters.lora import LoraSpec
from adapters.train import TrainArgs, batch_order, main as train
from tests.helpers import tiny_config, tiny_llm
from vlm.constants import IGNORE_INDEX

ROOT = Path(__file__).resolve().parents[1]
SMALL_LORA = LoraSpec(r=4, alpha=8, dropout=0.1, target_modules=("q_proj", "v_proj"))


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> dict[str, Path]:
    return write_synthetic_set(tmp_path_factory.mktemp("synth"), 6, seed=0, progress=False)


def _args(**kw) -> TrainArgs:
    base = dict(stage="lora", max_steps=4, batch_size=2, save_every=2, num_frames=4, pooling=2,  # the tiny 2x2 grid
                warmup_steps=1, lora=SMALL_LORA)
    return TrainArgs(**{**base, **kw})


def _train(data, out, args, **kw):
    lm, tok = tiny_llm()
    return train(data, out, args, base_config=tiny_config(), language_model=lm, tokenizer=tok, progress=False, **kw)


# --- data ---------------------------------------------------------------------------------------------------------


def test_synthetic_questions_follow_the_scene():
    import numpy as np

    scene = synth_scene(np.random.default_rng(3), 1)
    sh = scene.shapes[0]
    qa = {q: (a, k) for q, a, k in synth_questions(scene)}
    assert qa["Which way does the shape move?"] == (sh.direction, "motion")
    assert qa["What colour is the shape?"] == (sh.colour, "appearance")
    assert qa["What shape is it?"] == (sh.shape, "appearance")
    assert qa["Does the shape get bigger or smaller?"][0] == ("bigger" if sh.growth > 1 else "smaller")


def test_synthetic_questions_do_not_give_away_each_others_answers():
    """Packed into one conversation, a question naming another's answer would teach copying, not looking."""
    import numpy as np

    rng = np.random.default_rng(0)
    for i in range(12):
        qa = synth_questions(synth_scene(rng, i))
        for q, answer, _ in qa:
            words = set(q.lower().rstrip("?").split())
            assert not words & ({a for _, a, _ in qa} - {answer}), (q, qa)


def test_formats_load_and_bad_rows_are_reported_together(synth, tmp_path):
    train_rows = load_training_data(synth["train"])
    assert len(train_rows) == 5 and all(len(e.turns) == 8 for e in train_rows)  # one 4-question conversation a clip
    assert train_rows[0].turns[0]["role"] == "user" and "<video>" not in train_rows[0].turns[0]["content"]
    test_rows = load_training_data(synth["test"])
    assert len(test_rows) == 4 and {e.kind for e in test_rows} == {"motion", "appearance"}
    caps = load_training_data(synth["captions"])
    assert len(caps) == 6 and caps[0].turns[1]["content"].startswith("A ")
    clip = (synth["train"].parent / "clips" / "00000.mp4").resolve()
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join([
        json.dumps({"video": str(clip), "conversations": [{"from": "human", "value": "<video>\nQ?"},
                                                          {"from": "gpt", "value": "A"}]}),
        "{not json",
        json.dumps({"video": "nope.mp4", "conversations": [{"from": "human", "value": "Q"}, {"from": "gpt", "value": "A"}]}),
        json.dumps({"video": str(clip), "conversations": [{"from": "gpt", "value": "A"}, {"from": "human", "value": "Q"}]}),
        json.dumps({"conversations": []}),
    ]) + "\n")
    with pytest.raises(DataError) as e:
        load_training_data(bad)
    msg = str(e.value)
    assert "4 problem(s)" in msg and "line 2: not valid JSON" in msg and "missing video" in msg
    assert "must alternate" in msg and "line 5: needs a 'video' path" in msg
    folder = tmp_path / "clips"
    folder.mkdir()
    (folder / "a.mp4").write_bytes(clip.read_bytes())
    with pytest.raises(DataError, match=r"a.mp4: no caption \(a.txt missing or empty\)"):
        load_training_data(folder)
    (folder / "a.txt").write_text("a square moves")
    assert load_training_data(folder)[0].turns[1]["content"] == "a square moves"


def test_loss_only_on_answer_tokens(tiny):
    from tests.helpers import tiny_assistant

    a = tiny_assistant(*tiny)
    msgs = a.processor.conversation([{"role": "user", "content": "which way ?"}, {"role": "assistant", "content": "left"}])
    ex = a.processor.training_example(msgs, num_frames=4)
    ids, labels = ex["input_ids"], ex["labels"]
    learnt = ids[labels != IGNORE_INDEX].tolist()
    tok = a.processor.tokenizer
    assert learnt == tok("left <|im_end|>", add_special_tokens=False)["input_ids"][:len(learnt)]
    assert (labels[ids == a.config.video_token_id] == IGNORE_INDEX).all()
    assert int((ids == a.config.video_token_id).sum()) == a.config.num_video_tokens(4)


def test_answer_loss_equals_the_full_logits_loss(tiny):
    """Running the LM head only where answers are must not change the loss or the gradients (padded batch of two
    conversations of different lengths)."""
    from adapters.train import answer_loss, collate, tokenize
    from adapters.data import Example
    from tests.helpers import tiny_assistant

    torch.manual_seed(0)
    a = tiny_assistant(*tiny)
    turns = [({"role": "user", "content": "which way ?"}, {"role": "assistant", "content": "left"}),
             ({"role": "user", "content": "colour ?"}, {"role": "assistant", "content": "red"},
              {"role": "user", "content": "and the shape , please ?"}, {"role": "assistant", "content": "a square"})]
    items = tokenize(a, [Example(Path("x.mp4"), t) for t in turns])
    n = a.config.num_video_tokens(a.config.num_frames)
    batch = collate(items, [torch.randn(n, a.model.vision_tower.dim) for _ in items], a.processor.tokenizer.pad_token_id)
    assert (batch["attention_mask"] == 0).any()  # really padded
    grads = []
    for fn in ("full", "answers"):
        a.model.zero_grad()
        feats = a.model.project_tokens(batch["tokens"])
        inputs = dict(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], video_features=feats)
        loss = a.model(**inputs, labels=batch["labels"]).loss if fn == "full" else \
            answer_loss(a.model, batch["labels"], **inputs)
        loss.backward()
        grads.append((loss.item(), a.model.multi_modal_projector[0].weight.grad.clone()))
    assert grads[1][0] == pytest.approx(grads[0][0], rel=1e-5)
    torch.testing.assert_close(grads[1][1], grads[0][1], rtol=1e-4, atol=1e-6)


def test_batch_order_is_a_function_of_the_step():
    a = [batch_order(10, s, 4, seed=1) for s in range(5)]
    assert a == [batch_order(10, s, 4, seed=1) for s in range(5)]
    assert sorted(a[0] + a[1] + batch_order(10, 2, 4, 1)[:2]) == list(range(10))  # an epoch covers every example


def test_invalid_arguments_are_listed_together():
    with pytest.raises(ValueError) as e:
        TrainArgs(stage="warp", max_steps=0, lr=-1, lora=LoraSpec(r=0), projector="mlp9",
                  mixed_precision="fp8").validate()
    for part in ("stage must be one of", "max_steps must be >= 1", "learning rates must be positive", "LoRA rank",
                 "projector must be one of ['linear', 'mlp2x_gelu', 'stc']", "mixed_precision must be 'auto'"):
        assert part in str(e.value)
    from adapters.train import resolve_mixed_precision
    from vlm.weights import default_dtype

    assert resolve_mixed_precision("auto") == ("bf16" if default_dtype() == torch.bfloat16 else "no")
    assert resolve_mixed_precision("no") == "no"


# --- training -----------------------------------------------------------------------------------------------------


def test_lora_training_learns_and_writes_a_peft_adapter(synth, tmp_path):
    from peft import PeftModel

    out = tmp_path / "lora"
    summary = _train(synth["train"], out, _args(max_steps=30, batch_size=4, save_every=10, lr=1e-2,
                                                lora=LoraSpec(r=8, alpha=16)))
    losses = summary["losses"]
    # The 2-layer LLM's tiny tied embeddings cap how low its loss can go (~3.4 from ln 80 = 4.38); it must move.
    assert sum(losses[-5:]) / 5 < sum(losses[:5]) / 5 - 0.25, losses
    for name in ("adapter_config.json", "adapter_model.safetensors", "projector.safetensors", "videollm_config.json",
                 "loss_curve.png", "train_args.json"):
        assert (out / name).exists(), name
    assert [p.name for p in (out / "checkpoints").iterdir()] and len(list((out / "checkpoints").iterdir())) == 2
    base, _ = tiny_llm()
    peft_model = PeftModel.from_pretrained(copy.deepcopy(base), str(out))  # plain peft loads it
    ids = torch.tensor([[4, 5, 6, 7]])
    with torch.no_grad():
        assert not torch.allclose(peft_model(ids).logits, base(ids).logits)
    cfg = json.loads((out / "videollm_config.json").read_text())
    assert cfg["num_frames"] == 4 and cfg["perception"] is False


def test_resume_after_a_kill_matches_an_uninterrupted_run(synth, tmp_path):
    full = _train(synth["train"], tmp_path / "full", _args(max_steps=4))

    def kill_at_3(step, loss):
        if step == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _train(synth["train"], tmp_path / "cut", _args(max_steps=4), callbacks=(kill_at_3,))
    assert [p.name for p in (tmp_path / "cut" / "checkpoints").iterdir()] == ["step-2"]
    resumed = _train(synth["train"], tmp_path / "cut", _args(max_steps=4), resume=True)
    assert resumed["losses"][:2] == full["losses"][:2]
    assert resumed["losses"][2:] == pytest.approx(full["losses"][2:], rel=1e-6, abs=1e-7)


def test_align_trains_only_the_projector_and_the_assistant_loads_it(synth, tmp_path, tiny):
    from tests.helpers import tiny_assistant
    from vlm.adapter import load_adapter_weights

    out = tmp_path / "align"
    _train(synth["train"], out, _args(stage="align", max_steps=3))
    assert not (out / "adapter_config.json").exists() and (out / "projector.safetensors").exists()
    a = tiny_assistant(*tiny, num_frames=4)
    before = {k: v.clone() for k, v in a.model.state_dict().items()}
    load_adapter_weights(a.model, out)
    after = a.model.state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all(k.startswith("multi_modal_projector.") for k in changed)
    with pytest.raises(ValueError, match="adapter does not fit this model"):
        load_adapter_weights(tiny_assistant(*tiny, pooling={"spatial": 1}).model, out)


def test_merged_lora_gives_the_trained_model_outputs(synth, tmp_path, tiny):
    from tests.helpers import tiny_assistant
    from vlm.assistant import VideoAssistant

    out = tmp_path / "lora"
    _train(synth["train"], out, _args(max_steps=3, lr=1e-2))
    a = tiny_assistant(*tiny, num_frames=4).load_adapter(out)
    inputs = a.processor(a.processor.chat_text(a.processor.conversation([{"role": "user", "content": "which ?"}])),
                         torch.randn(1, 4, 3, 64, 64))
    a.save_pretrained(tmp_path / "merged", include_llm=True)  # what `vlm adapters merge` writes
    merged = VideoAssistant.from_pretrained(tmp_path / "merged", dtype=torch.float32)
    with torch.no_grad():
        assert torch.allclose(a.model(**inputs).logits, merged.model(**inputs).logits, atol=1e-5)
        plain = tiny_assistant(*tiny, num_frames=4)
        assert not torch.allclose(plain.model(**inputs).logits, merged.model(**inputs).logits, atol=1e-3)


@pytest.mark.slow
def test_two_process_training_with_accelerate(synth, tmp_path):
    lm, tok = tiny_llm()
    lm.save_pretrained(tmp_path / "lm")
    tok.save_pretrained(tmp_path / "lm")
    env = {**os.environ, "VLM_CACHE": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1"}
    cmd = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
           "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", "-m", "vlm", "finetune",
           "--data", str(synth["train"]), "--out", str(tmp_path / "out"), "--llm", str(tmp_path / "lm"),
           "--max-steps", "3", "--save-every", "3", "--batch-size", "2", "--frames", "4", "--lora-r", "4",
           "--lora-target", "q_proj", "--lora-target", "v_proj", "--quiet"]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "3 steps" in r.stdout
    assert (tmp_path / "out" / "adapter_model.safetensors").exists()
    cfg = json.loads((tmp_path / "out" / "videollm_config.json").read_text())
    assert cfg["llm"] == str(tmp_path / "lm")
