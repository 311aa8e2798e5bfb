"""Fabricated perception contexts: random but well-formed facts (objects, motion, speech, on-screen text, people,
likely activity) in exactly the format the assistant shows the LLM, for training the reader to read them.

Each part is drawn on its own (a dog, a weather forecast and a caption can share a clip), so the reader learns to
answer from the part a question is about rather than from plausible combinations; every way a part can be empty
(no audio track, silence, no text, nobody) is drawn too, at the rates real clips show them.
"""
from __future__ import annotations

import numpy as np

from vlm.perception.context import PartState, PerceptionContext
from vlm.perception.ocr import WATERMARKS, ScreenText, TextItem
from vlm.perception.people import FramePeople, People, Person
from vlm.perception.speech import Said, Transcript
from vlm.perception.vision import Segment
from vlm.video.io import VideoInfo

SENTENCES = """Good morning and welcome to the show.|The weather today will be cloudy with some rain.|Please take your
seats, the game is about to start.|Our team scored twice in the second half.|Add two eggs and a cup of flour.|Mix it
slowly until it is smooth.|Turn left at the next corner.|This is the best pizza in town.|I can't believe we won the
match.|Let me show you how to tie a knot.|The train to the airport leaves at nine.|Watch closely, I will do it
again.|Happy birthday to you.|Everyone, please welcome our next speaker.|Keep your elbows close to your body.|Thank you
so much for coming tonight.|The museum opens at ten every day.|Breathe in, and now breathe out slowly.|Don't forget to
subscribe to the channel.|We are now live from the city centre.|The final score was three to one.|Put the plates back
in the cupboard.|Can you hear me at the back?|Let's go, we are late already.|Look at that, the dog caught the ball.|This
bridge was built more than a hundred years ago.|Hold the racket with both hands.|Turn the volume up a little.|Our guest
today is a famous painter.|Step back from the edge, please.|The bus is coming, hurry up.|That was an amazing
jump.|Cut the onions into small pieces.|Remember to drink plenty of water.|The fish market is busy this
morning.|Stop the car right here.|We will start the lesson with some stretching.|Who wants more cake?|The concert was
sold out in a week.|Slow down on the turns.|Here is our new kitchen.|The children are playing in the garden.|Press the
red button to start the machine.|He is running faster than ever.|The river is very high after the storm.|Close the
window, it is getting cold.|She painted this picture last summer.|Now we wait for the paint to dry.|The prices went up
again this month.|Come on, you can do it.|I think it is going to snow tonight.|Let me introduce my little
brother.|This song always makes me happy.|The shop closes at six today.|Look how big the waves are.|Please be quiet in
the library.|We planted these trees ten years ago.|Lift your knees higher.|What a beautiful day for a picnic.|Goodnight
everyone, see you tomorrow.""".replace("\n", " ").split("|")
TEAMS = ["Tigers", "Eagles", "Lions", "Sharks", "Bears", "Wolves", "Rangers", "United", "City", "Rovers"]
NAMES = ["Anna", "Ben", "Carla", "David", "Elena", "Frank", "Grace", "Hugo", "Ines", "Jonas", "Kim", "Leo", "Maria",
         "Noah", "Olga", "Pablo"]
PLACES = ["Paris", "Berlin", "Tokyo", "Lisbon", "Oslo", "Cairo", "Lima", "Seoul", "Madrid", "Dublin", "Quebec"]
NOUNS = ["pasta", "bread", "garden", "engine", "table", "bicycle", "cake", "window", "fence", "boat", "camera"]
CAPTIONS = ["{t1} {a} - {b} {t2}", "FINAL SCORE {a}-{b}", "BREAKING NEWS", "LIVE from {p}", "Chapter {n}",
            "Step {n}: clean the {x}", "{N} {S}", "Day {n}", "SALE {pc}% OFF", "Thanks for watching", "SUBSCRIBE",
            "{n}0 km/h", "Final lap", "{p} Marathon 20{y}", "Happy Birthday {N}!", "EXIT", "STOP", "Open 24 hours",
            "Route {n}", "Episode {n}", "Caution: wet floor", "How to fix a {x}", "Round {n}", "{N}'s kitchen",
            "Welcome to {p}", "No parking", "Do not enter", "Part {n} of {m}", "Level {n}", "{a}:{b}"]
SURNAMES = ["Smith", "Garcia", "Novak", "Tanaka", "Costa", "Berg", "Khan", "Moreau"]


def _caption(rng: np.random.Generator) -> str:
    a, b = sorted(rng.integers(0, 120, 2).tolist(), reverse=bool(rng.integers(2)))
    t1, t2 = rng.choice(TEAMS, 2, replace=False)
    return str(rng.choice(CAPTIONS)).format(t1=t1, t2=t2, a=a, b=b, p=rng.choice(PLACES), n=int(rng.integers(1, 10)),
                                            m=int(rng.integers(10, 13)), x=rng.choice(NOUNS), N=rng.choice(NAMES),
                                            S=rng.choice(SURNAMES), pc=int(rng.integers(1, 10)) * 10,
                                            y=int(rng.integers(10, 30)))


def _spans(rng, duration: float, k: int, length: tuple[float, float]) -> list[tuple[float, float]]:
    """k non-overlapping (start, end) spans inside the video, in order."""
    starts = np.sort(rng.uniform(0, max(duration - length[0], 0.1), k))
    out, last = [], 0.0
    for s in starts:
        s = max(float(s), last)
        e = min(duration, s + float(rng.uniform(*length)))
        if e - s >= 0.3:
            out.append((round(s, 2), round(e, 2)))
            last = e + 0.3
    return out


def transcript(rng, duration: float) -> Transcript:
    r = rng.random()
    if r < 0.22:
        return Transcript(note="no audio track")
    if r < 0.3:
        return Transcript(note="an audio track, but it is silent", audio_seconds=duration)
    if r < 0.45:
        return Transcript(note=str(rng.choice(["an audio track, but no speech heard",
                                               "an audio track, but no clear speech heard"])), audio_seconds=duration)
    if r < 0.47:
        return Transcript(note="the audio track (aac) could not be decoded (Invalid data found when processing input)")
    k = int(rng.integers(1, 5 if duration > 20 else 3))
    spans = _spans(rng, duration, k, (1.2, 5.0))
    said = [Said(a, b, str(rng.choice(SENTENCES))) for a, b in spans]
    return Transcript(said, "en", round(float(rng.uniform(0.8, 1.0)), 3), "", duration) if said else \
        Transcript(note="an audio track, but no speech heard", audio_seconds=duration)


def screen_text(rng, duration: float) -> ScreenText:
    items = []
    if rng.random() < 0.3:
        items.append(TextItem(str(rng.choice(WATERMARKS)), 0.5, round(duration - 0.5, 2), "watermark", 0.95))
    r = rng.random()
    if r < 0.2:
        items.append(TextItem(_caption(rng), 0.5, round(duration - 0.5, 2), "overlay", 0.97, 0.5, 0.85))
    elif r < 0.5:
        for a, b in _spans(rng, duration, int(rng.integers(1, 3)), (1.0, max(1.5, duration / 2))):
            items.append(TextItem(_caption(rng), a, b, "text", 0.96, 0.5, float(rng.uniform(0.1, 0.9))))
    return ScreenText(sorted(items, key=lambda i: i.start), int(np.clip(round(duration * 0.3), 4, 12)),
                      "" if items else "none seen")


def people(rng, duration: float) -> People:
    n_frames = int(np.clip(round(duration * 0.3), 4, 8))
    times = [round((i + 0.5) * duration / n_frames, 2) for i in range(n_frames)]
    base = int(rng.choice([0, 1, 1, 1, 2, 2, 3, 4]))
    posture = str(rng.choice(["upright"] * 8 + ["upside down", "lying down"]))
    raised = rng.random() < 0.2
    near = rng.random() < 0.25
    faces = int(min(base, rng.integers(0, 3)))
    frames = []
    for k, t in enumerate(times):
        n = max(0, base + int(rng.choice([0, 0, 0, 0, -1, 1]))) if base else int(rng.random() < 0.1)
        persons = [Person(posture if j == 0 else "upright", int(raised and 0.3 < k / n_frames < 0.8) * 2,
                          bool(near and k % 2 == 0), (0.2, 0.2, 0.4, 0.9)) for j in range(n)]
        frames.append(FramePeople(t, persons, min(faces, n), int(rng.integers(0, 2 * n + 1)), bool(near and n and k % 2 == 0)))
    return People(frames, "" if any(f.persons or f.faces for f in frames) else "nobody seen")


def vision(rng, duration: float, class_names: list[str]) -> tuple[list[Segment], list[tuple[str, float]], list[float]]:
    pool = rng.choice(len(class_names), 6, replace=False)
    top = [(class_names[int(i)], p) for i, p in zip(pool, sorted(rng.dirichlet(np.ones(6) * 0.6) * 0.9, reverse=True))]
    labels = [(n, round(float(p), 3)) for n, p in top if p >= 0.05][:5] or [(top[0][0], round(float(top[0][1]), 3))]
    k = min(4, max(1, int(duration // 2)))
    bounds = np.linspace(0, duration, k + 1)
    direction = str(rng.choice(["none", "left", "right", "up", "down"]))
    segments = []
    for a, b in zip(bounds[:-1], bounds[1:]):
        seg_labels = [(n, round(float(np.clip(p * rng.uniform(0.6, 1.4), 0.05, 0.95)), 3)) for n, p in labels[:3]]
        speed = float(rng.choice([1.0, 8.0, 30.0, 70.0]) * rng.uniform(0.7, 1.3))
        d = direction if speed >= 3 and rng.random() < 0.8 else "none"
        segments.append(Segment(round(float(a), 2), round(float(b), 2), sorted(seg_labels, key=lambda x: -x[1]),
                                round(speed, 1), d))
    cuts = sorted(round(float(c), 2) for c in rng.uniform(0.5, duration - 0.5, int(rng.choice([0, 0, 0, 1, 2]))))
    return segments, labels, cuts


def fabricate(rng: np.random.Generator, class_names: list[str], actions: list[str]) -> PerceptionContext:
    """One random, well-formed perception context."""
    from vlm.perception.activity import PLACES

    duration = float(rng.choice([rng.uniform(1.5, 15), rng.uniform(15, 60), rng.uniform(60, 600)], p=[0.7, 0.2, 0.1]))
    fps = float(rng.choice([24, 25, 30]))
    w, h = [(640, 360), (1280, 720), (340, 256), (720, 480), (576, 1024), (1920, 1080)][int(rng.integers(6))]
    info = VideoInfo("fabricated.mp4", int(duration * fps), fps, w, h, "h264")
    segments, labels, cuts = vision(rng, duration, class_names)
    parts = {}
    for name, title, result in [("speech", "What is said", transcript(rng, duration)),
                                ("text", "What is written", screen_text(rng, duration)),
                                ("people", "People", people(rng, duration))]:
        state = PartState(name, title)
        state.finish("done", result)
        parts[name] = state
    if rng.random() < 0.04:  # a long video's transcript still running
        parts["speech"] = PartState("speech", "What is said", status="running", progress=float(rng.uniform(0, 0.9)))
    conf = sorted(rng.dirichlet(np.ones(3)) * rng.uniform(0.05, 0.6), reverse=True)
    activity = [(str(a), round(float(c), 3)) for a, c in zip(rng.choice(actions, 3, replace=False), conf)]
    conf = sorted(rng.dirichlet(np.ones(3)) * rng.uniform(0.05, 0.7), reverse=True)
    place = [(str(a), round(float(c), 3)) for a, c in zip(rng.choice(PLACES, 3, replace=False), conf)]
    n = 16
    return PerceptionContext(info, [round((i + 0.5) * duration / n, 2) for i in range(n)], segments, cuts, labels,
                             [s.motion for s in segments for _ in range(n // len(segments))][:n], parts, activity,
                             place, str(rng.choice(["indoors", "outdoors"])))
