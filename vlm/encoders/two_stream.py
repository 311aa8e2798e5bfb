"""Two-stream network (Simonyan and Zisserman 2014): a spatial stream sees one RGB frame (appearance), a temporal
stream sees the stacked optical flow of consecutive frames (motion); their class scores are fused by averaging."""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

from vlm.encoders.frame2d import lecture_cnn
from vlm.encoders.registry import EncoderOutput, VideoEncoder, register_encoder
from vlm.flow import flow_stack


def video_to_uint8(video: torch.Tensor) -> np.ndarray:
    """Normalised (T, C, H, W) -> (T, H, W) grey uint8, rescaled per clip (flow only needs relative brightness)."""
    grey = video.float().mean(1)
    lo, hi = grey.min(), grey.max()
    return ((grey - lo) / (hi - lo + 1e-6) * 255).round().byte().cpu().numpy()


@register_encoder("two-stream")
class TwoStream(VideoEncoder):
    default_input = (20, 64, 64)

    def __init__(self, *, num_frames: int = 20, widths: tuple[int, int] = (12, 24), num_classes: int | None = None,
                 flow_method: str = "dis", flow_scale: float = 0.1):
        super().__init__()
        self.num_frames, self.flow_method, self.flow_scale = num_frames, flow_method, flow_scale
        self.rgb = lecture_cnn(3, tuple(widths))
        self.motion = lecture_cnn(2 * (num_frames - 1), tuple(widths), first_time_extent=num_frames)
        self.dim = widths[1]
        self.rgb_head = nn.Linear(self.dim, num_classes) if num_classes else None
        self.motion_head = nn.Linear(self.dim, num_classes) if num_classes else None

    @classmethod
    def output_grid(cls, *, num_frames: int, image_size: int | None = None, **kwargs) -> tuple[int, int, int]:
        side = (image_size or cls.default_input[1]) // 4
        return 2, side, side                                                        # (stream, h, w)

    def flows(self, video: torch.Tensor) -> torch.Tensor:
        """(B, T, C, H, W) -> (B, 2(T-1), H, W) flow fields in pixels (scaled), computed with OpenCV."""
        stacks = [flow_stack(video_to_uint8(v), self.flow_method) for v in video]
        return torch.from_numpy(np.stack(stacks)).to(video.dtype) * self.flow_scale

    def forward(self, video):
        return self.forward_with_flows(video, self.flows(video))

    def forward_with_flows(self, video, flows):
        """flows (B, 2(T-1), H, W) precomputed with `flows` (flow is fixed preprocessing: training can reuse it)."""
        B, T = video.shape[:2]
        if T != self.num_frames:
            raise ValueError(f"two-stream was built for {self.num_frames} frames, got {T}")
        rgb = self.rgb(video[:, T // 2])                                            # (B, D, h, w) middle frame
        mot = self.motion(flows)                                                    # (B, D, h, w)
        tokens = torch.cat([rgb.flatten(2), mot.flatten(2)], 2).transpose(1, 2)     # (B, 2*h*w, D)
        logits = None
        if self.rgb_head is not None:
            logits = (self.rgb_head(rgb.mean((2, 3))).softmax(-1) + self.motion_head(mot.mean((2, 3))).softmax(-1)) / 2
            logits = logits.clamp_min(1e-8).log()                                   # fused scores as log-probs
        return EncoderOutput(tokens, (2, *rgb.shape[2:]), logits)
