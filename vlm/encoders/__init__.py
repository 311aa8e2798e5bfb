"""Video encoders: `build_encoder(name, **kwargs)`, `list_encoders()`; each module registers itself on import."""
from vlm.encoders.registry import (ENCODERS, EncoderOutput, VideoEncoder, build_encoder, encoder_class,
                                   encoder_kwargs, list_encoders, register_encoder)
from vlm.encoders import efficientnet, hf_vision  # noqa: F401,E402  (registration)

__all__ = ["ENCODERS", "EncoderOutput", "VideoEncoder", "build_encoder", "encoder_class", "encoder_kwargs",
           "list_encoders", "register_encoder"]
