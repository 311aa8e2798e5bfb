import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from tests.helpers import tiny_assistant, tiny_llm  # noqa: E402
from vlm.data.synthetic import Scene, Shape, write_clip  # noqa: E402

SHARED_VIDEOS = Path(os.environ.get("VLM_VIDEOS", Path(__file__).resolve().parents[2] / "shared" / "videos"))


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
    np.random.seed(0)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Tests write caches into a temp dir, except the de-quantised LLM, which slow tests share (it is big). The
    text embeddings `vlm setup` computed (ImageNet classes, action names: ~15 s of MiniLM) are copied in, once:
    they are a pure function of the installed models."""
    if "VLM_CACHE" not in os.environ:
        root = tmp_path_factory.getbasetemp() / "vlm-cache"
        user_text = Path.home() / ".cache" / "vlm" / "text"
        if user_text.is_dir() and not (root / "text").exists():
            import shutil

            shutil.copytree(user_text, root / "text")
        monkeypatch.setenv("VLM_CACHE", str(root))


@pytest.fixture(scope="session")
def clip_path(tmp_path_factory) -> Path:
    """A 2 s, 12 fps, 64x64 clip of a red square moving right."""
    scene = Scene(shapes=(Shape("square", "red", 0.3, 0.5, "right", 0.2, size=0.3),), width=64, height=64,
                  fps=12, num_frames=24)
    return write_clip(scene, tmp_path_factory.mktemp("clips") / "square_right.mp4")


@pytest.fixture(scope="session")
def tiny():
    """(language_model, tokenizer) of a 2-layer Llama built from a config."""
    return tiny_llm()


@pytest.fixture
def assistant(tiny):
    return tiny_assistant(*tiny)


def shared_clip(rel: str) -> Path:
    """A real clip from ../shared/videos (or $VLM_VIDEOS): skipped where absent locally, a failure in CI."""
    path = SHARED_VIDEOS / rel
    if not path.exists():
        (pytest.fail if os.environ.get("CI") else pytest.skip)(f"real clip {path} is not present")
    return path
