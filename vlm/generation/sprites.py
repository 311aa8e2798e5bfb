"""Sprites for any noun: colour emoji glyphs (Noto Color Emoji, Debian's fonts-noto-color-emoji, OFL), found by
name (PyPI `emoji`'s names and aliases, a few hand-picked common nouns) or by MiniLM similarity; the geometric
procedural shapes where they fit; and a labelled blob, said so, when nothing matches.

A colour word tints the glyph (its hue set, its shading kept), so "a blue car" is blue; a sprite that moves right
is mirrored to face its way (most glyphs face left).
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
import numpy as np

FONT_PATHS = ("/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf", "/usr/share/fonts/noto/NotoColorEmoji.ttf")
GLYPH_SIZE = 109             # the font's one bitmap strike
PROCEDURAL = ("circle", "square", "triangle", "star", "ball")  # geometric things: flat shapes track and tint best
PICKS = {  # common nouns whose best glyph is not the first one of that name
    "car": "automobile", "truck": "delivery truck", "lorry": "delivery truck", "plane": "airplane",
    "aeroplane": "airplane", "jet": "airplane", "boat": "sailboat", "bike": "bicycle", "tree": "deciduous tree",
    "flower": "tulip", "moon": "crescent moon", "heart": "red heart", "leaf": "maple leaf", "apple": "red apple",
    "cup": "hot beverage", "book": "closed book", "hat": "top hat", "shoe": "running shoe", "cake": "shortcake",
    "bee": "honeybee", "person": "person standing", "man": "person standing", "woman": "person standing",
    "boy": "person standing", "girl": "person standing", "child": "person standing", "kid": "person standing",
    "runner": "person running", "walker": "person walking", "ufo": "flying saucer", "spaceship": "flying saucer",
    "scooter": "kick scooter", "puppy": "dog", "kitten": "cat", "bunny": "rabbit", "pony": "horse",
    "sheep": "ewe", "chick": "baby chick", "policeman": "police officer", "doctor": "health worker",
    "bottle": "baby bottle", "lamp": "light bulb", "phone": "mobile phone", "computer": "laptop",
    "house": "house", "building": "office building", "skyscraper": "office building", "pumpkin": "jack-o-lantern", "castle": "castle", "tent": "camping", "mountain": "mountain",
    "drum": "drum", "ghost": "ghost", "diamond": "gem stone", "crown": "crown", "key": "key", "clock": "alarm clock",
    "fire truck": "fire engine", "race car": "racing car", "sports car": "racing car", "air balloon":
    "balloon", "sail boat": "sailboat", "teddy": "teddy bear", "snow man": "snowman",
}
NOT_NOUNS = set("""the a an and or but while with from into onto over under above below behind beside next near left
right up down top bottom middle center centre slowly quickly fast slow very is are was were be being gets get goes go
moves move moving runs run walks walk flies fly falls fall rises rise drives drive swims swim floats float jumps
jump rolls roll sits sit stands stand stays stay grows grow shrinks shrink becomes become remains remain there here
then it its their his her this that these those some many several other another across along through around way
side still same big small large little tiny huge giant on in at to of off out by for as is be has have each every
all both who which what where when how""".split())
ING_NOUNS = {"ring", "wing", "king", "string", "swing", "building", "painting", "ceiling", "sling"}


@dataclass(frozen=True)
class Sprite:
    kind: str       # "shape" | "emoji" | "blob"
    key: str        # the shape, the emoji's name, or the noun itself
    char: str = ""  # the emoji
    score: float = 1.0


def font_path() -> str | None:
    return next((p for p in FONT_PATHS if os.path.exists(p)), None)


@lru_cache(maxsize=1)
def emoji_names() -> dict[str, str]:
    """{name: glyph} for single-codepoint emoji (and one codepoint + VS16): names and aliases, words spaced."""
    import emoji

    out: dict[str, str] = {}
    for ch, d in emoji.EMOJI_DATA.items():
        if len(ch.replace("\ufe0f", "")) != 1 or d.get("status") != emoji.STATUS["fully_qualified"]:
            continue
        for name in [d["en"], *d.get("alias", [])]:
            out.setdefault(name.strip(":").replace("_", " ").lower(), ch)
    return out


def known(noun: str) -> bool:
    """Can the noun be drawn as itself (a shape or an emoji found by name)?"""
    return _by_name(noun) is not None


def _by_name(noun: str) -> Sprite | None:
    if noun in PROCEDURAL:
        return Sprite("shape", noun)
    names = emoji_names()
    name = PICKS.get(noun, noun)
    if name in names:
        return Sprite("emoji", name, names[name])
    # the noun as the head (last word) of a name: "bird", "red apple"; not "table tennis paddle and ball"
    # for "table", nor "person running" for "running"
    words = [n for n in names if n.split()[-1] == noun and not re.search(r"face|hand|sign|button|flag|symbol", n)
             and not n.startswith(("person ", "man ", "woman ", "people "))]
    if words:
        best = min(words, key=len)
        return Sprite("emoji", best, names[best], 0.9)
    return None


@lru_cache(maxsize=1)
def _name_embeddings():
    from vlm.semantic import SemanticScorer

    names = [n for n in emoji_names() if not re.search(r"face|hand|sign|button|flag|symbol|keycap", n)]
    scorer = SemanticScorer(templates=("a {}",))
    return names, scorer.text_embeddings(names), scorer


@lru_cache(maxsize=4096)
def resolve(noun: str, threshold: float = 0.62) -> Sprite:
    """The sprite for a noun: by name, else the emoji whose name is most similar (MiniLM), else a blob."""
    found = _by_name(noun)
    if found is not None:
        return found
    try:
        names, emb, scorer = _name_embeddings()
        sims = (scorer.text_embeddings([noun]) @ emb.T)[0]
        k = int(sims.argmax())
        if float(sims[k]) >= threshold:
            return Sprite("emoji", names[k], emoji_names()[names[k]], round(float(sims[k]), 3))
    except (OSError, FileNotFoundError):  # no text model: names only
        pass
    return Sprite("blob", noun, score=0.0)


def is_noun_word(word: str, after_modifier: bool) -> bool:
    """Whether a word names a thing: a known one, or any plain word right after a number, size or colour word
    (then drawn as a sprite found by similarity, or a labelled blob)."""
    if word in NOT_NOUNS or word.endswith("ing") and word not in ING_NOUNS:  # "running" is not a thing
        return False
    if known(word):
        return True
    return after_modifier and word.isalpha() and word not in NOT_NOUNS and len(word) > 2


@lru_cache(maxsize=256)
def glyph(char: str) -> np.ndarray | None:
    """(H, W, 4) uint8 RGBA of an emoji, cropped to its ink, or None without the font."""
    path = font_path()
    if path is None:
        return None
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(path, GLYPH_SIZE)
    im = Image.new("RGBA", (GLYPH_SIZE + 40, GLYPH_SIZE + 30), (0, 0, 0, 0))
    ImageDraw.Draw(im).text((0, 0), char, font=font, embedded_color=True)
    box = im.getbbox()
    return np.asarray(im.crop(box) if box else im)


def tint(rgba: np.ndarray, colour: tuple[int, int, int] | None) -> np.ndarray:
    """The glyph in the given colour: hue and saturation of the colour, the glyph's own shading (value) kept
    around the colour's value; greys and black/white darken or lighten instead. None: as drawn."""
    if colour is None:
        return rgba
    import cv2

    rgb = rgba[..., :3].astype(np.uint8)
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV).astype(np.float32)
    target = cv2.cvtColor(np.uint8([[colour]]), cv2.COLOR_RGB2HSV)[0, 0].astype(np.float32)
    shade = hsv[..., 2] / max(float(np.percentile(hsv[..., 2][rgba[..., 3] > 0], 70)) if (rgba[..., 3] > 0).any()
                              else 255.0, 1.0)
    hsv[..., 0] = target[0]
    hsv[..., 1] = target[1]
    hsv[..., 2] = np.clip(target[2] * (0.75 + 0.25 * shade), 0, 255)
    out = rgba.copy()
    out[..., :3] = cv2.cvtColor(hsv.astype(np.uint8), cv2.COLOR_HSV2RGB)
    return out


def sprite_image(sprite: Sprite, colour: tuple[int, int, int] | None, w: int, h: int,
                 mirror: bool = False, outline: bool = False) -> np.ndarray | None:
    """(h, w, 4) RGBA of an emoji sprite fitted into a w x h box (aspect kept, centred), tinted and mirrored,
    with a sticker outline if asked (a sprite the colour of its background)."""
    import cv2

    g = glyph(sprite.char) if sprite.kind == "emoji" else None
    if g is None or w < 2 or h < 2:
        return None
    g = tint(g, colour)
    if mirror:
        g = g[:, ::-1]
    r = max(1, round(min(w, h) / 28))                     # outline width: room is left for it inside the box
    scale = min((w - 2 * r) / g.shape[1], (h - 2 * r) / g.shape[0])
    if scale <= 0:
        return None
    gw, gh = max(1, round(g.shape[1] * scale)), max(1, round(g.shape[0] * scale))
    small = cv2.resize(g, (gw, gh), interpolation=cv2.INTER_AREA)
    out = np.zeros((h, w, 4), np.uint8)
    y0, x0 = (h - gh) // 2, (w - gw) // 2
    out[y0:y0 + gh, x0:x0 + gw] = small
    if not outline:
        return out
    # a sticker outline, light around a dark sprite and dark around any other: it stands out on any background
    ring = cv2.dilate((out[..., 3] > 96).astype(np.uint8), np.ones((2 * r + 1, 2 * r + 1), np.uint8)) > 0
    ring &= out[..., 3] < 250
    dark = colour is not None and max(colour) < 90
    line = np.array([225, 225, 225] if dark else [35, 35, 35], np.float32)
    a = out[..., 3:4].astype(np.float32) / 255
    edge = ring[..., None]
    out[..., :3] = np.where(edge, (out[..., :3] * a + line * (1 - a)).round(), out[..., :3]).astype(np.uint8)
    out[..., 3] = np.where(ring, 255, out[..., 3])
    return out


def blit(img: np.ndarray, rgba: np.ndarray, x: int, y: int) -> None:
    """Alpha-composite rgba onto img (RGB, in place) with its top-left corner at (x, y), clipped."""
    h, w = rgba.shape[:2]
    H, W = img.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if x1 <= x0 or y1 <= y0:
        return
    src = rgba[y0 - y:y1 - y, x0 - x:x1 - x].astype(np.float32)
    a = src[..., 3:4] / 255.0
    img[y0:y1, x0:x1] = (src[..., :3] * a + img[y0:y1, x0:x1] * (1 - a)).round().astype(np.uint8)

