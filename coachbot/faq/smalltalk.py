"""Greetings, thanks, laughter, compliments and "who are you": a short friendly reply, not a FAQ lookup."""

from __future__ import annotations

import re

from coachbot.faq.text import SLANG, fold

GREETING = "Hi! Ask me anything about the lessons or social media, or type help to see what I can do."
THANKS = "You're welcome. Ask me anything else whenever you like."
GOODBYE = "Bye for now. I'm here whenever you want to pick things up again."
IDENTITY = ("I'm your coach for social engagement: one short lesson a day, with a small thing to try. "
            "Ask me a question in your own words, or type help to see what I can do.")
WELLBEING = "I'm doing well, thanks for asking. How can I help you today?"
ACKNOWLEDGED = "Great. I'm here whenever you have a question."
AMUSED = "Glad you're having fun! Ask me anything about the lessons or social media whenever you like."
COMPLIMENT = ("Thank you, that's kind of you! Ask me anything whenever you like, or type help to see "
              "what I can do.")

# Whole messages (after tidying: lower case, no punctuation, slang spelled out) and the reply.
_PHRASES: dict[str, tuple[str, ...]] = {
    GREETING: ("hi", "hey", "hello", "hiya", "yo", "howdy", "good morning", "good afternoon",
               "good evening", "morning", "hi there", "hey there", "hello there", "greetings",
               "hey coach", "hi coach", "hello coach", "hi bot", "hello bot", "hey bot", "sup",
               "whats up", "what is up"),
    THANKS: ("thanks", "thank you", "thank you so much", "thanks a lot", "many thanks", "cheers",
             "thx", "ty", "thanks coach", "thank you coach", "much appreciated", "appreciate it",
             "that helps", "that helped", "great thanks", "ok thanks", "okay thanks", "okay thank you"),
    GOODBYE: ("bye", "goodbye", "bye bye", "see you", "see ya", "see you later", "good night",
              "night", "later", "talk later", "cya"),
    IDENTITY: ("who are you", "what are you", "what is your name", "whats your name", "are you a bot",
               "are you human", "are you a person", "are you real", "are you a robot",
               "are you an ai", "who am i talking to", "who is this", "introduce yourself"),
    WELLBEING: ("how are you", "how are you doing", "how is it going", "how are things",
                "you okay", "are you okay"),
    ACKNOWLEDGED: ("okay", "ok", "k", "cool", "nice", "great", "got it", "alright", "all right",
                   "sounds good", "perfect", "awesome", "good", "okay cool", "cool thanks", "ok cool",
                   "nice one", "fair enough", "makes sense", "i see", "oh okay", "okay then", "yep", "sure"),
    COMPLIMENT: ("you are cool", "your cool", "you are awesome", "your awesome", "you are great",
                 "your great", "you are the best", "your the best", "you are nice", "you are funny",
                 "you are smart", "you are helpful", "you are a good bot", "good bot", "nice bot",
                 "cool bot", "i like you", "love you", "i love you", "you rock", "love this bot",
                 "i like this bot", "this is cool", "this is great", "this is awesome"),
}
# A whole message of laughter gets a light reply; laughter around small talk is ignored.
LAUGHTER = frozenset({"lol", "lool", "lolol", "haha", "hahaha", "hehe", "lmao", "lmfao", "rofl", "xd",
                      "heh", "ha", "hah"})
# "ur kinda cool": softeners do not change what small talk means.
SOFTENERS = frozenset({"kinda", "kind", "of", "so", "really", "very", "pretty", "quite", "actually",
                       "totally", "just", "sooo", "soo", "such"})

OPENERS = frozenset({"hi", "hey", "hello", "oh", "well", "so", "okay", "yo"})


def _tidy(text: str) -> str:
    return " ".join(SLANG.get(w, w) for w in re.findall(r"[a-z0-9]+", fold(text)))


_REPLIES = {_tidy(phrase): reply for reply, phrases in _PHRASES.items() for phrase in phrases}


def small_talk(text: str) -> str | None:
    """A short reply when the whole message is small talk; None when it is a real question."""
    if text.strip() and not any(ch.isalnum() for ch in text):
        # Only emoji or punctuation ("👍", ":)", "??"): nothing to look up, but it deserves an answer.
        return GREETING if "?" in text else ACKNOWLEDGED
    typed = _tidy(text).split()
    if not typed:
        return None
    laughter = [w for w in typed if w not in LAUGHTER]
    if not laughter:
        return AMUSED
    tidy = " ".join(laughter)
    reply = _REPLIES.get(tidy) or _REPLIES.get(" ".join(w for w in laughter if w not in SOFTENERS))
    if reply is not None:
        return reply
    first, _, rest = tidy.partition(" ")
    # "hey, who are you?" is the question after the greeting
    return _REPLIES.get(rest) if first in OPENERS and rest else None
