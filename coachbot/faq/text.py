"""Turning chat-style questions into comparable words: casing, punctuation, slang, fillers, stems."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# Chat shorthand and apostrophe-less contractions newcomers type, spelled out.
SLANG: dict[str, str] = {
    "u": "you",
    "r": "are",
    "ur": "your",
    "ya": "you",
    "yr": "your",
    "urself": "yourself",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "ty": "thanks",
    "im": "i am",
    "ive": "i have",
    "id": "i would",
    "youre": "you are",
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "cant": "can not",
    "wont": "will not",
    "isnt": "is not",
    "arent": "are not",
    "wasnt": "was not",
    "havent": "have not",
    "hasnt": "has not",
    "shouldnt": "should not",
    "wouldnt": "would not",
    "couldnt": "could not",
    "whats": "what is",
    "wats": "what is",
    "wat": "what",
    "whos": "who is",
    "hows": "how is",
    "wheres": "where is",
    "theres": "there is",
    "thats": "that is",
    "its": "it is",
    "lets": "let us",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "have to",
    "lemme": "let me",
    "gimme": "give me",
    "dunno": "do not know",
    "idk": "i do not know",
    "ppl": "people",
    "peeps": "people",
    "rn": "right now",
    "irl": "in real life",
    "b4": "before",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "abt": "about",
    "tho": "though",
    "smth": "something",
    "sth": "something",
    "msg": "message",
    "msgs": "messages",
    "dm": "direct message",
    "dms": "direct messages",
    "pic": "picture",
    "pics": "pictures",
    "hrs": "hours",
    "hr": "hour",
    "mins": "minutes",
    "min": "minutes",
    "insta": "instagram",
    "ig": "instagram",
    "fb": "facebook",
    "tz": "time zone",
    "timezone": "time zone",
    "timezones": "time zones",
    "n": "and",
    "y": "why",
    "k": "okay",
    "ok": "okay",
    "asap": "soon",
}

def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Noises that carry no meaning anywhere in a chat message...
INTERJECTIONS = _set("""
um umm uh uhh er erm hmm hm lol lmao omg btw
""")
# ...and openers that carry none at the start of one ("ok so how do i...").
OPENERS = _set("""
hey hi hello yo so okay well wait oh ah anyway actually basically please just
""")

STOPWORDS = _set("""
please yeah yes a an the i me my mine myself we us our ours you your yours yourself it its is
are was were be been being am do does did doing done have has had having will would shall should
can could may might must to of in on at by for with from about as into than then so if or and
but not no nor this that these those there here what which who whom whose when where why how all
any both each some such only own same again once up down out off over under too very also even
ever still yet one thing things get got getting way lot lots much many more most other anything
something someone somebody anyone anybody kind sort bit okay
""")

_WORD = re.compile(r"[a-z0-9]+")
_STEMMER = snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    """Lower case, compatibility-normalised, with apostrophes dropped so "don't" reads as "dont"."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"['’`´]", "", text)


def tokens(text: str) -> list[str]:
    """The words as typed, folded: before slang is spelled out."""
    return _WORD.findall(fold(text))


def words(text: str) -> list[str]:
    """The question's words with slang spelled out and filler words dropped."""
    out: list[str] = []
    for token in tokens(text):
        for word in SLANG.get(token, token).split():
            if word not in INTERJECTIONS and (out or word not in OPENERS):
                out.append(word)
    return out


def clean(text: str) -> str:
    """A tidy one-line form of a question, for embedding and for grouping repeated misses."""
    return " ".join(words(text))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


# Named social networks. Lexical matching reads each as the plain word "platform": the FAQ is
# the same for every network, so naming one should not pull a question towards whichever
# topic happens to mention that network in an example.
NETWORKS = _set("""
facebook instagram tiktok twitter linkedin youtube snapchat pinterest reddit mastodon threads bluesky
whatsapp discord
""")


def terms(text_words: list[str]) -> list[str]:
    """Stemmed content words: what lexical matching compares."""
    return ["platform" if w in NETWORKS else stem(w)
            for w in text_words if w not in STOPWORDS and not w.isdigit()]
