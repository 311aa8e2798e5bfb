"""Matching what a frame shows to words, with the embedded models only (the ConSE / Objects2Action idea).

A frame's ImageNet probabilities (EfficientNet-Lite0) become a sentence embedding: the top-k ImageNet classes'
embeddings (name + the first sentence of its description, MiniLM) weighted by probability. Texts are embedded
under prompt templates (averaged). Scores are cosines minus a data-free prior: each text's mean similarity to all
1000 ImageNet classes, so texts that resemble everything stop winning. Used by zero-shot classification, the
app's label ranking and the query/salient frame samplers.
"""
from __future__ import annotations

import os
from functools import cached_property, lru_cache

import torch
import torch.nn.functional as F

DEFAULT_TEMPLATES = ("a video of a person {}.", "a photo of a person {}.", "a video of {}.", "{}")


class SemanticScorer:
    def __init__(self, *, top_k: int = 10, templates: tuple[str, ...] = DEFAULT_TEMPLATES,
                 imagenet_text: str = "name+description", prior_correction: float = 1.0,
                 text_model: str = "minilm-l6-v2"):
        if imagenet_text not in ("name", "name+description"):
            raise ValueError(f"Unknown imagenet_text {imagenet_text!r}; available: ['name', 'name+description']")
        self.top_k, self.templates, self.text_model = top_k, tuple(templates), text_model
        self.imagenet_text, self.prior_correction = imagenet_text, prior_correction
        self._text_cache: dict[tuple, torch.Tensor] = {}

    @cached_property
    def imagenet_embeddings(self) -> torch.Tensor:
        """(1000, D), computed once per text model and kept in the cache (2000 sentences take ~5 s here)."""
        from safetensors.torch import load_file, save_file

        from vlm.text import text_encoder
        from vlm.weights import cache_dir, imagenet_class_descriptions, imagenet_class_names

        path = cache_dir() / "text" / f"imagenet-{self.text_model.replace('/', '_')}-{self.imagenet_text}.safetensors"
        if path.exists():
            return load_file(str(path))["embeddings"]
        enc = text_encoder(self.text_model)
        emb = enc.encode(imagenet_class_names())
        if self.imagenet_text == "name+description":
            emb = F.normalize(emb + enc.encode(imagenet_class_descriptions()), dim=-1)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        save_file({"embeddings": emb.contiguous()}, str(tmp))
        os.replace(tmp, path)
        return emb

    def text_embeddings(self, texts: list[str]) -> torch.Tensor:
        """(K, D), remembered per list of texts: a label set or a question is embedded once, not per video. Long
        lists (the ~800 action names) are also kept on disk: embedding them takes ~7 s here."""
        key = (self.text_model, self.templates, *texts)  # settings may be changed on an instance (the sweep)
        if key not in self._text_cache:
            self._text_cache[key] = self._disk_cached(key, texts) if len(texts) > 64 else self._embed(texts)
            while len(self._text_cache) > 64:
                del self._text_cache[next(iter(self._text_cache))]
        return self._text_cache[key]

    def _embed(self, texts: list[str]) -> torch.Tensor:
        from vlm.text import text_encoder

        enc = text_encoder(self.text_model)
        per_template = torch.stack([enc.encode([t.format(x) for x in texts]) for t in self.templates])  # (P, K, D)
        return F.normalize(per_template.mean(0), dim=-1)

    def _disk_cached(self, key: tuple, texts: list[str]) -> torch.Tensor:
        import hashlib

        from safetensors.torch import load_file, save_file

        from vlm.weights import cache_dir

        path = cache_dir() / "text" / f"texts-{hashlib.sha1(repr(key).encode()).hexdigest()[:16]}.safetensors"
        if path.exists():
            return load_file(str(path))["embeddings"]
        emb = self._embed(texts)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        save_file({"embeddings": emb.contiguous()}, str(tmp))
        os.replace(tmp, path)
        return emb

    def frame_embeddings(self, probs: torch.Tensor) -> torch.Tensor:
        """probs (N, 1000) -> (N, D): the top-k class embeddings weighted by their probabilities."""
        p, idx = probs.float().topk(self.top_k, dim=-1)                           # (N, k)
        emb = self.imagenet_embeddings[idx]                                       # (N, k, D)
        return F.normalize((p.unsqueeze(-1) * emb).sum(1), dim=-1)

    def score_texts(self, probs: torch.Tensor, texts: list[str]) -> torch.Tensor:
        """probs (N, 1000) ImageNet probabilities, K texts -> (N, K) scores."""
        classes = self.text_embeddings(texts)                                     # (K, D)
        prior = (self.imagenet_embeddings @ classes.T).mean(0)                    # (K,) needs no data
        return self.frame_embeddings(probs) @ classes.T - self.prior_correction * prior


@lru_cache(maxsize=2)
def default_scorer() -> SemanticScorer:
    return SemanticScorer()
