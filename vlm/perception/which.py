"""Answering "What <kind of thing> ...?" from the objects the context names (extractive, no LLM).

The reader answers an object question with the first object the context names, whatever kind of thing was
asked for: "What vegetable is in the video?" gets "A hot dog." while "bell pepper (13%)" is two words further
on. Here a question that names a kind of thing (an animal, a fruit, an instrument, a vehicle ...) is answered
with the likeliest object of that kind the context names (the overall line or a segment line). Membership comes
from ImageNet's own order where it is one block (classes 0-397 are animals, 936-947 vegetables, 948-957 fruit
...), and from MiniLM otherwise: an object belongs to a kind of artifact when its name and description come
within `MIN_AFFINITY` of the kind. A question about a kind the context shows nothing of is left to the reader.
"""
from __future__ import annotations

import re
from functools import lru_cache

from vlm.english import listed, with_article
from vlm.perception.vision import GROUPS, THING_GROUPS, _class_names

ANIMAL_GROUPS = tuple(GROUPS)      # "dog", "cat", "bird" ...: the coarse groups the context can name
# Kinds ImageNet keeps in one block of its class order (index ranges, inclusive).
BLOCKS = {
    "animal": [(0, 397)], "vegetable": [(936, 947), (987, 987)], "fruit": [(948, 957)],
    "food": [(924, 965), (987, 987)], "plant": [(984, 998)], "flower": [(985, 986)],
    **{g: spans for g, spans in GROUPS.items()},
}
KIND_WORDS = {  # the words a question uses -> the kind
    "animal": "animal", "animals": "animal", "pet": "animal", "pets": "animal", "creature": "animal",
    "mammal": "animal", "vegetable": "vegetable", "vegetables": "vegetable", "veggie": "vegetable",
    "fruit": "fruit", "fruits": "fruit", "food": "food", "dish": "food", "meal": "food", "snack": "food",
    "plant": "plant", "plants": "plant", "flower": "flower", "flowers": "flower",
    **{g: g for g in GROUPS if " " not in g}, "dogs": "dog", "cats": "cat", "birds": "bird", "insects": "insect",
    "horses": "horse",
}
# Kinds of artifact, matched by MiniLM over ImageNet's artifact classes (398-923, 999) and the thing groups.
ARTIFACT_KINDS = ("instrument", "musical instrument", "vehicle", "furniture", "tool",
                  "kitchen tool", "toy", "device", "appliance", "machine", "container", "weapon", "clothing",
                  "garment", "equipment", "utensil", "ball", "boat", "car", "drink", "beverage", "vessel", "gadget")
ARTIFACTS = [(398, 923), (999, 999)]
MIN_AFFINITY = 0.45  # cosine of "a kind of <kind>" and the class's name + description: couch/furniture 0.75,
#                      banjo/instrument 0.57, water bottle/drink 0.53; racket/instrument 0.33, diaper/toy 0.43

WHICH = re.compile(r"^\W*(?:and\s+)?(?:what|which)\s+(?:(?:kind|kinds|type|types|sort|piece|pieces)\s+of\s+)?"
                   r"(?P<kind>[a-z]+(?:\s+[a-z]+)?)\s+(?:is|are|was|were|do|does|did|can|could|has|have|appears?|comes?|"
                   r"stands?|lies|sits?)\b", re.I)


PRESENT = re.compile(r"^\W*(?:and\s+)?(?:(?:is|are)\s+there|(?:do|can)\s+(?:you|we|i)\s+see|does\s+(?:the\s+)?"
                     r"(?:video|clip)\s+(?:show|have|contain))\s+(?:(?:a|an|any|some)\s+)?"
                     r"(?P<kind>[a-z]+(?:\s+[a-z]+)??)(?:\s+(?:anywhere|here|at\s+all|on\s+screen))?"
                     r"(?:\s+in\s+(?:the|this)\s+(?:video|clip|scene|frame|picture))?\W*$",
                     re.I)


def _kind(phrase: str) -> str | None:
    """The kind a phrase names: the whole phrase, then its last word ("kitchen tool", then "tool"), each as
    written and with its last word made singular ("musical instruments"); none for an ImageNet class's name."""
    from vlm.english import singular

    words = phrase.lower().split()
    if len(words) > 1 and " ".join(words[:-1] + [singular(words[-1])]) in {n.lower() for n in _index()}:
        return None   # "hot dogs" is a thing ImageNet names, not a kind of dog
    for k in (words, words[-1:]):
        for w in (" ".join(k), " ".join(k[:-1] + [singular(k[-1])])):
            if w in KIND_WORDS:
                return KIND_WORDS[w]
            if w in ARTIFACT_KINDS:
                return w
    return None


def asked_kind(question: str) -> str | None:
    """The kind of thing a "What <kind> is ...?" question asks for ('vegetable', 'musical instrument'), or None."""
    m = WHICH.search(question)
    return _kind(m.group("kind")) if m is not None else None


def asked_presence(question: str) -> str | None:
    """The kind a "Are there any <kind>?" / "Do you see an <kind>?" question asks about ('animal'), or None."""
    m = PRESENT.search(question)
    return _kind(m.group("kind")) if m is not None else None


def context_objects(context) -> dict[str, float]:
    """Every object the context names (overall line and segment lines), with its highest stated confidence."""
    out: dict[str, float] = {}
    for name, p in list(context.labels) + [x for s in context.segments for x in s.labels]:
        out[name] = max(out.get(name, 0.0), p)
    return out


@lru_cache(maxsize=1)
def _index() -> dict[str, int]:
    return {n: i for i, n in enumerate(_class_names())}


def _in_blocks(i: int, spans) -> bool:
    return any(a <= i <= b for a, b in spans)


def members(kind: str, names: list[str]) -> list[str]:
    """The names (ImageNet classes or the context's coarse groups) that are a `kind`."""
    index = _index()
    if kind in BLOCKS:
        groups = ANIMAL_GROUPS if kind == "animal" else (kind,) if kind in GROUPS else ()
        return [n for n in names if n in groups or (n in index and _in_blocks(index[n], BLOCKS[kind]))]
    candidates = [n for n in names if n in THING_GROUPS or (n in index and _in_blocks(index[n], ARTIFACTS))]
    if not candidates:
        return []
    candidates = [n for n in candidates if not _for_the_kind(kind, n)]
    if not candidates:
        return []
    affinity = _affinities(kind, candidates)
    return [n for n, a in zip(candidates, affinity) if a >= MIN_AFFINITY]


def _for_the_kind(kind: str, name: str) -> bool:
    """Whether the name holds the kind's word only in front of another noun: a thing for the kind, not a kind of
    it ("boathouse", "car wheel" and "ballpoint" are no boat, car or ball; "speedboat" and "sports car" are)."""
    word, parts = kind.split()[-1], name.lower().split(" / ")
    return any(word in part for part in parts) and not any(part.split()[-1].endswith(word) for part in parts)


def _affinities(kind: str, names: list[str]) -> list[float]:
    import torch

    from vlm.semantic import default_scorer
    from vlm.text import text_encoder

    enc, index = text_encoder(), _index()
    scorer = default_scorer()
    query = torch.nn.functional.normalize(enc.encode([f"a kind of {kind}", f"a {kind}", kind]).mean(0), dim=-1)
    emb = torch.stack([scorer.imagenet_embeddings[index[n]] if n in index else
                       torch.nn.functional.normalize(enc.encode([n])[0], dim=-1) for n in names])   # (K, D)
    return (emb @ query).tolist()


def answer_which(question: str, context) -> str | None:
    """'A bell pepper.' for "What vegetable is in the video?" when the context names one, else None."""
    kind = asked_kind(question)
    if kind is None:
        return None
    found = context_objects(context)
    hits = members(kind, list(found))
    if not hits:
        return None
    if kind == "animal" and RIDING.search(question) and any(rideable(n) for n in hits):
        hits = [n for n in hits if rideable(n)]        # "What animal is she on?": a horse before a likelier dog
    return with_article(max(hits, key=lambda n: found[n])) + "."


def names_thing(phrase: str, name: str) -> bool:
    """Whether a question's noun phrase names an object of the context: the whole name or its head noun, either
    of ImageNet's alternatives ("bottle" is a "water bottle", "divider" a "shoji screen / room divider"; a
    "baby" is no "baby pacifier"), plurals folded."""
    from vlm.english import singular

    asked = " ".join(singular(w) for w in phrase.lower().split())
    for alternative in name.lower().split(" / "):
        words = [singular(w) for w in alternative.split()]
        if asked in (" ".join(words), words[-1]):
            return True
    return False


def answer_present(question: str, context) -> str | None:
    """"Are there any animals?": yes with the likeliest two of that kind the context names, or no. "Is there a
    bottle?" (a thing, not a kind): yes with the context's objects it names ("a water bottle"; the reader said
    "Yes, a baby pacifier is seen."), else None: the reader says no, and no object line is a list of all there is."""
    m = PRESENT.search(question)
    if m is None:
        return None
    if (said := _people_present(m.group("kind"), context)) is not None:
        return said
    found = context_objects(context)
    kind = _kind(m.group("kind"))
    if kind is None:
        hits = sorted((n for n in found if names_thing(m.group("kind"), n)), key=lambda n: -found[n])[:2]
    else:
        hits = sorted(members(kind, list(found)), key=lambda n: -found[n])[:2]
        if not hits:
            return f"No, no {kind} is among the objects seen."
    if not hits:
        return None
    return "Yes, " + " and ".join(with_article(n, capital=False) for n in hits) + "."


ANYONE = {"person", "persons", "people", "anyone", "anybody", "someone", "somebody", "human", "humans"}


def _people_present(phrase: str, context) -> str | None:
    """"Is there a person?" from the people line; "Is there a baby?" says who the pose model cannot tell (the
    reader said "Yes, a baby pacifier is seen."). None when the phrase names no person or the part has no result."""
    from vlm.english import singular
    from vlm.perception.howmany import PEOPLE

    word = phrase.lower()
    if word not in ANYONE and not re.fullmatch(PEOPLE, word):
        return None
    people = context.part("people")
    if people is None:
        return None
    n = people.max_people
    if n == 0:
        return "No, nobody is seen (pose and face detection)."
    seen = "one person is seen" if n == 1 else f"up to {n} people are seen"
    if word in ANYONE:
        return f"Yes, {seen}."
    who = with_article(singular(word), capital=False)
    return (f"{seen[:1].upper()}{seen[1:]}; the pose and face models do not tell whether "
            f"{'it is' if n == 1 else 'one is'} {who}.")


# The ImageNet classes a person wears (the "clothing" kind by MiniLM also takes in wardrobes and washing machines).
WORN = frozenset({
    "abaya", "academic gown", "apron", "military hat (bearskin or shako)", "baby bib", "bikini", "poke bonnet",
    "bow tie", "bulletproof vest", "cardigan", "chain mail", "cloak", "clogs", "cowboy boot", "cowboy hat",
    "crash helmet", "diaper", "digital watch", "feather boa", "football helmet", "fur coat", "gas mask or respirator",
    "gown", "hoop skirt", "jeans", "T-shirt", "kimono", "knee pad", "lab coat", "slip-on shoe",
    "tights for gymnastics, a one-piece leotard, or a sport jersey", "one-piece bathing suit", "mask",
    "military uniform", "miniskirt", "mitten", "neck brace", "necklace", "overskirt", "oxygen mask", "pajamas",
    "poncho", "sneaker", "sandal", "sarong", "balaclava ski mask", "sock", "sombrero", "stole scarf", "suit",
    "sunglasses", "sweatshirt", "swim trunks / shorts", "trench coat", "vestment", "hair wig", "Windsor tie",
    "backpack", "swimming cap", "graduation cap", "shower cap"})
WHAT_WORN = re.compile(r"^\W*(?:and\s+)?what\s+(?:(?:clothes|clothing|kind\s+of\s+clothes)\s+)?(?:is|are|was|were|does|"
                       r"do|did)\s+(?P<who>[\w' ]+?)\s+(?:wearing|wear|dressed\s+in|have\s+on|having\s+on)"
                       r"(?:\s+(?:in|at)\s+(?:the|this)\s+(?:video|clip|start|end))?\W*$", re.I)   # not "... on his head"


# What is worn on a part of the body ("What is hanging around the man's neck?" got "A ping-pong ball.").
WORN_ON = {
    "neck": frozenset({"necklace", "bolo tie", "bow tie", "Windsor tie", "feather boa", "stole scarf", "neck brace",
                       "baby bib"}),
    "head": frozenset({"military hat (bearskin or shako)", "cowboy hat", "crash helmet", "football helmet",
                       "swimming cap", "graduation cap", "shower cap", "poke bonnet", "sombrero", "hair wig",
                       "balaclava ski mask"}),
    "face": frozenset({"sunglasses", "mask", "gas mask or respirator", "oxygen mask", "balaclava ski mask",
                       "snorkel"}),
    "feet": frozenset({"slip-on shoe", "cowboy boot", "sock", "sandal", "sneaker", "clogs"}),
    "wrist": frozenset({"digital watch"}),
    "hands": frozenset({"mitten"}),
    "back": frozenset({"backpack", "cloak", "poncho", "stole scarf"}),
}
BODY_PARTS = {"neck": "neck", "head": "head", "heads": "head", "hair": "head", "face": "face", "faces": "face",
              "eyes": "face", "nose": "face", "mouth": "face", "feet": "feet", "foot": "feet", "legs": "feet",
              "wrist": "wrist", "wrists": "wrist", "arm": "wrist", "hands": "hands", "hand": "hands",
              "back": "back", "shoulders": "back", "shoulder": "back"}
WHAT_WORN_ON = re.compile(
    r"^\W*(?:and\s+)?what\s+(?:(?:kind|type|sort)\s+of\s+\w+\s+)?(?:is|are|was|were|does|do|did|has|have)\s+"
    r"(?:(?P<who>[\w' ]+?)\s+(?:wearing|wear|have|having|got|carrying|carry)\s+|(?:hanging|worn|tied|sitting|"
    r"placed|put|draped|slung)\s+)?(?:on|around|round|over|covering|across)\s+(?:(?:the|a|this|that)\s+[\w ]+?'s?|his|her|"
    r"their|its|the|your)\s+(?P<part>[a-z]+)\W*$", re.I)


def worn_part(question: str) -> str | None:
    """The part of the body a "What is around his neck?" question asks about ('neck', 'head' ...), or None."""
    m = WHAT_WORN_ON.search(question)
    return BODY_PARTS.get(m.group("part").lower()) if m is not None else None


def answer_worn(question: str, context) -> str | None:
    """"What is the woman wearing?": the worn things the objects name, as the guess they are ("An ocarina." was
    the reader's answer, the first object named), or that none is among them; "What is around his neck?": the
    same for the things worn there."""
    part = worn_part(question)
    if part is None and WHAT_WORN.search(question) is None:
        return None
    found = context_objects(context)
    worn = WORN_ON[part] if part is not None else WORN
    hits = sorted((n for n in found if n in worn), key=lambda n: -found[n])[:2]
    if not hits:
        where = {"neck": "around the neck", "back": "on the back", "hands": "on the hands"}.get(part, f"on the {part}")
        return "I can't tell: none of the objects seen is worn" + (f" {where}." if part else ".")
    names = " or ".join(with_article(n, capital=False) for n in hits)
    return f"Possibly {names}: {'it is' if len(hits) == 1 else 'both are'} among the objects seen (the " \
           f"classifier looks at whole frames, not at each person)."


# What someone does something to ("What is the person slicing?"): the reader named the first object for most
# verbs and said "I can't tell" for others at random (slicing, peeling, kicking, pushing: 7 of 23 verbs on one
# clip whose objects it named for the rest), and "I can't see anyone." to "What is standing on the table?".
# Used only when the reader's first sentence says it cannot tell or fails the checks (`vlm.perception.checks`),
# so an object the reader picked for the verb ("What is she cutting?" -> "A bell pepper.", the second object) stays.
# The verbs whose object is a thing in someone's hands or in use, by stem, with the kind of thing they take.
ACTION_VERBS = {
    **dict.fromkeys("""eat chew cut chop slice dice peel cook fry bake grill prepare mix stir taste serve bite
                       spread""".split(), "food"),
    **dict.fromkeys("drink sip".split(), "drink"),
    "ride": "ridden", **dict.fromkeys("drive steer".split(), "driven"),
    "sit": "ridden",      # "What is she sitting on?": a horse or a bike where one is seen, else the likeliest thing
    **dict.fromkeys("""hold carry use throw catch open close fill pour kick push pull touch pick grab lift hit fix
                       repair clean wash wipe build paint feed pet brush fold shake squeeze toss drop swing drag
                       unpack unwrap wrap put place hand aim fire shoot bounce roll flip juggle balance sharpen
                       assemble hug chase""".split(), None),
}
IRREGULAR_FORMS = {"held": "hold", "ate": "eat", "eaten": "eat", "drank": "drink", "drunk": "drink", "threw": "throw",
                   "thrown": "throw", "caught": "catch", "rode": "ride", "ridden": "ride", "drove": "drive",
                   "driven": "drive", "built": "build", "fed": "feed", "shook": "shake", "shaken": "shake",
                   "swung": "swing", "bit": "bite", "sat": "sit", "bitten": "bite", "shot": "shoot", "spread": "spread",
                   "put": "put", "cut": "cut", "hit": "hit"}


def verb_stem(word: str) -> str | None:
    """The stem of one of `ACTION_VERBS`' forms ('slicing', 'sliced', 'slices', 'chopped', 'carries', 'held'), or
    None."""
    w = word.lower()
    if w in IRREGULAR_FORMS:
        return IRREGULAR_FORMS[w]
    candidates = [w]
    for end in ("ing", "ed", "es", "s"):
        if w.endswith(end) and len(w) > len(end) + 1:
            base = w[:-len(end)]
            candidates += [base, base + "e"]
            if len(base) > 2 and base[-1] == base[-2]:
                candidates.append(base[:-1])          # chopping -> chop
            if base.endswith("i"):
                candidates.append(base[:-1] + "y")    # carries, carried -> carry
    return next((c for c in candidates if c in ACTION_VERBS), None)


_TAIL = (r"(?:\s+(?:up|down|out|away|over|around|off|with|on|onto|in|into|at|from))?"       # holding onto
         r"(?:\s+to\s+[a-z]+(?:\s+[a-z]+){0,3})?"                                          # used to cut the pepper
         r"(?:\s+(?:in|into|onto|on|with|under|between|from|at|over|off|across|through|out\s+of)\s+(?:his|her|"
         r"their|its|the|a|an|one|both)(?:\s+[a-z]+){1,2}?){0,2}"                            # in his right hand
         r"(?:\s+(?:in|at|during)\s+(?:the|this)\s+(?:video|clip|start|end|beginning|scene))?\W*$")


_WHAT = r"^\W*(?:and\s+)?what(?:\s+(?:object|objects|thing|things|item|items))?\s+"


def _acted_on_pattern(words: int) -> re.Pattern:
    """The active question forms with `words` words between the auxiliary and the verb."""
    gap = r"(?:[\w']+\s+){%d}" % words
    return re.compile(_WHAT + r"(?:(?:is|are|was|were)\s+(?!being\b)" + gap + r"(?P<ing>[a-z]+ing)|"  # is ... slicing
                      r"(?:do|does|did)\s+" + gap + r"(?P<verb>[a-z]+))" + _TAIL, re.I)        # does ... hold


# One to five words of subject: "What is the boy in the cage holding?", "What does the woman on the left hold?"
# (each tried in turn: the first whose verb is one of ACTION_VERBS' reads the question), then the passive.
PASSIVE = re.compile(_WHAT + r"(?:(?:is|are|was|were)(?:\s+being)?|gets?|got)\s+(?P<passive>[a-z]+)" + _TAIL,
                     re.I)   # What is being cut?
ACTED_ON = tuple(_acted_on_pattern(k) for k in range(1, 6)) + (PASSIVE,)

# "What is standing on the table?": a thing on or in a place that is not a part of the body, the screen's text
# or a side of the picture.
SURFACE = re.compile(
    r"^\W*(?:and\s+)?what(?:\s+(?:objects?|things?|items?))?\s+(?:(?:is|are|was|were)\s+(?:(?:standing|lying|sitting|"
    r"placed|put|kept|resting|set|left|stacked|lined\s+up|laid\s+out|visible|seen|"
    r"floating|hanging|parked|displayed|piled|scattered|growing)\s+)?|"
    r"(?:floats?|stands?|sits?|lies|hangs?|rests?|grows?|lays?)\s+)(?:on\s+top\s+of|on|upon|"
    r"in|inside|under|underneath|beside|next\s+to|near|by)\s+(?:the|a|that|this)\s+(?P<place>[a-z]+)\W*$", re.I)
NOT_SURFACES = frozenset(BODY_PARTS) | {"video", "clip", "frame", "frames", "picture", "image", "scene", "screen",
                                        "tv", "monitor", "sign", "shirt", "left", "right", "top", "bottom", "side",
                                        "middle", "centre", "center", "front", "start", "end", "beginning",
                                        "background", "foreground", "distance", "air", "sky", "audio"}
SCENES = [(970, 983)]   # ImageNet's landscapes (alp ... volcano) and its three people (ballplayer, groom, diver)
# Animals people ride: tusker, horse, zebra, ox, water buffalo, bison, camel, llama, the two elephants.
RIDDEN_ANIMALS = [(101, 101), (339, 340), (345, 347), (354, 355), (385, 386)]
# The ImageNet classes (and the context's "car" and "boat") people ride in or on, drive or steer (MiniLM's
# "vehicle" misses the bicycles and boats: tandem bicycle 0.39, unicycle 0.44 against horse-drawn vehicle 0.56).
DRIVEN = frozenset("""amphibious vehicle|station wagon|tandem bicycle|bobsleigh|taxicab|kayak|catamaran|convertible|
dog sled|fire truck|forklift|garbage truck|go-kart|golf cart|gondola|combine harvester|horse-drawn vehicle|jeep|
limousine|lifeboat|minibus|minivan|moped|motor scooter|mountain bike|moving van|bullock cart|pickup truck|police van|
race car|school bus|schooner|snowmobile|motorboat|sports car|tank|tow truck|tractor|semi-trailer truck|tricycle|
trimaran|unicycle|yawl (boat)|fireboat|tram|trolleybus|car|boat""".replace("\n", "").split("|"))
RIDING = re.compile(r"\b(?:rid(?:e|es|ing)|rode|ridden|mounted|on\s+top\s+of)\b|\b(?:on|onto|upon)\W*$", re.I)


def is_scene(name: str) -> bool:
    """Whether an object name is one of ImageNet's landscapes or people, no thing anyone acts on."""
    index = _index()
    return name in index and _in_blocks(index[name], SCENES)


def rideable(name: str) -> bool:
    """Whether an object name is an animal people ride."""
    index = _index()
    return name == "horse" or (name in index and _in_blocks(index[name], RIDDEN_ANIMALS))


def _of_kind(kind: str, names: list[str]) -> list[str]:
    if kind == "ridden":
        return [n for n in names if rideable(n) or n in DRIVEN]
    if kind == "driven":
        return [n for n in names if n in DRIVEN]
    return members(kind, names)


def acted_on(question: str) -> tuple[str, str | None] | None:
    """('slice', 'food') for "What is the person slicing?", ('on', None) for "What is standing on the table?";
    None for other questions."""
    if (m := SURFACE.search(question)) is not None:
        return None if m.group("place").lower() in NOT_SURFACES else ("on", None)
    for pattern in ACTED_ON:
        m = pattern.search(question)
        if m is not None and (stem := verb_stem(next(g for g in m.groups() if g))):
            return stem, ACTION_VERBS[stem]
    return None


def acted_on_kind(question: str, context) -> list[str]:
    """The context's objects of the kind the question's verb takes ("What is she slicing?": the food), or []."""
    asked = acted_on(question)
    if asked is None or asked[1] is None:
        return []
    return _of_kind(asked[1], list(context_objects(context)))


def answer_acted_on(question: str, context) -> str | None:
    """The likeliest object (of the verb's kind where one of that kind is seen; a thing on a table: the likeliest
    two) for a question `acted_on` reads, leaving out landscapes, people and what is worn; None otherwise."""
    asked = acted_on(question)
    if asked is None:
        return None
    verb, kind = asked
    found = {n: p for n, p in context_objects(context).items() if n not in WORN and not is_scene(n)}
    if not found:
        return None
    hits = _of_kind(kind, list(found)) if kind is not None else []
    # an animal ridden before any vehicle; a thing on a table: the likeliest two
    ranked = sorted(hits or found, key=lambda n: (not rideable(n), -found[n]) if kind == "ridden" else -found[n])
    ranked = ranked[:2 if verb == "on" else 1]
    return " and ".join(with_article(n, capital=i == 0) for i, n in enumerate(ranked)) + "."


# "Is it an electric guitar?", "Is this a banjo?": what the thing in view is (the reader said "Yes, an electric
# guitar is seen." over a banjo and an acoustic guitar)
IS_IT = re.compile(r"^\W*(?:and\s+)?(?:is|was)\s+(?:it|this|that)\s+(?:really\s+)?(?:a|an)\s+(?P<thing>[a-z]+(?:[\s-]"
                   r"[a-z]+){0,2})(?:\s+(?:in\s+the\s+(?:video|picture|frame|clip)|there))?\s*[?.!]*\s*$", re.I)


def answer_is_it(question: str, context) -> str | None:
    """'Possibly: an acoustic guitar is among the objects seen (7%).' for "Is it a guitar?"; 'Probably not: the
    objects seen are a banjo (30%), ...; no electric guitar among them.' for a thing none of them names. None for
    other questions, places and people (their routes answer), and words that name no ImageNet thing."""
    from vlm.perception.activity import PLACES
    from vlm.perception.howmany import PEOPLE, names_a_thing

    m = IS_IT.search(question)
    if m is None or not context.labels:
        return None
    thing = m["thing"].lower()
    head = thing.split()[-1]
    if thing in PLACES or head in {p.split()[-1] for p in PLACES} or re.fullmatch(PEOPLE, head) or \
            not names_a_thing(head):
        return None
    found = context_objects(context)
    hits = sorted((n for n in found if names_thing(thing, n)), key=lambda n: -found[n])
    if hits:
        best = hits[0]
        lead = "Probably" if best == max(found, key=found.get) else "Possibly"
        return f"{lead}: {with_article(best, capital=False)} is among the objects seen ({found[best]:.0%})."
    seen = listed([f"{with_article(n, capital=False)} ({p:.0%})" for n, p in context.labels[:3]])
    return f"Probably not: the objects seen are {seen}; no {thing} among them."


# "Is the door open at the end?", "Are the bottles empty?", "Is the table wooden?": a state or material no fact
# gives (the reader said "No, no door is open." over a sliding door seen)
STATES = ("open|opened|closed|shut|on|off|empty|full|broken|clean|dirty|wet|dry|lit|locked|unlocked|new|old|hot|cold|"
          "heavy|ripe|fresh|cooked|raw|big|small|large|tiny|huge|expensive|cheap|real|fake|full|half full")
MATERIALS = "plastic|wooden|wood|metal|metallic|glass|paper|leather|cotton|steel|iron|stone|ceramic"
THING_STATE = re.compile(rf"^\W*(?:and\s+)?(?:is|are|was|were)\s+(?:the|this|that|these|those|his|her|their)\s+"
                         rf"(?P<thing>[a-z]+(?:\s+[a-z]+)?)\s+(?:made\s+of\s+)?(?:still\s+)?(?P<state>{STATES}|"
                         rf"{MATERIALS})\b", re.I)


def answer_thing_state(question: str, context) -> str | None:
    """"I can't tell whether the door is open: the objects name a sliding door, not the state it is in." where
    an object seen is the thing asked about; None for other questions and things none of the objects names."""
    m = THING_STATE.search(question)
    if m is None:
        return None
    found = context_objects(context)
    hits = sorted((n for n in found if names_thing(m["thing"], n)), key=lambda n: -found[n])
    if not hits:
        return None
    state, thing = m["state"].lower(), m["thing"].lower()
    verb = "are" if m.group(0).lower().lstrip(" \t\n,.!?").split()[0] in ("are", "were") else "is"
    what = "what it is made of" if re.fullmatch(MATERIALS, state) else "the state it is in"
    if "made of" in m.group(0).lower():
        verb += " made of"
    return f"I can't tell whether the {thing} {verb} {state}: the objects name " \
           f"{with_article(hits[0], capital=False)}, not {what}."
