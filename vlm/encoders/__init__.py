"""Video encoders: `build_encoder(name, **kwargs)`, `list_encoders()`; each module registers itself on import.

One shape contract: video (B, T, C, H, W) in; tokens (B, N, D) out with their (t, h, w) grid, plus (B, K) logits
for classifiers (num_classes=K).
"""
from vlm.encoders.registry import (ENCODERS, EncoderOutput, VideoEncoder, build_encoder, encoder_class,
                                   encoder_kwargs, list_encoders, register_encoder)
from vlm.encoders import (cnn3d, efficientnet, frame2d, hf_vision, i3d, mvit, nonlocal_net,  # noqa: F401,E402
                          recurrent, resnet3d, two_stream, vit, x3d)

__all__ = ["ENCODERS", "EncoderOutput", "VideoEncoder", "build_encoder", "encoder_class", "encoder_kwargs",
           "list_encoders", "register_encoder"]
