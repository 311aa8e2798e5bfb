"""Run all model compute on one long-lived thread.

libgomp (PyTorch's OpenMP on Linux) gives every thread that enters a parallel region its own worker team, and
two teams on this 2-core CPU fight for the cores: SmolLM2 decodes 26.5 tok/s when every op runs on one thread
and 14.8 tok/s once a second thread has run a parallel op, even while the first sits idle (measured here).
Streaming needs generation off the caller's thread, and Streamlit runs each rerun on a new thread, so the
assistant sends all of its compute here. It also serialises generations, one at a time, as a 2-core CPU wants.
"""
from __future__ import annotations

import functools
import threading
from concurrent.futures import Future, ThreadPoolExecutor

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_thread_id: int | None = None


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vlm-model",
                                           initializer=_remember_thread)
        return _executor


def _remember_thread() -> None:
    global _thread_id
    _thread_id = threading.get_ident()


def on_model_thread() -> bool:
    return threading.get_ident() == _thread_id


def submit(fn, /, *args, **kwargs) -> Future:
    """Queue fn on the model thread (or run it now if already there) and return its Future."""
    if on_model_thread():
        f: Future = Future()
        try:
            f.set_result(fn(*args, **kwargs))
        except BaseException as e:  # noqa: BLE001 - delivered through the future
            f.set_exception(e)
        return f
    return _pool().submit(fn, *args, **kwargs)


def model_thread(fn):
    """Decorator: the call runs on the model thread; the caller blocks for the result."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return submit(fn, *args, **kwargs).result()
    return wrapper


def partial_state():
    """accelerate's process state. Without CUDA, ask for CPU explicitly: that is what makes a multi-process launch
    (`accelerate launch --multi_gpu --num_processes N`, which runs torchrun) use gloo instead of staying single."""
    import torch
    from accelerate import PartialState

    return PartialState(cpu=not torch.cuda.is_available())


def limit_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's malloc arenas (M_ARENA_MAX). glibc gives threads that allocate at once their own heaps, and
    the perception libraries run many threads (CTranslate2, ONNX Runtime, MediaPipe): measured here, the
    assistant's peak RSS after watching a 10-minute video with every part fell from 2.91 to 2.33 GB with 2
    arenas. Call early in a process (the CLI and the app do); elsewhere it is a no-op."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL("libc.so.6").mallopt(-8, int(arenas))  # M_ARENA_MAX
    except (OSError, AttributeError):  # not glibc (musl, ...)
        pass
