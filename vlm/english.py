"""'a' or 'an': the indefinite article before an object's name, in the extractive answers and in the LLM's stream;
a noun's singular (`singular`), for matching words in prompts and questions; the start of a question the
extractive routes read (`QUESTION_START`, `YES_NO_QUESTION`), and the question a polite wrapper holds
(`plain_question`).

The reader learnt "The frames mostly show a {label}" from templates, so it writes "a oxygen mask"; the stream
fixes the article once the next word arrives. The rule goes by the first letters, with the common exceptions
("a unicycle", "a one-man band", "an hour").
"""
from __future__ import annotations

import re
from typing import Iterable, Iterator

# A question's start, a follow-up's "and" allowed ("And is he standing?").
QUESTION_START = r"^\W*(?:and\s+)?"
YES_NO_QUESTION = re.compile(QUESTION_START + r"(?:does|did|do|is|was|are|were|can|could|has|have|will)\b", re.I)
# Which end of the video, or of a list, a question points at: "the first caption" (group w), "at the end" (group
# pos); not "at the end of the hall". `points_to_start` reads the match.
END_POINT = (r"\b(?P<w>first|last|final|finally|opening|closing)\b|\b(?:at|in|near|towards?)\s+the\s+(?:very\s+)?"
             r"(?P<pos>start|beginning|end|ending|close)\b(?!\s+of\s+(?!(?:the\s+|this\s+)?(?:video|clip)))")


def points_to_start(match: re.Match) -> bool:
    """Whether an `END_POINT` match points at the start ("first", "at the beginning"), not the end."""
    return (match.group("w") or match.group("pos")).lower() in ("first", "opening", "start", "beginning")

# A question asked politely or indirectly: "Can you tell me when someone appears?", "Tell me what happens at the
# end.", "I'd like to know how many people there are." The extractive routes read the question it wraps.
_WRAPPER = re.compile(r"^\W*(?:(?:hey|hi|ok|okay|so|well)\W+)?(?:please\s+)?(?:(?:can|could|would|will)\s+you\s+"
                      r"(?:please\s+)?(?:tell|show)\s+me|tell\s+me|i(?:\s+want|\s+would\s+like|'d\s+like)\s+to\s+know|"
                      r"do\s+you\s+know|i\s+wonder|i'm\s+wondering)\s+(?=(?:who|what|when|where|which|why|how)\b)", re.I)


def plain_question(question: str) -> str:
    """The question a polite or indirect wrapper holds: "Can you tell me when she speaks?" -> "when she speaks?"."""
    return _WRAPPER.sub("", question, count=1)


_VOWEL_SOUND = re.compile(r"^(?:[aeio]|u(?!ni|s[aeiu]|t[aeiu]|k[aeiu]|r[aeiou]|bi|ro)|hour|honest|honou?r|heir)",
                          re.I)
_CONSONANT_SOUND = re.compile(r"^(?:one\b|once\b|eu|ewe|uk\b)", re.I)
_ARTICLE = re.compile(r"\b(a|an|A|An)(\s+)(?=([A-Za-z][\w-]*))")   # before a word, not a number ("an 8")
# ImageNet's plural class names take no article ("The frames mostly show pajamas", not "a pajamas").
PLURAL_NAMES = ("binoculars", "clogs", "jeans", "pajamas", "sunglasses", "parallel bars", "swim trunks",
                "mashed potatoes")
_PLURAL = re.compile(r"\b(a|an|A|An)\s+(?=(?:" + "|".join(re.escape(n) for n in PLURAL_NAMES) + r")\b)(\w)")
_FIRST_OF_TWO = sorted({n.split()[0] for n in PLURAL_NAMES if " " in n})
# A piece ending in an article, or in an article and the first word of a two-word plural, waits for what follows.
_TRAILING_ARTICLE = re.compile(r"\b(?:a|an|A|An)\s+(?:(?:" + "|".join(_FIRST_OF_TWO) + r")\s+)?$")


def listed(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def starts_with_vowel_sound(word: str) -> bool:
    return bool(_VOWEL_SOUND.match(word)) and not _CONSONANT_SOUND.match(word)


def with_article(name: str, *, capital: bool = True) -> str:
    """'An oxygen mask', 'A unicycle' (lower case with capital=False); 'Sunglasses' for a plural name."""
    if name in PLURAL_NAMES:
        return name[0].upper() + name[1:] if capital else name
    article = "an" if starts_with_vowel_sound(name) else "a"
    return f"{article.capitalize() if capital else article} {name}"


def fix_articles(text: str, *, preceding: str = "") -> str:
    """'a oxygen mask' -> 'an oxygen mask', 'an bell pepper' -> 'a bell pepper'; capitals kept. `preceding`: the
    text before it (a streamed piece's predecessors), to tell a sentence's first "A" from a name ("plan A")."""
    def fix(m: re.Match) -> str:
        before = (preceding[-8:] + text[:m.start()]).rstrip()
        if m.group(1)[0].isupper() and before and before[-1] not in '.!?:"(\n':
            return m.group(0)   # "plan A is": a capital mid-sentence is a name, not the article
        article = "an" if starts_with_vowel_sound(m.group(3)) else "a"
        return (article.capitalize() if m.group(1)[0].isupper() else article) + m.group(2)

    def plural(m: re.Match) -> str:   # "A pajamas" -> "Pajamas"; "a pajamas" -> "pajamas"
        return m.group(2).upper() if m.group(1)[0].isupper() else m.group(2)
    return _ARTICLE.sub(fix, _PLURAL.sub(plural, text))


def fix_articles_stream(pieces: Iterable[str]) -> Iterator[str]:
    """The same fix on streamed text: a piece that ends in an article waits for the word after it."""
    held, sent = "", ""
    for piece in pieces:
        text = held + piece
        m = _TRAILING_ARTICLE.search(text)
        if m is not None:
            held, text = text[m.start():], text[:m.start()]
        else:
            held = ""
        if text:
            text = fix_articles(text, preceding=sent)
            sent = (sent + text)[-8:]
            yield text
    if held:
        yield held


IRREGULAR = {"people": "person", "men": "man", "women": "woman", "children": "child", "mice": "mouse",
             "geese": "goose", "feet": "foot", "teeth": "tooth", "sheep": "sheep", "fish": "fish", "deer": "deer",
             "buses": "bus", "boxes": "box", "foxes": "fox", "knives": "knife", "leaves": "leaf", "wolves": "wolf",
             "butterflies": "butterfly", "strawberries": "strawberry", "cherries": "cherry", "puppies": "puppy",
             "ponies": "pony", "bunnies": "bunny", "ladies": "lady", "babies": "baby", "balloons": "balloon",
             "cacti": "cactus", "fungi": "fungus", "octopi": "octopus", "oxen": "ox", "moose": "moose",
             "dice": "die", "salmon": "salmon", "aircraft": "aircraft", "potatoes": "potato", "tomatoes": "tomato",
             "heroes": "hero", "echoes": "echo", "mangoes": "mango", "volcanoes": "volcano", "mosquitoes": "mosquito"}


def singular(word: str) -> str:
    """'bottles' -> 'bottle', 'children' -> 'child', 'boxes' -> 'box', 'glass' -> 'glass'."""
    w = word.lower()
    if w in IRREGULAR:
        return IRREGULAR[w]
    if w.endswith("men") and len(w) > 4 and w not in ("omen", "amen"):
        return w[:-3] + "man"                       # snowmen, firemen, policemen
    if w.endswith("uses") and not w.endswith("ouses") and len(w) > 5:
        return w[:-2]                               # octopuses, walruses, circuses (not lighthouses)
    # No "-oes" rule: shoes, canoes, toes; the -oes plurals of -o words (potatoes) are in IRREGULAR.
    for suffix, repl in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss"), ("xes", "x")):
        if w.endswith(suffix) and len(w) > len(suffix) + 2:
            return w[: -len(suffix)] + repl
    if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        return w[:-1]
    return w


# A request wrapped round a question: "Can you tell me what the man is holding?", "Do you know if there is a dog?",
# "Please describe the video." The routes and the reader were built on the plain question; "Can you ..." alone
# reads as a yes/no question to them ("Can you tell me what happens?" -> "No, nothing is said").
_POLITE = (r"(?:(?:can|could|would|will) you(?: please)?|please|(?:do|did) you (?:know|see)|any idea|i(?:'d| would) "
           r"like to know|i want to know|i(?:'m| am| was)? wonder(?:ing)?|tell me|let me know)")
_LEAD = r"^\W*(and\s+)?"   # QUESTION_START with the follow-up's "and" captured, to put back
_REQUEST = re.compile(_LEAD + _POLITE +
                      r",?\s+(?:(?:please\s+)?(?:tell me|let me know|say|explain)\s+)?"
                      r"(?=(?:what|who|whom|whose|which|where|when|why|how|if|whether)\b)", re.I)
_IMPERATIVE = re.compile(_LEAD +
                         r"(?:(?:can|could|would|will) you(?: please)?|please),?\s+(?=(?:describe|summari[sz]e|"
                         r"explain|list|name|count|read|give|show|tell me about|tell me more)\b)", re.I)
_AUX = ("is", "are", "was", "were", "can", "could", "will", "would", "has", "have", "had", "should")
# Words that start a clause's subject ("what [the man] is holding", "how many people [there] are").
_SUBJECT_START = {"the", "a", "an", "this", "that", "these", "those", "he", "she", "it", "they", "there", "his", "her",
                  "their", "its", "someone", "somebody", "anyone", "anybody", "everyone", "i", "we", "you"}


# Misspellings of the words questions turn on, as typed in a chat box ("wat vegtable is this" got "Yes, a hot dog
# is seen."): the routes and the reader go by these words.
TYPOS = {"wat": "what", "wht": "what", "waht": "what", "whta": "what", "whats": "what's", "wats": "what's",
         "whos": "who's", "wich": "which", "whihc": "which", "wher": "where", "whre": "where", "wheres": "where's",
         "wen": "when", "hw": "how", "howmany": "how many", "ppl": "people", "peple": "people", "poeple": "people",
         "vid": "video", "vegtable": "vegetable", "vegatable": "vegetable", "doin": "doing", "teh": "the",
         "thier": "their", "pls": "please", "plz": "please"}
_TYPO = re.compile(r"\b(" + "|".join(sorted(TYPOS, key=len, reverse=True)) + r")\b(?!')", re.I)


_CONTRACTED = re.compile(r"\b(what|who|where|when|how|which|there)'s\b", re.I)


def spelled_out(question: str) -> str:
    """The question with TYPOS corrected and "what's" written out: "wat vegtable is this" -> "what vegetable is
    this", "Whats he doing?" -> "What is he doing?"."""
    def fix(m: re.Match) -> str:
        word = TYPOS[m.group(1).lower()]
        return word[:1].upper() + word[1:] if m.group(1)[:1].isupper() else word

    question = _TYPO.sub(fix, question.replace("\u2019", "'"))
    return _CONTRACTED.sub(lambda m: m.group(1) + " is", question)     # "What's the girl riding?" -> "What is ..."


# A greeting or an aside before the question ("Hi! Could you tell me ...?", "I'm curious, what sport ...?",
# "Quick question: who ...?"): the checks and the reader read the question after it.
_GREETING = re.compile(r"^\W*(?:(?:hi|hello|hey|hey there|hiya|ok|okay|so|well|um+|uh+|thanks|thank you)(?:\s*[!,.:;-]+\s*|"
                       r"\s+(?=(?:can|could|would|will|please|what|who|which|where|when|why|how|is|are|does|do)\b))|"
                       r"(?:i'?m|i am|just)\s+(?:curious|wondering)\s*[,:;-]+\s*|(?:quick|one|a)\s+question\s*[,:;-]+\s*)",
                       re.I)


def direct_question(question: str) -> str:
    """The plain question inside a request: "Can you tell me what the man is holding?" -> "What is the man
    holding?", "Do you know if there is a dog?" -> "Is there a dog?", "Could you please describe the video?" ->
    "Describe the video."; any other question unchanged. An indirect question with no auxiliary to move keeps its
    order ("what the man says?"); its words are what the routes and the reader go by. Misspelt question words are
    corrected first (`spelled_out`)."""
    question, greeted = _GREETING.subn("", spelled_out(question), count=1)    # "Hi! Could you tell me ...?"
    if greeted:
        question = question[:1].upper() + question[1:]
    m = _IMPERATIVE.match(question)
    if m is not None:
        rest = question[m.end():].rstrip(" ?!.")
        return (m.group(1) or "") + _capital(rest, m.group(1)) + "."
    m = _REQUEST.match(question)
    if m is None:
        return question
    lead, clause = m.group(1) or "", question[m.end():].rstrip(" ?!.")
    words = clause.split()
    if words[0].lower() in ("if", "whether"):
        words = _inverted(words[1:], 0)
    else:
        # the subject starts after the wh-phrase: "how many people [there] are", "what colour [the car] is"
        first = 3 if words[0].lower() == "how" and len(words) > 2 and words[1].lower() in ("many", "much") else 1
        start = next((i for i in range(first, len(words)) if words[i].lower() in _SUBJECT_START), None)
        if start is not None and start <= first + 1 and words[1].lower() not in _AUX:   # not "what happens when.."
            words = words[:start] + _inverted(words[start:], 0)
    return lead + _capital(" ".join(words), lead) + "?" if words else question


def _inverted(clause: list[str], start: int) -> list[str]:
    """A clause's words in question order: its auxiliary before the subject ("the man is holding" -> "is the man
    holding"), or "does" and the verb's plain form ("the door opens" -> "does the door open"); else unchanged."""
    low = [w.lower() for w in clause]
    aux = next((i for i in range(start, min(len(clause), start + 6)) if low[i] in _AUX), None)
    if aux is not None:
        return [clause[aux]] + clause[:aux] + clause[aux + 1:]
    # a verb in -s that follows no article ("the dogs" is a noun): "the door opens", "anyone speaks"
    verb = next((i for i in range(start + 1, min(len(clause), start + 5)) if re.fullmatch(r"[a-z]+[^s]s", low[i])
                 and low[i - 1] not in ("the", "a", "an", "this", "that", "these", "those", "his", "her", "their")),
                None)
    if verb is None:
        return clause
    return ["does"] + clause[:verb] + [_plain_verb(low[verb])] + clause[verb + 1:]


def _plain_verb(verb: str) -> str:
    """'opens' -> 'open', 'does' -> 'do', 'carries' -> 'carry', 'watches' -> 'watch', 'says' -> 'say'."""
    if verb in ("does", "goes"):
        return verb[:-2]
    if verb == "has":
        return "have"
    for suffix, repl in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss"), ("xes", "x")):
        if verb.endswith(suffix):
            return verb[: -len(suffix)] + repl
    return verb[:-1]


def _capital(text: str, lead: str) -> str:
    return text if lead or not text else text[0].upper() + text[1:]
