"""The VideoLLM: encoder -> token pooling -> projector -> spliced into a causal LM's inputs_embeds.

The model never tokenizes (that is the processor's job). Video features replace the `<video>` placeholder
positions with `masked_scatter`, after checking that the counts agree. The `<video>` id lies outside the LM's
vocabulary on purpose: the LM keeps its own embedding table untouched, so LoRA adapters and merges stay plain.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import nn

from vlm.config import VideoLLMConfig
from vlm.encoders import EncoderOutput, VideoEncoder, build_encoder
from vlm.pooling import TokenPooler
from vlm.projector import build_projector, project

# The penalty should apply to generated tokens only: words from the prompt's facts are what answers should reuse.
warnings.filterwarnings("ignore", message="Passing `repetition_penalty` with `inputs_embeds`")

PROJECTOR_INIT_SEED = 0
WEIGHTS_NAME = "model.safetensors"  # encoder + projector; the LLM is referenced by name or saved under llm/


class VideoLLM(nn.Module):
    def __init__(self, config: VideoLLMConfig, *, language_model: nn.Module, vision_tower: VideoEncoder):
        super().__init__()
        if config.video_token_id is None:
            raise ValueError("config.video_token_id is unset: build the processor first (it adds the token)")
        self.config = config
        self.vision_tower = vision_tower
        self.pooler = TokenPooler(config.pooling)
        hidden = language_model.get_input_embeddings().embedding_dim
        with torch.random.fork_rng(devices=[]):  # the same untrained projector in every process: same answers
            torch.manual_seed(PROJECTOR_INIT_SEED)
            self.multi_modal_projector = build_projector(config.projector, in_dim=vision_tower.dim, out_dim=hidden)
            self._init_projector(language_model.get_input_embeddings().weight)
        self.language_model = language_model

    @torch.no_grad()
    def _init_projector(self, embed_weight: torch.Tensor) -> None:
        """Start projected tokens at the scale of the LM's own word embeddings, so an untrained projector
        adds tokens the LM reads as quiet noise rather than as huge out-of-distribution vectors."""
        last = [m for m in self.multi_modal_projector.modules() if isinstance(m, nn.Linear)][-1]
        target_std = embed_weight.float().std().item()
        nn.init.normal_(last.weight, std=target_std / max(last.in_features, 1) ** 0.5)
        nn.init.zeros_(last.bias)

    @property
    def dtype(self) -> torch.dtype:
        return next(self.multi_modal_projector.parameters()).dtype

    # --- video -> LLM embeddings ---------------------------------------------------------------------------
    def encode_video(self, pixel_values_videos: torch.Tensor) -> EncoderOutput:
        enc_dtype = next(self.vision_tower.parameters()).dtype
        return self.vision_tower(pixel_values_videos.to(enc_dtype))       # tokens (B, N, D_enc)

    def project(self, encoded: EncoderOutput) -> torch.Tensor:
        tokens, grid = self.pooler(encoded.tokens, encoded.grid)          # (B, N', D_enc)
        return self.project_tokens(tokens, grid)                          # (B, N', D_llm)

    def project_tokens(self, tokens: torch.Tensor, grid: tuple[int, int, int] | None = None) -> torch.Tensor:
        """Pooled encoder tokens (B, N, D_enc) -> (B, N, D_llm); grid defaults to the config's for its frames."""
        return project(self.multi_modal_projector, tokens.to(self.dtype), grid or self.config.video_grid())

    def get_video_features(self, pixel_values_videos: torch.Tensor) -> torch.Tensor:
        """(B, T, C, H, W) -> (B, num_video_tokens, D_llm)."""
        return self.project(self.encode_video(pixel_values_videos))

    def embed(self, input_ids: torch.Tensor, video_features: torch.Tensor | None = None) -> torch.Tensor:
        """Token embeddings with the video features spliced in at the `<video>` positions: (B, L, D_llm)."""
        mask = input_ids == self.config.video_token_id                      # (B, L)
        embed = self.language_model.get_input_embeddings()
        inputs_embeds = embed(input_ids.masked_fill(mask, 0))               # (B, L, D_llm)
        n_tok = int(mask.sum())
        n_feat = 0 if video_features is None else video_features.shape[0] * video_features.shape[1]
        if n_tok != n_feat:
            raise ValueError(f"Video features and video tokens do not match: tokens: {n_tok}, features {n_feat}")
        if n_tok:
            inputs_embeds = inputs_embeds.masked_scatter(mask.unsqueeze(-1).expand_as(inputs_embeds),
                                                         video_features.to(inputs_embeds.dtype))
        return inputs_embeds

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                pixel_values_videos: torch.Tensor | None = None, video_features: torch.Tensor | None = None,
                labels: torch.Tensor | None = None, **kwargs):
        if video_features is None and pixel_values_videos is not None:
            video_features = self.get_video_features(pixel_values_videos)
        inputs_embeds = self.embed(input_ids, video_features)
        return self.language_model(inputs_embeds=inputs_embeds, attention_mask=attention_mask, labels=labels, **kwargs)

    @torch.no_grad()
    def generate(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                 pixel_values_videos: torch.Tensor | None = None, video_features: torch.Tensor | None = None,
                 **generate_kwargs) -> torch.Tensor:
        """New token ids only (B, L_new); streaming through `streamer=` as in transformers."""
        if video_features is None and pixel_values_videos is not None:
            video_features = self.get_video_features(pixel_values_videos)
        inputs_embeds = self.embed(input_ids, video_features)
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        return self.language_model.generate(inputs_embeds=inputs_embeds, attention_mask=attention_mask,
                                            **generate_kwargs)

    # --- persistence -------------------------------------------------------------------------------------
    def _own_state(self) -> dict[str, torch.Tensor]:
        return {k: v for k, v in self.state_dict().items() if not k.startswith("language_model.")}

    def save_pretrained(self, out_dir: str | Path, *, include_llm: bool = False) -> Path:
        """config.json + model.safetensors (encoder, projector); with include_llm, the LLM too (under llm/)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        config = self.config
        if include_llm:
            lm = self.language_model
            if hasattr(lm, "merge_and_unload"):  # a LoRA kept apart: save the merged weights, leave this model as is
                import copy

                lm = copy.deepcopy(lm).merge_and_unload()
            lm.save_pretrained(out / "llm", safe_serialization=True)
            config = config.replace(llm="llm")
        config.save(out / "config.json")
        save_file({k: v.contiguous() for k, v in self._own_state().items()}, str(out / WEIGHTS_NAME))
        return out

    @classmethod
    def from_pretrained(cls, model_dir: str | Path, *, language_model: nn.Module | None = None,
                        dtype: torch.dtype | None = None) -> "VideoLLM":
        from vlm.weights import load_language_model

        root = Path(model_dir)
        if not (root / "config.json").exists():
            raise FileNotFoundError(f"{root}: no config.json (not a saved VideoLLM folder)")
        config = VideoLLMConfig.load(root / "config.json")
        if language_model is None:
            llm = str(root / config.llm) if (root / config.llm).is_dir() else config.llm
            language_model = load_language_model(llm, dtype=dtype)
        model = cls(config, language_model=language_model,
                    vision_tower=build_encoder(config.encoder, **config.encoder_kwargs))
        state = load_file(str(root / WEIGHTS_NAME))
        missing, unexpected = model.load_state_dict(state, strict=False)
        missing = [k for k in missing if not k.startswith("language_model.")]
        if missing or unexpected:
            raise ValueError(f"{root / WEIGHTS_NAME} does not match the config: missing {missing[:5]}, "
                             f"unexpected {unexpected[:5]}")
        return model.eval()

