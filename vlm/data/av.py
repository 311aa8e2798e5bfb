"""Synthetic clips with speech and captions, with known ground truth: what is said when, what is written when.

Speech comes from Debian's `espeak-ng` (a real synthesiser: Whisper has to hear it), placed at given times in
a 16 kHz track and muxed as AAC beside the H.264 video with PyAV; captions are drawn with OpenCV, outlined so
they read on any background. Tests and the QA reader's training data use them.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from vlm.data.synthetic import Scene, render_frames
from vlm.video.io import write_video

RATE = 16000


@dataclass(frozen=True)
class Caption:
    text: str
    start: float = 0.0
    end: float | None = None      # None: until the end
    y: float = 0.85               # baseline height as a fraction of the frame
    scale: float = 1.0            # font size relative to the frame (1.0: ~6% of its height)


@dataclass(frozen=True)
class Utterance:
    text: str
    start: float = 0.0            # seconds into the clip


class SpeechSynthesisError(RuntimeError):
    """espeak-ng is missing or failed."""


def speak(text: str, *, voice: str = "en-us", words_per_minute: int = 150) -> np.ndarray:
    """float32 mono samples at 16 kHz of text spoken by espeak-ng."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise SpeechSynthesisError("espeak-ng is not installed (Debian: apt-get install espeak-ng; `make system-deps`)")
    with tempfile.TemporaryDirectory() as d:
        wav = Path(d) / "speech.wav"
        done = subprocess.run([exe, "-v", voice, "-s", str(words_per_minute), "-w", str(wav), text],
                              capture_output=True, text=True)
        if done.returncode != 0 or not wav.exists():
            raise SpeechSynthesisError(f"espeak-ng failed: {done.stderr.strip()[:200]}")
        with wave.open(str(wav)) as w:
            rate, data = w.getframerate(), w.readframes(w.getnframes())
    samples = np.frombuffer(data, dtype=np.int16).astype(np.float32) / 32768.0
    n = round(len(samples) * RATE / rate)
    return np.interp(np.linspace(0, len(samples) - 1, n), np.arange(len(samples)), samples).astype(np.float32)


def speech_track(utterances: list[Utterance], duration: float, **voice) -> np.ndarray:
    """A track of `duration` seconds with each utterance starting at its time (later ones overwrite overlaps)."""
    track = np.zeros(int(round(duration * RATE)), np.float32)
    for u in utterances:
        s = speak(u.text, **voice)
        a = int(u.start * RATE)
        track[a:a + len(s)] = s[:max(0, len(track) - a)]
    return track


def draw_caption(frame: np.ndarray, cap: Caption) -> None:
    """Draw one caption centred horizontally, white with a black outline, in place."""
    h, w = frame.shape[:2]
    scale = cap.scale * h / 420
    thick = max(1, round(2 * scale))
    font = cv2.FONT_HERSHEY_DUPLEX
    (tw, _), _ = cv2.getTextSize(cap.text, font, scale, thick)
    if tw > 0.95 * w:  # shrink to fit the width
        scale *= 0.95 * w / tw
        thick = max(1, round(2 * scale))
        (tw, _), _ = cv2.getTextSize(cap.text, font, scale, thick)
    org = (max(0, (w - tw) // 2), int(cap.y * h))
    cv2.putText(frame, cap.text, org, font, scale, (0, 0, 0), thick + 3, cv2.LINE_AA)
    cv2.putText(frame, cap.text, org, font, scale, (255, 255, 255), thick, cv2.LINE_AA)


def mux_audio(video: str | Path, audio: np.ndarray, out: str | Path) -> Path:
    """Copy video's stream and add audio (float32 mono, 16 kHz) as AAC into out (written atomically)."""
    import av

    out = Path(out)
    tmp = out.with_name(f".{out.stem}.mux{out.suffix}")
    with av.open(str(video)) as src, av.open(str(tmp), "w") as dst:
        vin = src.streams.video[0]
        vout = dst.add_stream_from_template(vin)
        aout = dst.add_stream("aac", rate=RATE, layout="mono")
        for packet in src.demux(vin):
            if packet.dts is None:
                continue
            packet.stream = vout
            dst.mux(packet)
        frame = av.AudioFrame.from_ndarray(audio.reshape(1, -1).astype(np.float32), format="flt", layout="mono")
        frame.sample_rate = RATE
        frame.pts = 0
        for packet in aout.encode(frame):
            dst.mux(packet)
        for packet in aout.encode(None):
            dst.mux(packet)
    tmp.replace(out)
    return out


def write_av_clip(scene: Scene, out: str | Path, *, captions: tuple[Caption, ...] = (),
                  speech: tuple[Utterance, ...] = (), **voice) -> Path:
    """The scene's frames with captions drawn over them, and (when given) the utterances as its audio track."""
    return _write(render_frames(scene), scene.fps, scene.duration, out, captions, speech, voice)


def overlay_av_clip(source: str | Path, out: str | Path, *, seconds: float | None = None,
                    captions: tuple[Caption, ...] = (), speech: tuple[Utterance, ...] = (), **voice) -> Path:
    """A real video's first `seconds` (all of it by default) with captions drawn over it and, when given, the
    utterances as its only audio track (its own sound is dropped): speech and text with known truth on real
    backgrounds."""
    from vlm.video.io import VideoReader

    reader = VideoReader(source)
    fps = reader.info.fps
    n = len(reader) if seconds is None else min(len(reader), int(round(seconds * fps)))

    def frames():
        for a in range(0, n, 32):
            yield from reader.get_batch(list(range(a, min(n, a + 32))))

    return _write(frames(), fps, n / fps, out, captions, speech, voice)


def _write(frames, fps: float, duration: float, out: str | Path, captions, speech, voice) -> Path:
    out = Path(out)

    def captioned():
        for i, f in enumerate(frames):
            t = i / fps
            f = np.array(f)   # writable
            for c in captions:
                if c.start <= t < (c.end if c.end is not None else float("inf")):
                    draw_caption(f, c)
            yield f

    if not speech:
        return write_video(out, captioned(), fps=fps)
    silent = out.with_name(f".{out.stem}.video{out.suffix}")
    write_video(silent, captioned(), fps=fps)
    try:
        return mux_audio(silent, speech_track(list(speech), duration, **voice), out)
    finally:
        silent.unlink(missing_ok=True)
