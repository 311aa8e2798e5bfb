"""A generated suite of generation prompts with their ground truth, split so the test half never shares a noun,
a sentence template or a phrasing with the development half.

Each prompt comes from a structure (one thing; two things each doing something; two things in a relation; three
things; a group moving together), filled with nouns, colours, counts 1-4, motions, size changes, relations and
places, in one of several phrasings. The truth (a PromptSpec: things, relations, place) is written by the
generator, not read back from the text, so a parser that misreads a prompt loses the rules it misread.

    python -m eval.generation_suite          # prints a sample of both halves
"""
from __future__ import annotations

import random
import zlib

from vlm.generation.prompt import PromptSpec, Rule, Thing, rules_for

NOUNS = {  # category -> nouns (singular, plural)
    "animal": [("cat", "cats"), ("dog", "dogs"), ("horse", "horses"), ("cow", "cows"), ("pig", "pigs"),
               ("rabbit", "rabbits"), ("fox", "foxes"), ("wolf", "wolves"), ("bear", "bears"), ("lion", "lions"),
               ("tiger", "tigers"), ("elephant", "elephants"), ("monkey", "monkeys"), ("frog", "frogs"),
               ("duck", "ducks"), ("owl", "owls"), ("penguin", "penguins"), ("turtle", "turtles"),
               ("snake", "snakes"), ("mouse", "mice"), ("bird", "birds"), ("fish", "fish"), ("shark", "sharks"),
               ("whale", "whales"), ("dolphin", "dolphins"), ("butterfly", "butterflies"), ("snail", "snails"),
               ("crab", "crabs"), ("giraffe", "giraffes"), ("zebra", "zebras"), ("camel", "camels"),
               ("squirrel", "squirrels"), ("parrot", "parrots"), ("goat", "goats"), ("chicken", "chickens"),
               ("octopus", "octopuses")],
    "vehicle": [("car", "cars"), ("bus", "buses"), ("truck", "trucks"), ("bicycle", "bicycles"),
                ("motorcycle", "motorcycles"), ("train", "trains"), ("airplane", "airplanes"),
                ("helicopter", "helicopters"), ("rocket", "rockets"), ("boat", "boats"), ("tractor", "tractors"),
                ("taxi", "taxis"), ("ambulance", "ambulances"), ("sailboat", "sailboats"), ("scooter", "scooters"),
                ("ship", "ships")],
    "object": [("ball", "balls"), ("balloon", "balloons"), ("star", "stars"), ("apple", "apples"),
               ("umbrella", "umbrellas"), ("guitar", "guitars"), ("book", "books"), ("chair", "chairs"),
               ("clock", "clocks"), ("key", "keys"), ("hat", "hats"), ("cup", "cups"), ("kite", "kites"),
               ("bell", "bells"), ("candle", "candles"), ("drum", "drums"), ("crown", "crowns"), ("heart", "hearts"),
               ("house", "houses"), ("tree", "trees"), ("flower", "flowers"), ("mushroom", "mushrooms"),
               ("cactus", "cacti"), ("cloud", "clouds"), ("sun", "suns"), ("moon", "moons"),
               ("snowman", "snowmen"), ("tent", "tents"), ("cake", "cakes"), ("banana", "bananas"),
               ("carrot", "carrots"), ("lemon", "lemons"), ("pencil", "pencils"), ("gift", "gifts"),
               ("lamp", "lamps"), ("box", "boxes")],
    "person": [("man", "men"), ("woman", "women"), ("boy", "boys"), ("girl", "girls"), ("child", "children"),
               ("person", "people"), ("baby", "babies"), ("robot", "robots")],
}
COLOURS = ["red", "green", "blue", "yellow", "orange", "purple", "pink", "brown", "white", "black", "grey", "cyan"]
COUNT_WORDS = {1: ["a"], 2: ["two"], 3: ["three"], 4: ["four"]}
PLACES = {  # background keyword -> phrases, split between the halves
    "grass": (["on the grass", "in a field"], ["in a green meadow", "in the park"]),
    "sky": (["in the sky"], ["high in the air"]),
    "night": (["at night"], ["under the night sky"]),
    "sand": (["on the beach"], ["in the desert"]),
    "sea": (["in the sea"], ["in the ocean"]),
    "indoor": (["in a room"], ["in the kitchen"]),
    "road": (["on the road"], ["along the street"]),
    "snow": (["in the snow"], ["on a snowy hill"]),
    "white": (["on a white background"], ["against a white backdrop"]),
}
MOTIONS = {  # motion -> (development phrasings, test phrasings); {v} is the verb, {vs} its third person
    "right": (["{vs} to the right", "{vs} from left to right", "moves right"],
              ["heads right", "travels from the left side to the right side", "{vs} rightwards"]),
    "left": (["{vs} to the left", "{vs} from right to left", "moves left"],
             ["heads left", "travels from the right side to the left side", "{vs} leftwards"]),
    "up": (["rises", "{vs} up", "goes up"], ["climbs upward", "floats upwards", "ascends"]),
    "down": (["falls", "{vs} down", "drops down"], ["sinks downward", "descends", "comes down"]),
    "towards": (["comes towards the camera", "{vs} towards the viewer"],
                ["approaches the camera", "{vs} closer to the camera"]),
    "away": (["moves away from the camera", "{vs} away into the distance"],
             ["recedes into the distance", "{vs} off away from the viewer"]),
    "still": (["stays still", "does not move"], ["stands motionless", "remains where it is"]),
}
CHANGES = {"bigger": (["grows", "gets bigger"], ["becomes larger and larger", "expands"]),
           "smaller": (["shrinks", "gets smaller"], ["becomes smaller and smaller", "dwindles"])}
RELATIONS = {"above": (["above"], ["high above"]), "below": (["below"], ["underneath"]),
             "left_of": (["to the left of"], ["on the left side of"]),
             "right_of": (["to the right of"], ["on the right side of"]), "next_to": (["next to"], ["beside"])}
VERB = {"animal": ("walk", "walks"), "vehicle": ("drive", "drives"), "object": ("move", "moves"),
        "person": ("walk", "walks")}
TEMPLATES = {  # structure -> (development templates, test templates)
    "one": (["{a}{m}{p}", "{a}{m}"], ["{P}, {a}{m}", "a video of {a} that{m}{p}"]),
    "change": (["{a}{c}", "{a}{c}{p}"], ["watch as {a}{c}", "{P}, {a} slowly{c}"]),
    "static": (["{a}{p}", "{a}"], ["there is {a}{p}", "a picture of {a}{p}"]),
    "two_motions": (["{a}{m} while {b}{n}", "{a}{m} and {b}{n}"], ["{a}{m}, as {b}{n}", "{a}{m}; meanwhile {b}{n}"]),
    "relation": (["{a} {r} {b}{p}", "{a} {r} {b}"], ["there is {a} {r} {b}{p}", "{P}, {a} sits {r} {b}"]),
    "three": (["{a}, {b} and {c3}{p}"], ["{P} there are {a}, {b} and {c3}"]),
    "together": (["{a} and {b}{m2}"], ["both {a} and {b}{m2} together"]),
}
STRUCTURE_WEIGHTS = {"one": 3, "change": 1, "static": 1, "two_motions": 2, "relation": 2, "three": 1, "together": 1}


def _half(word: str) -> int:
    """0 for development, 1 for test: a fixed split of the vocabulary by a hash of the word."""
    return zlib.crc32(word.encode()) % 2


def split_nouns() -> tuple[dict, dict]:
    halves = ({}, {})
    for cat, nouns in NOUNS.items():
        for pair in nouns:
            halves[_half(pair[0])].setdefault(cat, []).append(pair)
    return halves


def _np(rng, nouns, thing: Thing, cat: str, pair, with_colour: bool) -> str:
    count = thing.count
    words = [rng.choice(COUNT_WORDS[count])]
    if with_colour:
        words.append(thing.colour)
    words.append(pair[0] if count == 1 else pair[1])
    text = " ".join(words)
    return ("an " + text[2:]) if text.startswith("a ") and text[2] in "aeiou" else text


def _motion_text(rng, motion: str, cat: str, half: int, plural: bool) -> str:
    v, vs = VERB[cat]
    phrase = rng.choice(MOTIONS[motion][half])
    text = phrase.format(v=v, vs=v if plural else vs)
    if plural:  # the phrasings are written in the singular
        for one, many in (("moves", "move"), ("rises", "rise"), ("goes", "go"), ("falls", "fall"),
                          ("drops", "drop"), ("comes", "come"), ("stays", "stay"), ("does", "do"),
                          ("heads", "head"), ("travels", "travel"), ("climbs", "climb"), ("floats", "float"),
                          ("ascends", "ascend"), ("sinks", "sink"), ("descends", "descend"),
                          ("approaches", "approach"), ("recedes", "recede"), ("stands", "stand"),
                          ("remains where it is", "remain where they are"), ("remains", "remain")):
            text = text.replace(one, many)
    return " " + text


def _change_text(rng, change: str, half: int, plural: bool) -> str:
    text = rng.choice(CHANGES[change][half])
    if plural:
        for one, many in (("grows", "grow"), ("gets", "get"), ("becomes", "become"), ("shrinks", "shrink"),
                          ("expands", "expand"), ("dwindles", "dwindle")):
            text = text.replace(one, many)
    return " " + text


def make_prompt(rng: random.Random, half: int) -> tuple[str, str, PromptSpec]:
    """(structure, prompt, truth) for the given half (0 development, 1 test)."""
    nouns = split_nouns()[half]
    structure = rng.choices(list(STRUCTURE_WEIGHTS), weights=list(STRUCTURE_WEIGHTS.values()))[0]
    n_things = {"three": 3, "one": 1, "change": 1, "static": 1}.get(structure, 2)
    cats = [rng.choice(list(nouns)) for _ in range(n_things)]
    pairs = []
    for cat in cats:
        pair = rng.choice(nouns[cat])
        while pair in pairs:
            pair = rng.choice(nouns[cat])
        pairs.append(pair)
    things = []
    for cat, pair in zip(cats, pairs):
        count = rng.choices([1, 2, 3, 4], weights=[5, 3, 2, 1])[0] if n_things < 3 else rng.choice([1, 1, 2])
        colour = rng.choice(COLOURS) if rng.random() < 0.75 else None
        things.append(Thing(pair[0], count, colour))
    spec = PromptSpec("", things)
    fill: dict[str, str] = {}
    for key, t, cat, pair in zip("abc", things, cats, pairs):
        fill[key if key != "c" else "c3"] = _np(rng, nouns, t, cat, pair, t.colour is not None)
    template = rng.choice(TEMPLATES[structure][half])
    place = None
    if "{P}" in template or "{p}" in template and rng.random() < 0.7:
        place = rng.choice(list(PLACES))
    phrase = rng.choice(PLACES[place][half]) if place else ""
    fill["p"] = f" {phrase}" if phrase else ""
    fill["P"] = phrase[:1].upper() + phrase[1:] if phrase else ""
    spec.background = place if phrase else None
    if structure == "one":
        motion = rng.choice(list(MOTIONS))
        things[0].motion = motion
        fill["m"] = _motion_text(rng, motion, cats[0], half, things[0].count > 1)
    elif structure == "change":
        things[0].change = rng.choice(list(CHANGES))
        fill["c"] = _change_text(rng, things[0].change, half, things[0].count > 1)
    elif structure == "two_motions":
        m1, m2 = rng.sample([m for m in MOTIONS if m not in ("towards", "away")], 2)
        things[0].motion, things[1].motion = m1, m2
        fill["m"] = _motion_text(rng, m1, cats[0], half, things[0].count > 1)
        fill["n"] = _motion_text(rng, m2, cats[1], half, things[1].count > 1)
    elif structure == "relation":
        kind = rng.choice(list(RELATIONS))
        fill["r"] = rng.choice(RELATIONS[kind][half])
        spec.relations.append((kind, 0, 1))
        if things[0].count > 1:
            template = template.replace(" sits ", " sit ")
    elif structure == "together":
        motion = rng.choice(["right", "left", "up", "down"])
        for t in things:
            t.motion = motion
        fill["m2"] = _motion_text(rng, motion, cats[1], half, True)
    text = template.format(**{k: fill.get(k, "") for k in ("a", "b", "c3", "m", "n", "m2", "c", "p", "P", "r")})
    text = text[0].upper() + text[1:] if half else text
    spec.text = text
    return structure, text, spec


def suite(n: int = 320, seed: int = 0) -> list[dict]:
    """n prompts, half development and half test: [{split, structure, prompt, spec, rules}]."""
    rows, seen = [], set()
    for half, name in ((0, "dev"), (1, "test")):
        rng = random.Random(seed * 2 + half)
        while sum(r["split"] == name for r in rows) < n // 2:
            structure, text, spec = make_prompt(rng, half)
            if text in seen:
                continue
            seen.add(text)
            rows.append({"split": name, "structure": structure, "prompt": text, "spec": spec,
                         "rules": rules_for(spec)})
    return rows


def rule_category(rule: Rule) -> str:
    return {"still": "motion", "moves": "motion"}.get(rule.kind, rule.kind)


if __name__ == "__main__":
    rows = suite()
    for split in ("dev", "test"):
        sel = [r for r in rows if r["split"] == split]
        print(f"{split}: {len(sel)} prompts, {sum(len(r['rules']) for r in sel)} rules; "
              f"nouns {sorted({t.noun for r in sel for t in r['spec'].things})}")
        for r in sel[:12]:
            print("  ", r["structure"], "|", r["prompt"], "|", [x.describe(r["spec"]) for x in r["rules"]])
