"""The OpenAI chat-completions request, as pydantic models (vLLM's video extensions included), and its errors.

Content parts are `{"type": "text", "text": ...}` and `{"type": "video_url", "video_url": {"url": ...}}`; per-request
sampling comes in `mm_processor_kwargs` (vLLM takes it through the client's `extra_body`). Fields the OpenAI API
has but this server does not use (n, logprobs, presence_penalty, ...) are accepted and ignored, as vLLM does.
"""
from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator


class TextPart(BaseModel):
    type: Literal["text"]
    text: str


class VideoURL(BaseModel):
    url: str = Field(min_length=1)


class VideoPart(BaseModel):
    type: Literal["video_url"]
    video_url: VideoURL


Part = Annotated[Union[TextPart, VideoPart], Field(discriminator="type")]


class Message(BaseModel):
    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[Part]

    def text(self) -> str:
        if isinstance(self.content, str):
            return self.content
        return "\n".join(p.text for p in self.content if isinstance(p, TextPart))

    def videos(self) -> list[str]:
        return [] if isinstance(self.content, str) else [p.video_url.url for p in self.content
                                                          if isinstance(p, VideoPart)]


class StreamOptions(BaseModel):
    include_usage: bool = False


class MMProcessorKwargs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    num_frames: int | None = Field(default=None, ge=1, le=64)
    fps: float | None = Field(default=None, gt=0, le=30)
    sampler: str | None = None


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    model: str
    messages: list[Message] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1, le=4096)
    max_completion_tokens: int | None = Field(default=None, ge=1, le=4096)
    temperature: float = Field(default=0.0, ge=0, le=2)   # greedy unless asked: a small model wanders when sampled
    top_p: float = Field(default=1.0, gt=0, le=1)
    seed: int | None = None
    stop: str | list[str] | None = None
    stream: bool = False
    stream_options: StreamOptions | None = None
    mm_processor_kwargs: MMProcessorKwargs | None = None

    @field_validator("stop")
    @classmethod
    def _stops(cls, v):
        stops = [v] if isinstance(v, str) else (v or [])
        if len(stops) > 4 or any(not s for s in stops):
            raise ValueError("stop takes up to 4 non-empty strings")
        return stops

    @property
    def token_limit(self) -> int:
        return self.max_completion_tokens or self.max_tokens or 256


class APIError(Exception):
    """An error the client gets as OpenAI-shaped JSON with this status."""

    def __init__(self, status: int, message: str, *, type: str = "invalid_request_error", param: str | None = None,
                 code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.type, self.param, self.code = status, message, type, param, code

    def body(self) -> dict:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}
