"""I3D: a 2D network inflated to 3D (see vlm.encoders.inflate). Default: the pretrained EfficientNet-Lite0, so it
starts from ImageNet weights and, on a still clip, from exactly the 2D network's ImageNet predictions."""
from __future__ import annotations

from torch import nn

from vlm.encoders.inflate import inflate
from vlm.encoders.registry import EncoderOutput, VideoEncoder, register_encoder, tokens_from_3d
from vlm.video.transforms import TF_MEAN, TF_STD, VideoTransform


@register_encoder("i3d")
class I3D(VideoEncoder):
    default_input = (16, 224, 224)

    def __init__(self, *, pretrained: bool = True, image_size: int = 224, time_kernel: int = 3,
                 style: str = "3x3x3", num_classes: int | None = None):
        super().__init__()
        from vlm.weights import load_efficientnet_lite0

        net2d = load_efficientnet_lite0(pretrained=pretrained, image_size=image_size)
        self.net = inflate(net2d, time_kernel=time_kernel, style=style)
        self.dim = 1280
        # ImageNet head by default (inflation keeps it); a new head when asked for other classes
        self.head = nn.Linear(self.dim, num_classes) if num_classes else self.net._fc

    @classmethod
    def default_transform(cls, *, image_size: int | None = None, **_) -> VideoTransform:
        return VideoTransform(size=image_size or 224, mean=TF_MEAN, std=TF_STD)

    def forward(self, video):
        x = self.net.extract_features(video.transpose(1, 2))                       # (B, 1280, T, h, w)
        tokens, grid = tokens_from_3d(x)
        return EncoderOutput(tokens, grid, self.head(x.mean((2, 3, 4))))
