"""The processor: tokenizer + video transform + placeholder expansion, apart from the model.

A prompt holds one `<video>` placeholder per video; the processor expands each into
`config.num_video_tokens(T)` copies, so the model finds exactly as many positions as it has features.
"""
from __future__ import annotations

import torch

from vlm.config import VideoLLMConfig
from vlm.constants import IGNORE_INDEX

SYSTEM_WITH_FACTS = (
    "You are a video assistant. Models watched and listened to the video and wrote down the facts below, with "
    "times as m:ss: what is said, what is written on screen, the people, the objects recognised with their "
    "confidence, the motion, scene cuts and a guess at the activity. Answer the user's question from these facts "
    "only, in the first sentence, briefly. If the facts do not say, answer that you can't tell from the video."
)
SYSTEM_VIDEO_ONLY = "You are a video assistant. Answer questions about the video briefly."


class VideoLLMProcessor:
    def __init__(self, tokenizer, config: VideoLLMConfig):
        from tokenizers import AddedToken

        self.tokenizer, self.config = tokenizer, config
        if config.video_token not in tokenizer.get_vocab():
            tokenizer.add_tokens([AddedToken(config.video_token, special=True, normalized=False)],
                                 special_tokens=True)
        self.video_token_id = tokenizer.convert_tokens_to_ids(config.video_token)
        if config.video_token_id not in (None, self.video_token_id):
            raise ValueError(f"config.video_token_id is {config.video_token_id} but the tokenizer gives "
                             f"{config.video_token!r} id {self.video_token_id}")
        config.video_token_id = self.video_token_id
        self.transform = config.transform()
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token

    def conversation(self, turns: list[dict], facts: str | None = None) -> list[dict]:
        """System prompt, then the first user turn carrying `<video>` (and the perception facts, when given),
        then the rest. One format for chat and for fine-tuning, so adapters see at inference what they learnt on."""
        first = dict(turns[0])
        facts_block = f"Facts about the video:\n{facts}\n\n" if facts else ""
        first["content"] = f"{self.config.video_token}\n{facts_block}Question: {first['content']}"
        system = SYSTEM_WITH_FACTS if facts else SYSTEM_VIDEO_ONLY
        return [{"role": "system", "content": system}, first, *turns[1:]]

    def expand_video_tokens(self, text: str, num_frames: int) -> str:
        return text.replace(self.config.video_token, self.config.video_token * self.config.num_video_tokens(num_frames))

    def chat_text(self, messages: list[dict], *, add_generation_prompt: bool = True) -> str:
        return self.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=add_generation_prompt)

    def __call__(self, text: str | list[str], videos: torch.Tensor | None = None, *, num_frames: int | None = None,
                 padding_side: str = "left") -> dict[str, torch.Tensor]:
        """text with `<video>` placeholders (one per video) and videos (B, T, C, H, W) -> model inputs.

        Without videos (features computed earlier), num_frames says how many frames each placeholder stands for.
        """
        texts = [text] if isinstance(text, str) else list(text)
        n_placeholders = sum(t.count(self.config.video_token) for t in texts)
        if videos is not None:
            if n_placeholders != videos.shape[0]:
                raise ValueError(f"{n_placeholders} {self.config.video_token} placeholders in the text but "
                                 f"{videos.shape[0]} videos")
            num_frames = videos.shape[1]
        elif n_placeholders and not num_frames:
            raise ValueError(f"{n_placeholders} {self.config.video_token} placeholders but no videos or num_frames")
        if n_placeholders:
            texts = [self.expand_video_tokens(t, num_frames) for t in texts]
        self.tokenizer.padding_side = padding_side
        enc = self.tokenizer(texts, add_special_tokens=False, padding=True, return_tensors="pt")
        out = {"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]}
        if videos is not None:
            out["pixel_values_videos"] = videos
        return out

    def training_example(self, messages: list[dict], num_frames: int | None) -> dict[str, torch.Tensor]:
        """input_ids + labels for one conversation: loss only on the assistant's answers (IGNORE_INDEX elsewhere)."""
        ids, labels = [], []
        for i, msg in enumerate(messages):
            prefix = self.chat_text(messages[:i], add_generation_prompt=False) if i else ""
            upto = self.chat_text(messages[:i + 1], add_generation_prompt=False)
            if not upto.startswith(prefix):
                raise ValueError("the chat template does not render conversations incrementally")
            piece = upto[len(prefix):]
            if msg["role"] == "assistant":
                head = self.chat_text(messages[:i], add_generation_prompt=True)[len(prefix):]
                ids_head = self._ids(head, num_frames)
                ids_body = self._ids(piece[len(head):], num_frames)
                ids += ids_head + ids_body
                labels += [IGNORE_INDEX] * len(ids_head) + ids_body
            else:
                chunk = self._ids(piece, num_frames)
                ids += chunk
                labels += [IGNORE_INDEX] * len(chunk)
        return {"input_ids": torch.tensor(ids), "labels": torch.tensor(labels)}

    def _ids(self, text: str, num_frames: int | None) -> list[int]:
        if num_frames:
            text = self.expand_video_tokens(text, num_frames)
        return self.tokenizer(text, add_special_tokens=False)["input_ids"]
