"""`vlm` command line: one function per command; bad input exits non-zero with one line on stderr.

It lives in `app/` because, like the Streamlit UI, it sits above every layer (vlm, adapters, eval) and only
maps commands to their public functions. Set VLM_DEBUG=1 to see tracebacks.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

EXIT_BAD_INPUT = 2


class CLIError(Exception):
    """A user-facing error: printed as one line, no traceback."""


def _quiet_libraries() -> None:
    import warnings

    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    warnings.filterwarnings("ignore", module="transformers")


def _add_model_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("model")
    g.add_argument("--model", help="a saved VideoLLM folder (config.json + model.safetensors)")
    g.add_argument("--llm", help="embedded tag, hub id or local dir (default: smollm2-135m-instruct)")
    g.add_argument("--encoder", help="registered encoder, or a CLIP/SigLIP hub id / local dir")
    g.add_argument("--adapter", help="a LoRA adapter folder written by `vlm finetune`")
    g.add_argument("--no-reader", action="store_true",
                   help="the embedded LLM without the reader (the LoRA trained to answer from the facts)")
    g = p.add_argument_group("sampling")
    g.add_argument("--frames", type=int, default=None, help="frames to sample (default 16)")
    g.add_argument("--fps", type=float, default=None, help="sample at this rate instead (capped at --frames)")
    g.add_argument("--sampler", default=None, help="frame sampler (default uniform; see `vlm models`)")
    g = p.add_argument_group("perception")
    g.add_argument("--skip-part", action="append", default=[], metavar="PART",
                   help="leave a perception part out (speech, text, people; repeat for more)")


def _add_generation_args(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("generation")
    g.add_argument("--max-new-tokens", type=int, default=160)
    g.add_argument("--temperature", type=float, default=0.0, help="0 = greedy and deterministic")
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--show-context", action="store_true", help="print what the vision models saw")


def load_assistant_from_args(args):
    from vlm.assistant import VideoAssistant
    from vlm.config import VideoLLMConfig
    from vlm.perception import PARTS

    skip = set(getattr(args, "skip_part", None) or [])
    unknown = sorted(skip - set(PARTS))
    if unknown:
        raise CLIError(f"--skip-part {unknown[0]!r}: not a perception part; parts: {', '.join(sorted(PARTS))}")

    if args.model:
        assistant = VideoAssistant.from_pretrained(args.model)
        if args.adapter:
            assistant.load_adapter(args.adapter)
    elif args.adapter:
        assistant = VideoAssistant.from_adapter(args.adapter)
    elif args.llm or args.encoder:
        config = VideoLLMConfig()
        if args.llm:
            config.llm = args.llm
        if args.encoder:
            config.encoder = args.encoder
        assistant = VideoAssistant.build(config)
    else:
        assistant = VideoAssistant.default(reader=not getattr(args, "no_reader", False))
    assistant.config.perception_parts = tuple(p for p in assistant.config.perception_parts if p not in skip)
    return assistant


def _wait_for_parts(video) -> None:
    """Show the background parts' progress on stderr until they are done (describe prints everything)."""
    ctx = video.context
    if not ctx.pending:
        return
    from tqdm import tqdm

    with tqdm(total=100, desc="perception: " + ", ".join(ctx.pending), file=sys.stderr,
              bar_format="{desc} {percentage:3.0f}%|{bar}| {elapsed}") as bar:
        while not ctx.wait(0.5):
            done = min(s.progress for s in ctx.parts.values() if s.pending) if ctx.pending else 1.0
            bar.update(round(100 * done) - bar.n)
        bar.update(100 - bar.n)


def _watch(assistant, args):
    kwargs = {}
    if args.fps:
        kwargs = {"sampler": "fps", "fps": args.fps}
    elif args.sampler:
        kwargs = {"sampler": args.sampler}
        if args.sampler == "query":  # look for the moments that match the question
            kwargs["question"] = (getattr(args, "question", None) or [""])[0]  # the first; follow-ups refer back
    return assistant.watch(args.video, num_frames=args.frames, **kwargs)


# --- commands ------------------------------------------------------------------------------------------------


def cmd_probe(args) -> int:
    from vlm.video import probe

    info = probe(args.video)
    if args.json:
        print(json.dumps(info.to_dict(), indent=2))
    else:
        print(f"{info.path}\n  duration {info.duration:.2f} s, {info.num_frames} frames at {info.fps:.3f} fps, "
              f"{info.width}x{info.height}, codec {info.codec}")
    return 0


def cmd_describe(args) -> int:
    from vlm.video import probe

    probe(args.video)  # a bad file fails in milliseconds, before any model loads
    assistant = load_assistant_from_args(args)
    video = _watch(assistant, args)
    _wait_for_parts(video)
    if args.json:
        print(json.dumps(video.context.to_dict(), indent=2))
        return 0
    print(video.context.to_text(), end="\n\n")
    _print_stream(assistant.stream(video, "Describe what happens in this video.", **_gen_kwargs(args)))
    return 0


def cmd_chat(args) -> int:
    if args.sample:
        from vlm.samples import default_sample

        args.video = str(default_sample())
        print(f"(sample clip: {args.video})", file=sys.stderr)
    if not args.video:
        raise CLIError("give a VIDEO path (or --sample)")
    from vlm.video import probe

    probe(args.video)  # a bad file fails in milliseconds, before any model loads
    t0 = time.time()
    assistant = load_assistant_from_args(args)
    video = _watch(assistant, args)
    print(f"(loaded in {time.time() - t0:.1f} s; {len(video.timestamps)} frames, "
          f"{assistant.config.num_video_tokens(len(video.timestamps))} video tokens)", file=sys.stderr)
    if args.show_context:
        print(video.context.to_text(), end="\n\n")
        if video.context.pending:
            print(f"(still working in the background: {', '.join(video.context.pending)}; answers say so)",
                  file=sys.stderr)
    history: list[dict] = []
    if args.question:  # each -q a turn of one conversation, so a follow-up can refer back
        for question in args.question:
            answer = _print_stream(assistant.stream(video, question, history, **_gen_kwargs(args)))
            history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
        return 0
    interactive = sys.stdin.isatty()
    while True:
        try:
            question = input("you> " if interactive else "").strip()
        except EOFError:
            break
        if question in ("exit", "quit"):
            break
        if not question:
            continue
        if interactive:
            print("vlm> ", end="", flush=True)
        answer = _print_stream(assistant.stream(video, question, history, **_gen_kwargs(args)))
        history += [{"role": "user", "content": question}, {"role": "assistant", "content": answer}]
    return 0


def cmd_serve(args) -> int:
    """The OpenAI-compatible API (app.server) under uvicorn; the models load in the background (503 until then)."""
    import uvicorn

    from app.media import MediaPolicy
    from app.server import ServeSettings, create_app

    dirs = []
    for d in args.allowed_local_media_path:
        if not Path(d).expanduser().is_dir():
            raise CLIError(f"--allowed-local-media-path {d}: not a folder")
        dirs.append(Path(d))
    settings = ServeSettings(model_name=args.model_name, api_key=args.api_key or os.environ.get("VLM_API_KEY"),
                             max_queue=args.max_queue, max_body_mb=args.max_body_mb,
                             request_timeout_s=args.request_timeout, num_frames=args.frames, sampler=args.sampler,
                             media=MediaPolicy(tuple(dirs), allow_remote=args.allow_remote_media,
                                               allow_private=args.allow_private_addresses,
                                               max_bytes=args.max_video_mb * 2 ** 20,
                                               timeout_s=args.remote_timeout))
    app = create_app(settings, lambda: load_assistant_from_args(args))
    print(f"vlm serve: http://{args.host}:{args.port}/v1 (model {args.model_name!r}; "
          f"local media: {', '.join(map(str, dirs)) or 'off'}; remote media: "
          f"{'on' if args.allow_remote_media else 'off'})", file=sys.stderr)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level, timeout_graceful_shutdown=5)
    return 0


def cmd_models(args) -> int:
    from vlm.encoders import list_encoders
    from vlm.pooling import POOL_MODES
    from vlm.projector import PROJECTORS
    from vlm.video.sampling import SAMPLERS
    from vlm.weights import WEIGHTS

    print("encoders:   " + ", ".join(list_encoders()) + "  (or a CLIP/SigLIP hub id / local dir)")
    print("projectors: " + ", ".join(PROJECTORS))
    print("pooling:    " + ", ".join(POOL_MODES))
    print("samplers:   " + ", ".join(sorted(SAMPLERS)))
    print("LLMs:       " + ", ".join(n for n, w in WEIGHTS.items() if w.kind == "causal-lm")
          + "  (or any causal-LM hub id / local dir)")
    print("weights (embedded, offline):")
    for w in WEIGHTS.values():
        print(f"  {w.name:28s} {w.kind:17s} {w.description}  [pip: {w.package}]")
    return 0


def cmd_setup(args) -> int:
    """Check the embedded weights are installed, convert the GGUF LLM and join the Whisper parts, once."""
    from vlm.weights import WEIGHTS, converted_gguf_dir, speech_model_dir, weights_path

    for name, w in WEIGHTS.items():
        if w.required:
            weights_path(name)
    t0 = time.time()
    path = converted_gguf_dir()
    speech = speech_model_dir()
    import torch

    from vlm.perception.activity import default_activity_scorer

    default_activity_scorer().likely(torch.full((1000,), 1e-3))  # embeds the ~800 action names into the cache
    print(f"embedded weights ready; LLM cache {path}, speech model {speech} ({time.time() - t0:.1f} s)")
    return 0


def cmd_eval_zero_shot(args) -> int:
    from eval.datasets import load_dataset
    from eval.harness import ViewConfig, evaluate
    from eval.zeroshot import DEFAULT_TEMPLATES, build_method

    dataset = load_dataset(args.data, split=args.split, skip_bad=args.skip_bad, fmt=args.format,
                           splits_dir=args.splits_dir)
    kwargs: dict = {}
    if args.method in ("semantic", "clip"):
        kwargs["templates"] = tuple(args.template) if args.template else DEFAULT_TEMPLATES
    if args.method == "semantic":
        kwargs.update(top_k=args.top_k, precision=args.precision, cues=args.cues)
    elif args.method == "clip":
        kwargs["model"] = args.model
    else:
        kwargs.update(model_dir=args.model, adapter=args.adapter)
    method = build_method(args.method, **kwargs)
    views = ViewConfig(num_frames=args.frames, clips=args.clips, crops=args.crops)
    report = evaluate(dataset, method, views, Path(args.out), use_cache=not args.no_cache, skip_bad=args.skip_bad,
                      progress=not args.quiet, seed=args.seed)
    if report is not None:
        print(f"{dataset.name}: {report['num_clips']} clips, {report['num_classes']} classes "
              f"(chance {report['chance']:.1%}) — top-1 {report['top1']:.1%}, top-5 {report['top5']:.1%}, "
              f"mean per-class {report['mean_class_accuracy']:.1%}; report in {args.out}")
    return 0


def cmd_eval_compare(args) -> int:
    from eval.report import compare_runs

    print(compare_runs(Path(args.run1), Path(args.run2)))
    return 0


def cmd_finetune(args) -> int:
    from adapters.lora import LoraSpec
    from adapters.train import TrainArgs, main as train

    targs = TrainArgs(stage=args.stage, max_steps=args.max_steps, batch_size=args.batch_size,
                      grad_accum=args.grad_accum, lr=args.lr, projector_lr=args.projector_lr,
                      save_every=args.save_every, keep_last=args.keep_last, seed=args.seed, num_frames=args.frames,
                      pooling=args.pooling, projector=args.projector or TrainArgs.projector,
                      perception=args.perception,
                      train_encoder=args.train_encoder,
                      init_from=args.init_from, mixed_precision=args.mixed_precision, llm=args.llm,
                      lora=LoraSpec(r=args.lora_r, alpha=args.lora_alpha, dropout=args.lora_dropout,
                                    target_modules=tuple(args.lora_target or LoraSpec().target_modules)))
    summary = train(args.data, args.out, targs, resume=args.resume, progress=not args.quiet)
    if summary["losses"]:
        print(f"{summary['steps']} steps, final loss {summary['losses'][-1]:.4f}, "
              f"{summary['samples_per_s']:.1f} samples/s; adapter in {args.out}")
    return 0


def cmd_data_synth(args) -> int:
    from adapters.data import write_synthetic_set

    files = write_synthetic_set(args.out, args.n, seed=args.seed, progress=not args.quiet)
    print("\n".join(f"{k}: {v}" for k, v in files.items()))
    return 0


def cmd_data_pseudo_caption(args) -> int:
    from adapters.data import pseudo_captions
    from vlm.assistant import VideoAssistant

    n = pseudo_captions(VideoAssistant.build(), args.videos, args.out)
    print(f"{n} captions written to {args.out}; edit them, then `vlm finetune --data {args.out}`")
    return 0


def _dev_clips() -> list[Path]:
    """The real clips of the QA benchmark's development half: the only real clips the reader may train on."""
    from eval.bench_qa import load_questions
    from vlm.samples import shared_videos_dir

    root = shared_videos_dir()
    if root is None:
        print("(no real clips here: the reader trains on fabricated and synthetic contexts only)", file=sys.stderr)
        return []
    return sorted({root / q["clip"] for q in load_questions(split="dev")})


def cmd_data_reader(args) -> int:
    from adapters.reader_data import write_reader_set

    files = write_reader_set(args.out, fabricated=args.fabricated, synthetic=args.synthetic, real_clips=_dev_clips(),
                             seed=args.seed, progress=not args.quiet)
    print("\n".join(f"{k}: {v}" for k, v in files.items()))
    return 0


def cmd_reader_train(args) -> int:
    from adapters.reader import ReaderRecipe, train_reader

    recipe = ReaderRecipe(fabricated=args.fabricated, synthetic=args.synthetic, steps=args.steps, seed=args.seed)
    info = train_reader(args.out, real_clips=_dev_clips(), recipe=recipe, work_dir=args.work_dir,
                        progress=not args.quiet)
    print(f"reader in {args.out} ({info['megabytes']} MB): data {info['data_minutes']} min, training "
          f"{info['train_minutes']} min for {info['steps']} steps, final loss {info['final_loss']:.3f}")
    return 0


def cmd_adapters_merge(args) -> int:
    from vlm.assistant import VideoAssistant

    assistant = VideoAssistant.from_adapter(args.adapter)
    out = assistant.save_pretrained(args.out, include_llm=True)
    print(f"merged model written to {out}; chat with `vlm chat VIDEO --model {out}`")
    return 0


def cmd_generate(args) -> int:
    from vlm.generation import Planner, generate

    res = generate(args.prompt, args.output, planner=Planner(llm=args.llm, mode=args.planner), num_frames=args.frames, fps=args.fps,
                   size=args.size, seed=args.seed)
    plan_json = res.plan.model_dump_json(indent=2)
    print(plan_json)
    if args.plan_out:
        Path(args.plan_out).write_text(plan_json + "\n")
    print(f"\nvideo: {res.video} ({args.frames} frames, {args.size}x{args.size}, {args.fps:g} fps)")
    print(res.summary())
    print(f"seconds: plan {res.seconds['plan']}, render {res.seconds['render']}, verify {res.seconds['verify']}")
    return 0


def cmd_render(args) -> int:
    from vlm.generation import ProceduralRenderer, parse_plan, render_video, verify

    plan = parse_plan(Path(args.plan).read_text())
    out = render_video(plan, args.output, renderer=ProceduralRenderer(motion_blur=args.motion_blur, labels=args.labels),
                       num_frames=args.frames, fps=args.fps, size=args.size, seed=args.seed)
    print(f"video: {out}; plan adherence {verify(out, plan).score:.0%}")
    return 0


def cmd_summary(args) -> int:
    from vlm.summary import summary_text

    try:
        shape = tuple(int(x) for x in args.input.lower().split("x"))
    except ValueError:
        raise CLIError(f"--input must look like 3x16x112x112 (C x T x H x W), got {args.input!r}") from None
    if len(shape) != 4:
        raise CLIError(f"--input needs 4 numbers C x T x H x W, got {len(shape)}")
    print(summary_text(args.name, shape))
    return 0


# --- helpers -------------------------------------------------------------------------------------------------


def _gen_kwargs(args) -> dict:
    return {"max_new_tokens": args.max_new_tokens, "temperature": args.temperature, "seed": args.seed}


def _print_stream(pieces) -> str:
    out = []
    for piece in pieces:
        print(piece, end="", flush=True)
        out.append(piece)
    print()
    return "".join(out).strip()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="vlm", description="Chat about videos on a CPU, offline.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("probe", help="duration, fps, frames, size and codec of a video")
    p.add_argument("video")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_probe)

    p = sub.add_parser("describe", help="what the vision models see, and a one-line description")
    p.add_argument("video")
    p.add_argument("--json", action="store_true", help="print the perception context as JSON and exit")
    _add_model_args(p)
    _add_generation_args(p)
    p.set_defaults(func=cmd_describe)

    p = sub.add_parser("chat", help="ask questions about a video (the -q ones, then exit; else interactive)")
    p.add_argument("video", nargs="?")
    p.add_argument("-q", "--question", action="append",
                   help="ask this and exit; repeat for follow-ups in one conversation (-q 'What is on the table?' "
                        "-q 'And how many?')")
    p.add_argument("--sample", action="store_true", help="use a sample clip")
    _add_model_args(p)
    _add_generation_args(p)
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser("eval", help="evaluations (zero-shot classification, run comparison)")
    esub = p.add_subparsers(dest="eval_command", required=True)
    e = esub.add_parser("zero-shot", help="zero-shot video classification on a labelled dataset")
    e.add_argument("data", help="manifest .csv, a folder of class folders, a UCF101/HMDB51 root or a Kinetics .csv")
    e.add_argument("--split", help="manifest 'split' column value (e.g. actions), or the UCF/HMDB split number")
    e.add_argument("--format", default="auto", choices=["auto", "manifest", "folder", "ucf101", "hmdb51", "kinetics"])
    e.add_argument("--splits-dir", help="UCF101/HMDB51 split files folder, or the Kinetics videos folder")
    e.add_argument("--method", default="semantic", choices=["semantic", "clip", "likelihood"])
    e.add_argument("--model", help="clip: CLIP/SigLIP hub id or dir; likelihood: a saved VideoLLM folder")
    e.add_argument("--adapter", help="likelihood: a LoRA adapter folder from `vlm finetune`")
    e.add_argument("--frames", type=int, default=8, help="frames per view")
    e.add_argument("--clips", type=int, default=1, help="temporal views per clip (scores averaged)")
    e.add_argument("--crops", type=int, default=1, choices=[1, 3], help="spatial views per clip")
    e.add_argument("--top-k", type=int, default=10, help="semantic: ImageNet classes per clip")
    e.add_argument("--cues", action="store_true",
                   help="semantic: add the perception cues (words heard or read on screen, an upside-down body)")
    e.add_argument("--template", action="append", help="prompt template with {} (repeat for an ensemble)")
    e.add_argument("--precision", default="auto", choices=["auto", "bf16", "fp32"])
    e.add_argument("--out", default="runs/zero-shot", help="report folder")
    e.add_argument("--skip-bad", action="store_true", help="evaluate the usable clips, list the rest")
    e.add_argument("--no-cache", action="store_true")
    e.add_argument("--seed", type=int, default=0)
    e.add_argument("--quiet", action="store_true", help="no progress bar")
    e.set_defaults(func=cmd_eval_zero_shot)
    e = esub.add_parser("compare", help="per-class difference between two zero-shot runs")
    e.add_argument("run1")
    e.add_argument("run2")
    e.set_defaults(func=cmd_eval_compare)

    p = sub.add_parser("finetune", help="train an adapter (projector alignment, then LoRA) on your clips")
    p.add_argument("--data", required=True, help="LLaVA-style .jsonl, a video,caption .csv, or a folder of clips + .txt")
    p.add_argument("--stage", default="lora", choices=["align", "lora"])
    p.add_argument("--out", required=True, help="adapter folder to write")
    p.add_argument("--max-steps", type=int, default=300)
    p.add_argument("--save-every", type=int, default=100)
    p.add_argument("--keep-last", type=int, default=2, help="checkpoints kept")
    p.add_argument("--resume", action="store_true", help="continue from the newest checkpoint in --out")
    p.add_argument("--init-from", help="an adapter folder to start from (e.g. the align stage's output)")
    p.add_argument("--batch-size", type=int, default=4, help="per process")
    p.add_argument("--grad-accum", type=int, default=1)
    p.add_argument("--lr", type=float, default=5e-4, help="LoRA learning rate")
    p.add_argument("--projector-lr", type=float, default=1e-3)
    p.add_argument("--frames", type=int, default=8)
    p.add_argument("--pooling", type=int, default=3, help="tokens per frame side (3x3: the best measured; eval.bench_finetune)")
    p.add_argument("--projector", choices=["linear", "mlp2x_gelu", "stc"],
                   help="per token (linear, mlp2x_gelu), or stc: a 3D convolution over the token grid as well "
                        "(default: the recipe's, see adapters.train.TrainArgs)")
    p.add_argument("--perception", action="store_true", help="also train with the perception facts in the prompt")
    p.add_argument("--train-encoder", action="store_true")
    p.add_argument("--lora-r", type=int, default=16)
    p.add_argument("--lora-alpha", type=int, default=32)
    p.add_argument("--lora-dropout", type=float, default=0.0)
    p.add_argument("--lora-target", action="append", help="LoRA target module (repeat); default: attention + MLP")
    p.add_argument("--mixed-precision", default="auto", choices=["auto", "no", "bf16"],
                   help="auto: bf16 autocast where the hardware has native bf16")
    p.add_argument("--llm", help="LLM to adapt (default: the embedded SmolLM2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_finetune)

    p = sub.add_parser("data", help="make training data")
    dsub = p.add_subparsers(dest="data_command", required=True)
    d = dsub.add_parser("synth", help="synthetic clips with motion and appearance questions")
    d.add_argument("--out", required=True)
    d.add_argument("--n", type=int, default=200, help="clips (4 questions each; 20%% held out in test.jsonl)")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--quiet", action="store_true")
    d.set_defaults(func=cmd_data_synth)
    d = dsub.add_parser("pseudo-caption", help="captions for your clips from the perception context, to edit")
    d.add_argument("--videos", required=True)
    d.add_argument("--out", required=True, help="a video,caption .csv")
    d.set_defaults(func=cmd_data_pseudo_caption)

    d = dsub.add_parser("reader", help="conversations about perception contexts, for training the reader")
    d.add_argument("--out", required=True)
    d.add_argument("--fabricated", type=int, default=1200, help="fabricated contexts (one conversation each)")
    d.add_argument("--synthetic", type=int, default=48, help="synthetic clips with speech and captions")
    d.add_argument("--seed", type=int, default=0)
    d.add_argument("--quiet", action="store_true")
    d.set_defaults(func=cmd_data_reader)

    p = sub.add_parser("reader", help="the reader: the LoRA that answers from the perception facts")
    rsub = p.add_subparsers(dest="reader_command", required=True)
    r = rsub.add_parser("train", help="build the reader from scratch: data, LoRA training, fp16 compaction")
    r.add_argument("--out", default=str(Path(__file__).resolve().parents[1] / "vlm" / "reader" / "smollm2-135m"),
                   help="adapter folder to write (default: the one shipped in vlm/reader)")
    r.add_argument("--work-dir", help="data and checkpoints (default: beside --out); a killed run resumes")
    r.add_argument("--steps", type=int, default=400)
    r.add_argument("--fabricated", type=int, default=1200)
    r.add_argument("--synthetic", type=int, default=48)
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--quiet", action="store_true")
    r.set_defaults(func=cmd_reader_train)

    p = sub.add_parser("adapters", help="adapter utilities")
    asub = p.add_subparsers(dest="adapters_command", required=True)
    a = asub.add_parser("merge", help="merge an adapter's LoRA into the LLM and save a full model folder")
    a.add_argument("adapter")
    a.add_argument("--out", required=True)
    a.set_defaults(func=cmd_adapters_merge)

    p = sub.add_parser("generate", help="plan a video with the LLM, render it and check it follows the plan")
    p.add_argument("prompt")
    p.add_argument("-o", "--output", required=True, help="an .mp4 to write")
    p.add_argument("--frames", type=int, default=48)
    p.add_argument("--fps", type=float, default=12)
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--plan-out", help="also write the plan as JSON")
    p.add_argument("--llm", help="the planning LLM (default: the embedded SmolLM2)")
    p.add_argument("--planner", choices=("layout", "free", "boxes"), default="layout",
                   help="layout: the LLM chooses places and motions, compiled into boxes (default; small LLMs); "
                        "boxes: the LLM writes every keyframe box")
    p.set_defaults(func=cmd_generate)

    p = sub.add_parser("render", help="render a hand-written plan.json")
    p.add_argument("plan")
    p.add_argument("-o", "--output", required=True)
    p.add_argument("--frames", type=int, default=48)
    p.add_argument("--fps", type=float, default=12)
    p.add_argument("--size", type=int, help="frame side in pixels (default: the plan's canvas)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--motion-blur", type=int, default=1, help="sub-frames averaged per frame")
    p.add_argument("--labels", action="store_true", help="draw entity names")
    p.set_defaults(func=cmd_render)

    p = sub.add_parser("summary", help="layer table: output sizes, receptive fields, parameters, multiply-adds")
    p.add_argument("name", help="a registered encoder (see `vlm models`)")
    p.add_argument("--input", default="3x16x112x112", help="C x T x H x W")
    p.set_defaults(func=cmd_summary)

    p = sub.add_parser("serve", help="an OpenAI-compatible API for chatting about videos (FastAPI + uvicorn)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--allowed-local-media-path", action="append", default=[], metavar="DIR",
                   help="a folder whose videos file:// URLs may name (repeat; none: local files are refused)")
    p.add_argument("--allow-remote-media", action="store_true", help="fetch http(s):// video URLs (public hosts only)")
    p.add_argument("--allow-private-addresses", action="store_true",
                   help="with --allow-remote-media: also loopback, private and link-local hosts")
    p.add_argument("--max-video-mb", type=int, default=200, help="cap on a data: or downloaded video")
    p.add_argument("--remote-timeout", type=float, default=30.0, help="seconds to download a remote video")
    p.add_argument("--api-key", help="require Authorization: Bearer KEY (or set VLM_API_KEY)")
    p.add_argument("--max-queue", type=int, default=8, help="requests waiting or running before 429")
    p.add_argument("--max-body-mb", type=int, default=256)
    p.add_argument("--request-timeout", type=float, default=300.0, help="seconds of generation per request")
    p.add_argument("--model-name", default="vlm", help="the id clients pass as `model`")
    p.add_argument("--log-level", default="warning", choices=["critical", "error", "warning", "info", "debug"])
    _add_model_args(p)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("models", help="list encoders, projectors, samplers, LLMs and embedded weights")
    p.set_defaults(func=cmd_models)

    p = sub.add_parser("setup", help="check embedded weights and build the model cache")
    p.set_defaults(func=cmd_setup)
    return parser


def main(argv: list[str] | None = None) -> int:
    from vlm.runtime import limit_malloc_arenas
    from vlm.video.io import VideoReadError

    limit_malloc_arenas()
    args = build_parser().parse_args(argv)
    _quiet_libraries()
    try:
        return args.func(args)
    except (VideoReadError, CLIError, FileNotFoundError, ValueError) as e:
        if os.environ.get("VLM_DEBUG"):
            raise
        print(f"vlm: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
