"""The assistant users talk to: watch a video once, then answer questions about it, streaming tokens.

`watch` samples and decodes only the chosen frames, encodes them once (the video features are reused by every
turn) and builds the perception context; `stream` renders the conversation through the LM's chat template and
yields text as it is generated. All compute runs on the process's one model thread (`vlm.runtime`): that keeps
PyTorch's OpenMP at full speed and runs one generation at a time, so one loaded model can serve several chat
sessions; the others wait their turn.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np
import torch

from vlm.config import VideoLLMConfig
from vlm.english import direct_question, fix_articles_stream
from vlm.model import VideoLLM
from vlm.perception import Clip, PerceptionContext, Perceiver, PerceptionSettings, build_context
from vlm.perception.base import ANALYSIS_LONG_SIDE
from vlm.processor import VideoLLMProcessor
from vlm.runtime import model_thread, submit
from vlm.video.io import VideoInfo, VideoReader
from vlm.video.sampling import FrameSelection, sample_frames

MOTION_GAP_S = 0.2  # seconds between a sampled frame and its neighbour used for optical flow


@dataclass
class WatchedVideo:
    path: str
    info: VideoInfo
    selection: FrameSelection
    frames: np.ndarray                  # (T, h, w, 3) uint8 as decoded
    preview: np.ndarray                 # (T, S, S, 3) uint8: exactly what the encoder saw, before normalising
    video_features: torch.Tensor        # (1, num_video_tokens, D_llm)
    frame_probs: torch.Tensor           # (T, 1000) ImageNet probabilities per frame (zero-shot ranking reuses them)
    context: PerceptionContext

    @property
    def timestamps(self) -> np.ndarray:
        return self.selection.timestamps


class VideoAssistant:
    def __init__(self, model: VideoLLM, processor: VideoLLMProcessor):
        self.model, self.processor, self.config = model, processor, model.config
        self._classifier = None
        self._perceiver: Perceiver | None = None
        self._fast_tower = None  # an inference copy of the vision tower (BatchNorms folded, bf16), built on first use
        self._fast = None        # (language model, its FastLM): rebuilt when the language model object changes
        self.int4 = True         # decode the embedded LLM from its GGUF's int4 codes (False: dense, exact to generate)
        self.extractive = False  # the reader's extractive routes (`stream`): "when", "what <kind>", a lone watermark

    @property
    def perceiver(self) -> Perceiver:
        """The perception parts the config names (their models load on first use, once per process)."""
        parts = tuple(self.config.perception_parts)
        if self._perceiver is None or self._perceiver.settings.parts != parts:
            self._perceiver = Perceiver(PerceptionSettings(parts=parts))
        return self._perceiver

    def count_tokens(self, text: str) -> int:
        return len(self.processor.tokenizer(text, add_special_tokens=False)["input_ids"])

    @classmethod
    @model_thread
    def build(cls, config: VideoLLMConfig | None = None, *, language_model=None, tokenizer=None,
              dtype: torch.dtype | None = None) -> "VideoAssistant":
        """A fresh assistant from a config (default: the embedded models); LM and tokenizer may be given."""
        from vlm.encoders import build_encoder
        from vlm.weights import load_causal_lm

        config = config or VideoLLMConfig()
        if language_model is None:
            language_model, tokenizer = load_causal_lm(config.llm, dtype=dtype)
        processor = VideoLLMProcessor(tokenizer, config)
        model = VideoLLM(config, language_model=language_model,
                         vision_tower=build_encoder(config.encoder, **config.encoder_kwargs))
        return cls(model.eval(), processor)

    @classmethod
    def default(cls, *, reader: bool = True, dtype: torch.dtype | None = None) -> "VideoAssistant":
        """The embedded assistant, with the reader (`vlm.reader`: a LoRA trained to answer from the perception
        facts) unless reader=False."""
        if not reader:
            return cls.build(dtype=dtype)
        from vlm.reader import default_reader_dir

        return cls.from_adapter(default_reader_dir(), dtype=dtype)

    @model_thread
    def load_adapter(self, adapter_dir: str | Path) -> "VideoAssistant":
        """Apply an adapter from `vlm finetune` (projector + LoRA merged into the LLM) and adopt the frame count and
        prompt format it was trained with. The model must match its LLM, encoder, pooling and projector."""
        from vlm.adapter import adapter_config, load_adapter_weights

        from vlm.fastlm import FastLM

        trained = adapter_config(adapter_dir)
        # The fast decoder applies a LoRA kept apart (the int4 path needs the base weights as the GGUF stores them);
        # transformers' generate, for the architectures the fast decoder does not cover, gets it merged.
        load_adapter_weights(self.model, adapter_dir, merge=not FastLM.supports(self.model.language_model))
        self._fast_tower = self._fast = None  # the adapter may have trained the encoder; its LoRA changed the LLM
        self.config.num_frames, self.config.perception = trained.num_frames, trained.perception
        self.extractive = (Path(adapter_dir) / "reader_training.json").exists()  # a reader: its routes too
        return self

    @classmethod
    def from_adapter(cls, adapter_dir: str | Path, *, dtype: torch.dtype | None = None) -> "VideoAssistant":
        """The embedded (or named) models set up as the adapter was trained, with the adapter applied."""
        from vlm.adapter import adapter_config

        config = adapter_config(adapter_dir)
        config.video_token_id = None  # the processor sets it for this tokenizer
        return cls.build(config, dtype=dtype).load_adapter(adapter_dir)

    def save_pretrained(self, out_dir: str | Path, *, include_llm: bool = False) -> Path:
        """The model (config.json + model.safetensors [+ llm/]) and the tokenizer, loadable by from_pretrained."""
        out = self.model.save_pretrained(out_dir, include_llm=include_llm)
        self.processor.tokenizer.save_pretrained(out)
        return out

    @classmethod
    @model_thread
    def from_pretrained(cls, model_dir: str | Path, *, dtype: torch.dtype | None = None) -> "VideoAssistant":
        from transformers import AutoTokenizer

        model = VideoLLM.from_pretrained(model_dir, dtype=dtype)
        processor = VideoLLMProcessor(AutoTokenizer.from_pretrained(model_dir), model.config)
        return cls(model, processor)

    # --- watching ----------------------------------------------------------------------------------------
    @model_thread
    @torch.no_grad()
    def watch(self, path: str | Path, *, num_frames: int | None = None, sampler: str | None = None,
              **sampler_kwargs) -> WatchedVideo:
        transform = self.processor.transform
        # Decoded once at a size the encoder (short side) and the perception parts (long side) can both use.
        reader = VideoReader(path, short_side=transform.size, long_side=ANALYSIS_LONG_SIDE if self.config.perception else None)
        clip = Clip(Path(path), reader.info)
        early = self.perceiver.begin(clip) if self.config.perception else {}  # speech overlaps what follows
        selection = sample_frames(reader, sampler=sampler or self.config.sampler,
                                  num_frames=num_frames or self.config.num_frames, **sampler_kwargs)
        idx = selection.indices
        gap = max(1, round(reader.info.fps * MOTION_GAP_S))
        neighbours = np.where(idx + gap < len(reader), idx + gap, np.maximum(idx - gap, 0))
        decoded = reader.get_batch(np.concatenate([idx, neighbours]))   # one forward pass over the file
        frames, next_frames = decoded[:len(idx)], decoded[len(idx):]
        clip.provide(selection.timestamps, frames)
        cropped = transform.resize_crop(frames)                           # (T, C, S, S) in [0, 1]
        pixel_values = transform.normalize(cropped).unsqueeze(0)          # (1, T, C, S, S)
        preview = (cropped * 255).round().byte().permute(0, 2, 3, 1).numpy()
        encoded = self._encode(pixel_values)
        features = self.model.project(encoded)                            # (1, N, D_llm)
        probs = self._frame_probs(encoded, frames)                        # (T, 1000)
        dt = (neighbours - idx) / reader.info.fps
        context = build_context(reader.info, selection.timestamps, frames, next_frames, dt, probs)
        context.max_tokens, context.count_tokens = self.config.context_tokens, self.count_tokens
        if self.config.perception:
            self.perceiver.complete(clip, early, context, probs.mean(0))
        return WatchedVideo(str(path), reader.info, selection, frames, preview, features, probs, context)

    def _encode(self, pixel_values: torch.Tensor):
        """The vision tower with its BatchNorms folded into the convs, in fp32 (`vlm.encoders.fast`): the same
        tokens as training computes (relative difference 3e-6), 1.24x faster for EfficientNet-Lite0 on 16 frames
        here. bf16 would be 2.6x but differs by 3e-2 from the fp32 tokens a trained projector learnt on."""
        if self._fast_tower is None:
            import copy

            from vlm.encoders.fast import fast_inference

            self._fast_tower = fast_inference(copy.deepcopy(self.model.vision_tower), torch.float32)
        with torch.inference_mode():
            out = self._fast_tower(pixel_values.to(next(self._fast_tower.parameters()).dtype))
        return out

    def _frame_probs(self, encoded, frames: np.ndarray) -> torch.Tensor:
        """ImageNet probabilities per frame: free when the encoder is the ImageNet classifier, else one more pass."""
        if encoded.frame_logits is not None and encoded.frame_logits.shape[-1] == 1000:
            return encoded.frame_logits[0].float().softmax(-1)
        if self._classifier is None:
            from vlm.encoders import build_encoder

            self._classifier = build_encoder("efficientnet-lite0")
        x = self._classifier.default_transform()(frames).unsqueeze(0)
        return self._classifier(x).frame_logits[0].softmax(-1)

    # --- talking -----------------------------------------------------------------------------------------
    def messages(self, video: WatchedVideo | None, question: str, history: Sequence[dict] = ()) -> list[dict]:
        """The conversation so far plus the new question, in the prompt format training uses too. Without a
        video, a plain chat with the LLM (no video tokens, no facts)."""
        turns = list(history) + [{"role": "user", "content": question}]
        if video is None:
            return turns
        facts = video.context.to_text() if self.config.perception else None
        return self.processor.conversation(turns, facts)

    def stream(self, video: WatchedVideo | None, question: str, history: Sequence[dict] = (), *,
               max_new_tokens: int = 160, temperature: float = 0.0, top_p: float = 0.95, seed: int = 0,
               stop: threading.Event | None = None) -> Iterator[str]:
        """Yield the answer's text pieces as they are generated (greedy unless temperature > 0), on the fast
        decoder (`vlm.fastlm`) where the LLM's architecture allows, else transformers' generate. With the reader,
        a question one of the extractive routes (`vlm.perception.routes`: the video's length and shots, a timed
        fact's times, what happens at a point, the objects of the kind asked for, words said or written looked
        up, the sound, a number of people) answers from the facts is answered there, without the LLM; else the
        LLM's first sentence is checked (`vlm.perception.checks`) before it is shown. A request round a question
        ("Can you tell me what ...?") is read as the question (`vlm.english.direct_question`), a word or two
        ("Boat?") as the question it stands for (`vlm.perception.terse.expanded`), and a follow-up that leaves out
        what the last question said ("And the boat?", "When?") written out from it (`vlm.perception.ellipsis`)."""
        stop = stop or threading.Event()
        if video is not None and self.config.perception and self.extractive:
            from vlm.perception.routes import READS_PARTS, extractive_answer

            from vlm.perception.ellipsis import resolved
            from vlm.perception.terse import expanded

            question = expanded(direct_question(question))   # "Can you tell me what ...?" -> "What ...?", "Boat?"
            #                                                   -> "Is there a boat?"
            question = resolved(question, history)           # "And the boat?" after "Does the camera move?"

            found = extractive_answer(question, video.context, history)
            if found is not None:
                yield found[1]
                if video.context.pending and found[0] in READS_PARTS:
                    yield f"\n\n(Still working on {pending_text(video.context)}; ask again for it.)"
                return
        text = self.processor.chat_text(self.messages(video, question, history))
        inputs = self.processor(text, num_frames=len(video.timestamps) if video is not None else None)
        features = video.video_features if video is not None else None
        sampling = dict(max_new_tokens=max_new_tokens, temperature=temperature, top_p=top_p, seed=seed, stop=stop)
        pending = video.context.pending if video is not None and self.config.perception else []
        pieces = self._fast_pieces if self.fast_lm() is not None else self._generate_pieces
        generated = pieces(inputs, features, **sampling)
        checked = generated
        if video is not None and self.config.perception and self.extractive:
            from vlm.perception.checks import checked_start
            from vlm.perception.routes import fallback_answer

            # not "no one is visible" where someone is; the likeliest object where the reader cannot tell
            checked = checked_start(generated, video.context, question, history,
                                    fallback=fallback_answer(question, video.context, history))
        try:
            yield from fix_articles_stream(checked)   # "a oxygen mask" -> "an oxygen mask"
        finally:
            generated.close()   # a reader that stops early stops the generation now, not when collected
        if pending:  # said plainly, whatever the LLM made of the "not known yet" line
            yield f"\n\n(Still working on {pending_text(video.context)}; ask again for it.)"

    REPETITION_PENALTY = 1.15  # on generated tokens only: words from the prompt's facts are what answers reuse

    @model_thread
    def fast_lm(self):
        """The fast decoder over the LLM's current weights (None for architectures it does not cover)."""
        key = (self.model.language_model, self.int4)
        if self._fast is None or self._fast[0] != key:
            from vlm.fastlm import build_fast_lm
            from vlm.weights import gguf_path

            gguf = gguf_path(self.config.llm) if self.int4 else None
            self._fast = (key, build_fast_lm(self.model.language_model, gguf=gguf))
        return self._fast[1]

    def _eos_ids(self) -> set[int]:
        ids = self.model.language_model.generation_config.eos_token_id
        ids = set(ids if isinstance(ids, (list, tuple)) else [ids] if ids is not None else [])
        return ids | {self.processor.tokenizer.eos_token_id}

    def _fast_pieces(self, inputs, features, *, max_new_tokens, temperature, top_p, seed, stop) -> Iterator[str]:
        import queue

        out: queue.Queue = queue.Queue()
        tokenizer, eos = self.processor.tokenizer, self._eos_ids()

        def run():
            try:
                embeds = self.model.embed(inputs["input_ids"], features)             # (1, L, D), video spliced in
                gen = torch.Generator().manual_seed(seed)
                emitter = _TextEmitter(tokenizer)
                for tok in self.fast_lm().generate(embeds, max_new_tokens=max_new_tokens, eos_token_ids=eos,
                                                   temperature=temperature, top_p=top_p, generator=gen, stop=stop,
                                                   repetition_penalty=self.REPETITION_PENALTY):
                    if tok in eos:
                        break
                    piece = emitter.add(tok)
                    if piece:
                        out.put(piece)
                out.put(emitter.flush())
            finally:
                out.put(None)

        done = submit(run)
        try:
            while (piece := out.get()) is not None:
                if piece:
                    yield piece
        finally:
            stop.set()  # a reader that stops early (closed generator) frees the model thread
        done.result()  # re-raises a generation error in the caller's thread

    def _generate_pieces(self, inputs, features, *, max_new_tokens, temperature, top_p, seed, stop) -> Iterator[str]:
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        streamer = TextIteratorStreamer(self.processor.tokenizer, skip_prompt=True, skip_special_tokens=True)

        class _Stop(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                return stop.is_set()

        sampling = {"do_sample": True, "temperature": temperature, "top_p": top_p} if temperature > 0 else \
            {"do_sample": False, "temperature": None, "top_p": None, "top_k": None}
        kwargs = dict(**inputs, video_features=features, max_new_tokens=max_new_tokens, streamer=streamer,
                      stopping_criteria=StoppingCriteriaList([_Stop()]), repetition_penalty=self.REPETITION_PENALTY,
                      pad_token_id=self.processor.tokenizer.pad_token_id, **sampling)

        def run():
            try:
                torch.manual_seed(seed)
                self.model.generate(**kwargs)
            finally:
                streamer.end()  # idempotent after a normal end; unblocks the reader after an error

        done = submit(run)
        try:
            yield from streamer
        finally:
            stop.set()
        done.result()

    def prompt_tokens(self, video: WatchedVideo | None, question: str, history: Sequence[dict] = ()) -> int:
        """How many tokens the LLM reads for this turn (video tokens and facts included)."""
        text = self.processor.chat_text(self.messages(video, question, history))
        n = len(self.processor.tokenizer(text, add_special_tokens=False)["input_ids"])
        return n - 1 + self.config.num_video_tokens(len(video.timestamps)) if video is not None else n

    def answer(self, video: WatchedVideo | None, question: str, history: Sequence[dict] = (), **kwargs) -> str:
        return "".join(self.stream(video, question, history, **kwargs)).strip()


def pending_text(context: PerceptionContext) -> str:
    """'what is said (40% done)' for the parts still running in the background."""
    return ", ".join(f"{context.parts[n].title.lower()} ({context.parts[n].progress:.0%} done)" for n in context.pending)


class _TextEmitter:
    """Token ids in, text pieces out, as transformers' TextStreamer cuts them: whole words (up to the last space),
    whole lines, nothing that ends in half a UTF-8 character."""

    def __init__(self, tokenizer):
        self.tokenizer, self.ids, self.sent = tokenizer, [], 0

    def add(self, token: int) -> str:
        self.ids.append(token)
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        if text.endswith("\ufffd"):
            return ""
        end = len(text) if text.endswith("\n") else text.rfind(" ") + 1
        if end <= self.sent:
            return ""
        piece, self.sent = text[self.sent:end], end
        if text.endswith("\n"):
            self.ids, self.sent = [], 0
        return piece

    def flush(self) -> str:
        text = self.tokenizer.decode(self.ids, skip_special_tokens=True)
        piece, self.ids, self.sent = text[self.sent:], [], 0
        return piece
