"""Fine-tune the VideoLLM on your clips, LLaVA's two stages sized for a CPU.

    stage align: the projector only (LLM and encoder frozen): video tokens learn to speak the LLM's language
    stage lora:  LoRA on the LLM's attention and MLP projections + the projector (encoder frozen unless asked)

The frozen encoder's pooled tokens are computed once per clip and cached (the harness's feature cache), so a
step costs only projector + LLM. Loss is on answer tokens only (IGNORE_INDEX elsewhere). `accelerate` runs it on
one CPU, a GPU, or several processes/machines (`accelerate launch --multi_gpu --num_processes N -m vlm finetune`).
Checkpoints (model deltas, optimizer, scheduler, RNG states, step) are written atomically every save_every
steps; `resume` continues from the newest as if never interrupted.
"""
from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from adapters.data import Example, load_training_data
from adapters.lora import LoraSpec, apply_lora, trainable_summary
from vlm.constants import IGNORE_INDEX
from vlm.runtime import model_thread, partial_state

STAGES = ("align", "lora")


@dataclass
class TrainArgs:
    stage: str = "lora"
    max_steps: int = 300
    batch_size: int = 4            # per process
    grad_accum: int = 1
    lr: float = 5e-4               # LoRA weights
    projector_lr: float = 1e-3
    warmup_steps: int = 10
    save_every: int = 100
    keep_last: int = 2
    seed: int = 0
    num_frames: int = 8
    pooling: int = 3               # tokens per frame side: 3x3 learnt most in eval.bench_finetune (2x2, 1x1 less)
    projector: str = "mlp2x_gelu"  # see vlm.projector.PROJECTORS
    perception: bool = False       # also put the perception facts in the prompt (chat without facts by default)
    train_projector: bool = True   # False: the projector stays as built (the reader reads facts, not video tokens)
    train_encoder: bool = False
    init_from: str | None = None   # an adapter folder to start from (the align stage's output)
    mixed_precision: str = "auto"  # auto (bf16 where the CPU or GPU has it natively) | no | bf16
    llm: str | None = None         # default: the embedded SmolLM2
    lora: LoraSpec = field(default_factory=LoraSpec)

    def validate(self) -> None:
        problems = []
        if self.stage not in STAGES:
            problems.append(f"stage must be one of {list(STAGES)}, got {self.stage!r}")
        for name in ("max_steps", "batch_size", "grad_accum", "save_every", "keep_last", "num_frames", "pooling"):
            if getattr(self, name) < 1:
                problems.append(f"{name} must be >= 1, got {getattr(self, name)}")
        if self.lr <= 0 or self.projector_lr <= 0:
            problems.append(f"learning rates must be positive, got {self.lr}, {self.projector_lr}")
        from vlm.projector import PROJECTORS

        if self.projector not in PROJECTORS:
            problems.append(f"projector must be one of {list(PROJECTORS)}, got {self.projector!r}")
        if self.mixed_precision not in ("auto", "no", "bf16"):
            problems.append(f"mixed_precision must be 'auto', 'no' or 'bf16', got {self.mixed_precision!r}")
        if self.stage == "align" and not self.train_projector:
            problems.append("the align stage trains the projector: train_projector must be True")
        if self.init_from and not Path(self.init_from).is_dir():
            problems.append(f"init_from {self.init_from!r} is not a folder")
        problems += self.lora.problems()
        if problems:
            raise ValueError("invalid training arguments:\n  " + "\n  ".join(problems))


def resolve_mixed_precision(choice: str) -> str:
    """'auto' trains under bf16 autocast where the hardware has native bf16: on this CPU (AVX512-BF16) steps are
    2.4x faster and peak memory 2.6 GB instead of 4.2 GB at batch 4 (with LoRA dropout off; eval.bench_finetune)."""
    if choice != "auto":
        return choice
    from vlm.weights import default_dtype

    return "bf16" if default_dtype() == torch.bfloat16 else "no"


# --- model and data ----------------------------------------------------------------------------------------------


def build_assistant(args: TrainArgs, *, base_config=None, language_model=None, tokenizer=None):
    """The assistant to train: from the init adapter's config, else base_config (default: the embedded models),
    with args applied."""
    from vlm.adapter import adapter_config, load_adapter_weights
    from vlm.assistant import VideoAssistant
    from vlm.config import VideoLLMConfig
    from vlm.pooling import PoolingConfig

    if args.init_from:
        config = adapter_config(args.init_from)
        config.video_token_id = None
    else:
        config = (base_config or VideoLLMConfig()).replace(pooling=PoolingConfig(spatial=args.pooling),
                                                           projector=args.projector)
        if args.llm:
            config.llm = args.llm
    config.num_frames, config.perception = args.num_frames, args.perception
    assistant = VideoAssistant.build(config, language_model=language_model, tokenizer=tokenizer,
                                     dtype=torch.float32)
    if args.init_from:
        load_adapter_weights(assistant.model, args.init_from, merge=True)  # a LoRA from before is merged in
    return assistant


def encoder_tokens(assistant, examples: list[Example], *, progress: bool) -> dict[Path, torch.Tensor]:
    """Pooled encoder tokens per clip (N, D_enc), via the harness's per-clip feature cache."""
    from vlm.features import Dataset, VideoSample, ViewConfig, extract_features

    class _Pooled:
        name = "encoder tokens"
        transform = assistant.processor.transform
        c = assistant.config
        feature_key = f"videollm-tokens-{c.encoder}-{json.dumps(c.encoder_kwargs, sort_keys=True)}-p{c.pooling.spatial}" \
                      f"x{c.pooling.temporal}{c.pooling.mode}"

        @staticmethod
        @torch.no_grad()
        def encode(views):
            enc = assistant.model.encode_video(views)
            tokens, _ = assistant.model.pooler(enc.tokens, enc.grid)
            return {"tokens": tokens.float()}

    videos = sorted({e.video for e in examples})
    dataset = Dataset("train", [VideoSample(v, "") for v in videos], [], {})
    feats, _ = extract_features(dataset, _Pooled, ViewConfig(num_frames=assistant.config.num_frames),
                                progress=progress)
    return {videos[f.index]: f.tensors["tokens"][0] for f in feats}


def tokenize(assistant, examples: list[Example], *, perception: bool = False,
             progress: bool = False) -> list[dict[str, torch.Tensor]]:
    """Each example as input_ids + labels; with perception, its facts go in the prompt (watched from its clip
    when the data gives none: once per clip, cached by file hash)."""
    from tqdm import tqdm

    proc = assistant.processor
    watched: dict[Path, str] = {}
    out = []
    for e in tqdm(examples, desc="tokenize", disable=not progress, dynamic_ncols=True):
        facts = None
        if perception:
            facts = e.facts
            if facts is None:
                if e.video not in watched:
                    watched[e.video] = assistant.watch(e.video).context.to_text()
                facts = watched[e.video]
        out.append(proc.training_example(proc.conversation(list(e.turns), facts), assistant.config.num_frames))
    return out


def batch_order(n: int, step: int, batch: int, seed: int) -> list[int]:
    """Example indices of a (global) batch at a step: epoch permutations seeded by (seed, epoch), so the order is a
    pure function of the step and a resumed run sees exactly the batches it would have."""
    start = step * batch
    idx = []
    while len(idx) < batch:
        epoch, offset = divmod(start + len(idx), n)
        perm = np.random.default_rng([seed, epoch]).permutation(n)
        idx.extend(perm[offset:offset + batch - len(idx)].tolist())
    return idx


def collate(items: list[dict], tokens: list[torch.Tensor], pad_id: int) -> dict[str, torch.Tensor]:
    """Right-pad to the longest; padding gets IGNORE_INDEX labels and a zero attention mask."""
    L = max(len(it["input_ids"]) for it in items)
    ids = torch.full((len(items), L), pad_id, dtype=torch.long)
    labels = torch.full((len(items), L), IGNORE_INDEX, dtype=torch.long)
    mask = torch.zeros((len(items), L), dtype=torch.long)
    for k, it in enumerate(items):
        n = len(it["input_ids"])
        ids[k, :n], labels[k, :n], mask[k, :n] = it["input_ids"], it["labels"], 1
    return {"input_ids": ids, "labels": labels, "attention_mask": mask, "tokens": torch.stack(tokens)}


# --- checkpoints -------------------------------------------------------------------------------------------------


def checkpoints(out_dir: Path) -> list[Path]:
    ck = out_dir / "checkpoints"
    found = [p for p in ck.glob("step-*") if p.is_dir() and (p / "trainer_state.json").exists()]
    return sorted(found, key=lambda p: int(p.name.split("-")[1]))


def _trainable_state(core) -> dict[str, torch.Tensor]:
    """Only what training changes (projector, LoRA, encoder if trained): the checkpoint holds deltas, not the LLM."""
    names = {n for n, p in core.named_parameters() if p.requires_grad}
    return {k: v.detach().contiguous().cpu() for k, v in core.state_dict().items() if k in names}


def save_checkpoint(accelerator, core, optimizer, scheduler, out_dir: Path, step: int, losses: list[float],
                    keep_last: int) -> None:
    """Trainable weights (safetensors), optimizer and scheduler state, every process's RNG state and the step,
    written to a temp folder and renamed into place: a kill leaves the previous checkpoint intact."""
    import random

    from safetensors.torch import save_file

    ck = out_dir / "checkpoints"
    tmp, final = ck / f".tmp-step-{step}", ck / f"step-{step}"
    if accelerator.is_main_process:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
    accelerator.wait_for_everyone()
    rank = accelerator.process_index
    save_file({"torch": torch.get_rng_state()}, str(tmp / f"rng_{rank}.safetensors"))
    (tmp / f"rng_{rank}.json").write_text(json.dumps({"python": random.getstate(),
                                                      "numpy": np.random.get_state()[1].tolist()}))
    if accelerator.is_main_process:
        save_file(_trainable_state(core), str(tmp / "trainable.safetensors"))
        torch.save({"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()}, tmp / "optim.pt")
        (tmp / "trainer_state.json").write_text(json.dumps({"step": step, "losses": losses}))
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        shutil.rmtree(final, ignore_errors=True)
        os.rename(tmp, final)
        for old in checkpoints(out_dir)[:-keep_last]:
            shutil.rmtree(old, ignore_errors=True)
    accelerator.wait_for_everyone()


def load_checkpoint(accelerator, core, optimizer, scheduler, ck: Path) -> tuple[int, list[float]]:
    """The inverse of save_checkpoint; tensors via safetensors and torch.load(weights_only=True) only."""
    import random

    from safetensors.torch import load_file

    missing = set(_trainable_state(core)) - set(state := load_file(str(ck / "trainable.safetensors")))
    if missing:
        raise ValueError(f"{ck}: checkpoint lacks {sorted(missing)[:5]} (trained with other settings?)")
    core.load_state_dict(state, strict=False)
    opt = torch.load(ck / "optim.pt", map_location="cpu", weights_only=True)
    optimizer.load_state_dict(opt["optimizer"])
    scheduler.load_state_dict(opt["scheduler"])
    rank = accelerator.process_index
    torch.set_rng_state(load_file(str(ck / f"rng_{rank}.safetensors"))["torch"])
    rng = json.loads((ck / f"rng_{rank}.json").read_text())
    random.setstate((rng["python"][0], tuple(rng["python"][1]), rng["python"][2]))
    np.random.set_state(("MT19937", np.array(rng["numpy"], dtype=np.uint32), 624, 0, 0.0))
    saved = json.loads((ck / "trainer_state.json").read_text())
    return saved["step"], saved["losses"]


# --- the loop ----------------------------------------------------------------------------------------------------


@model_thread
def main(data: str | Path, out_dir: str | Path, args: TrainArgs, *, resume: bool = False, progress: bool = True,
         callbacks: tuple[Callable[[int, float], None], ...] = (), base_config=None, language_model=None,
         tokenizer=None) -> dict:
    """Train and write the adapter folder; returns a summary. Runs on vlm's model thread (see vlm.runtime).

    base_config / language_model / tokenizer replace the embedded models (tests use a 2-layer LLM)."""
    from accelerate import Accelerator
    from tqdm import tqdm
    from transformers import get_cosine_schedule_with_warmup

    from vlm.adapter import save_adapter

    args.validate()
    out_dir = Path(out_dir)
    examples = load_training_data(data)
    state = partial_state()
    accelerator = Accelerator(cpu=not torch.cuda.is_available(), gradient_accumulation_steps=args.grad_accum,
                              mixed_precision=resolve_mixed_precision(args.mixed_precision))
    torch.manual_seed(args.seed)
    assistant = build_assistant(args, base_config=base_config, language_model=language_model, tokenizer=tokenizer)
    model = assistant.model
    tokens = encoder_tokens(assistant, examples, progress=progress and state.is_main_process) \
        if not args.train_encoder else None
    items = tokenize(assistant, examples, perception=args.perception, progress=progress and state.is_main_process)

    for p in model.parameters():
        p.requires_grad_(False)
    if args.stage == "lora":
        model.language_model = apply_lora(model.language_model, args.lora)
    if args.train_encoder:
        model.vision_tower.requires_grad_(True)
    model.multi_modal_projector.requires_grad_(args.train_projector)
    groups = [{"params": list(model.multi_modal_projector.parameters()), "lr": args.projector_lr}] \
        if args.train_projector else []
    others = [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("multi_modal_projector")]
    if others:
        groups.append({"params": others, "lr": args.lr})
    if not groups:
        raise ValueError("nothing to train: the align stage trains the projector (train_projector=False)")
    optimizer = torch.optim.AdamW(groups, weight_decay=0.0)
    scheduler = get_cosine_schedule_with_warmup(optimizer, args.warmup_steps, args.max_steps)
    model.train()
    model.vision_tower.eval()  # BatchNorm keeps its running statistics even when the encoder trains
    model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
    core = accelerator.unwrap_model(model)

    step, losses = 0, []
    if resume and checkpoints(out_dir):
        newest = checkpoints(out_dir)[-1]
        step, losses = load_checkpoint(accelerator, core, optimizer, scheduler, newest)
        if progress and state.is_main_process:
            print(f"resuming from step {step}: {newest}", flush=True)
    elif resume and progress and state.is_main_process:
        print(f"nothing to resume in {out_dir / 'checkpoints'}: starting at step 0", flush=True)
    (out_dir / "train_args.json").parent.mkdir(parents=True, exist_ok=True)
    if state.is_main_process:
        (out_dir / "train_args.json").write_text(json.dumps({**asdict(args), "data": str(data)}, indent=2))

    world, rank = state.num_processes, state.process_index
    global_batch = args.batch_size * world
    pad = assistant.processor.tokenizer.pad_token_id
    bar = tqdm(total=args.max_steps, initial=step, desc=f"{args.stage}", unit="step",
               disable=not (progress and state.is_main_process), dynamic_ncols=True)
    if progress and state.is_main_process:
        bar.write(f"{len(examples)} examples; {trainable_summary(core)}")
    t0, seen = time.perf_counter(), 0
    while step < args.max_steps:
        step_loss = 0.0
        for micro in range(args.grad_accum):
            order = batch_order(len(items), step * args.grad_accum + micro, global_batch, args.seed)
            mine = order[rank * args.batch_size:(rank + 1) * args.batch_size]
            with accelerator.accumulate(model):
                loss = _loss(model, core, [items[i] for i in mine], [examples[i] for i in mine], tokens, pad,
                             assistant.processor.transform, args)
                accelerator.backward(loss)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
            step_loss += accelerator.gather(loss.detach()[None]).mean().item() / args.grad_accum
        step += 1
        seen += global_batch * args.grad_accum
        losses.append(step_loss)
        rate = seen / (time.perf_counter() - t0)
        bar.set_postfix(loss=f"{step_loss:.3f}", samples_s=f"{rate:.1f}")
        bar.update(1)
        for cb in callbacks:
            cb(step, step_loss)
        if step % args.save_every == 0 or step == args.max_steps:
            save_checkpoint(accelerator, core, optimizer, scheduler, out_dir, step, losses, args.keep_last)
    bar.close()

    if state.is_main_process:
        lm = core.language_model
        save_adapter(core, out_dir, language_model=lm, train_encoder=args.train_encoder)
        plot_losses(losses, out_dir / "loss_curve.png", title=f"{args.stage}: {len(examples)} examples")
    accelerator.wait_for_everyone()
    return {"steps": step, "losses": losses, "examples": len(examples), "samples_per_s": seen / (time.perf_counter() - t0)}


def answer_loss(model, labels: torch.Tensor, **inputs) -> torch.Tensor:
    """Next-token cross-entropy on the labelled (answer) tokens, with the LM head run only where some row of the
    batch has a label: the 49k-word head and its logits are a large share of a step, and most positions are video
    and prompt tokens. Equals the model's own `labels=` loss (mean over labelled tokens)."""
    targets = labels[:, 1:]                                                      # (B, L-1)
    keep = (targets != IGNORE_INDEX).any(0).nonzero().squeeze(1)                 # (K,) positions predicting a label
    if keep.numel() == 0:
        raise ValueError("a training batch has no answer tokens to learn (all labels are IGNORE_INDEX)")
    logits = model(**inputs, logits_to_keep=keep).logits                         # (B, K, V)
    return torch.nn.functional.cross_entropy(logits.float().flatten(0, 1), targets[:, keep].flatten(),
                                             ignore_index=IGNORE_INDEX)


def _loss(model, core, items, examples, tokens, pad, transform, args: TrainArgs) -> torch.Tensor:
    if tokens is not None:
        batch = collate(items, [tokens[e.video] for e in examples], pad)
        feats = core.project_tokens(batch["tokens"])                   # (B, N, D_llm)
        return answer_loss(model, batch["labels"], input_ids=batch["input_ids"],
                           attention_mask=batch["attention_mask"], video_features=feats)
    from vlm.video import load_clip  # the encoder trains too: decode and encode every step

    pixels = torch.stack([load_clip(e.video, num_frames=args.num_frames, transform=transform).pixel_values
                          for e in examples])
    batch = collate(items, [torch.zeros(1)] * len(items), pad)
    return answer_loss(model, batch["labels"], input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                       pixel_values_videos=pixels)


def plot_losses(losses: list[float], path: Path, *, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(range(1, len(losses) + 1), losses, lw=1, alpha=0.5, label="step")
    if len(losses) >= 10:
        k = max(5, len(losses) // 20)
        smooth = np.convolve(losses, np.ones(k) / k, mode="valid")
        ax.plot(range(k, len(losses) + 1), smooth, lw=2, label=f"mean of {k}")
    ax.set_xlabel("step")
    ax.set_ylabel("loss (answer tokens)")
    ax.set_title(title, fontsize=10)
    ax.set_yscale("log" if min(losses) > 0 and max(losses) / max(min(losses), 1e-9) > 20 else "linear")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)

