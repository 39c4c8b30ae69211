"""What the coach says of its own: every coaching message, in the content with defaults.

`content/coaching.yaml` may set any of these; whatever it leaves out keeps the default here,
so a curriculum without the file still coaches. Placeholders in braces (`{title}`) are filled
in by the coach; `content check` refuses a placeholder a message does not know.
"""

from __future__ import annotations

from string import Formatter

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def known_placeholders(text: str, names: set[str]) -> str:
    """Refuse a `{name}` the coach does not fill in for that message (a typo would show raw)."""
    used = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
    if used - names:
        wanted = ", ".join(f"{{{name}}}" for name in sorted(names)) or "none"
        raise ValueError(f"unknown placeholder {{{sorted(used - names)[0]}}} (this message may use: "
                         f"{wanted})")
    return text


class Audience(_Section):
    """Who a learner can say they are here for; tracks name these ids in `audiences`."""

    id: str = Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", max_length=30)
    label: str = Field(min_length=1, max_length=40)


DEFAULT_AUDIENCES = [
    Audience(id="personal", label="A personal account"),
    Audience(id="community", label="A community or club"),
    Audience(id="business", label="A small business"),
    Audience(id="team", label="A team at work"),
]


class Waits(_Section):
    """Lessons that wait for the learner: the still-waiting note, the pause after silence,
    `next` with a lesson open, lessons set aside, and the end of a track with some still open."""

    still_waiting: str = ("Your lesson \"{title}\" is still waiting for you; no new one until "
                          "you've had a look. Tap below to open it.")
    open_button: str = "Open the lesson"
    days_before_pause: int = Field(default=3, ge=1, le=14)
    paused_by_silence: str = ("I've paused your lessons so they don't pile up. Type resume "
                              "whenever you're ready.")
    paused: str = "Paused. No lessons until you type resume. Your progress and your streak are kept."
    resumed: str = ("Welcome back. You'll continue with your next lesson, {when}. Type next to "
                    "take it now.")
    resumed_waiting: str = ("Welcome back. Your lesson \"{title}\" is waiting for you; tap below "
                            "to open it.")
    next_question: str = ("Your lesson \"{title}\" is still open. Mark it done first, or set it "
                          "aside for later?")
    done_button: str = "Mark it done"
    aside_button: str = "Set it aside"
    set_aside: str = ("Set aside: \"{title}\". Type progress to find it, and lesson {id} to take it "
                      "whenever you like.")
    not_open: str = "That lesson isn't open any more. Type next for a new one."
    set_aside_lines: str = "Set aside for later: {lessons}. Type lesson <id> to take one."
    track_open: str = ("That was the last new lesson of {track}, but it isn't finished yet: "
                       "{count} of its {total} lessons still open. Take them whenever you like:")
    open_lesson_button: str = "Open \"{title}\""
    track_open_next: str = "Or move on: type track {id} for {title}."


class FollowUps(_Section):
    """The follow-up on a lesson's "try this", and the defaults for its three answers."""

    question: str = "Yesterday's try-this: {action}. How did it go?"
    # The same when the lesson was done before yesterday (the learner was away a while).
    question_later: str = "Last time's try-this: {action}. How did it go?"
    response_button: str = "Tried it, got a response"
    nothing_button: str = "Tried it, nothing yet"
    not_yet_button: str = "Didn't get to it"
    response: str = "That's the whole idea: you showed up and someone answered. Keep that going."
    nothing: str = ("Trying counts. Responses take time; a small thing done again tends to be "
                    "noticed.")
    not_yet: str = "No problem. It will still work another day; pick a moment that's easy."
    noted: str = "Thanks for telling me. I've kept that with your plan; type plan to see it."
    already: str = "You've already told me how that one went; it's noted."
    expired: str = "That follow-up is no longer open. Type plan to see what you've noted so far."
    # After the answer, when the day's lesson still waits for its check-in.
    checkin_open: str = "Today's check-in is still open: reply with your answer whenever you like."

    @field_validator("question", "question_later")
    @classmethod
    def _placeholders(cls, text: str) -> str:
        return known_placeholders(text, {"action"})

    def button(self, outcome: str) -> str:
        """The label of an outcome's button ("response", "nothing" or "not-yet")."""
        return str(getattr(self, f"{outcome.replace('-', '_')}_button"))

    def reply(self, outcome: str) -> str:
        return str(getattr(self, outcome.replace("-", "_")))


def placeholders(text: str) -> set[str]:
    """The `{name}` placeholders a message uses."""
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


class Reviews(_Section):
    """A check-in coming back for review: when, what it says, and how `progress` counts it."""

    # Days until the first review (index 0), and after each review answered well (by how many
    # were answered well so far); learnt (not asked again) after `learnt_after` right in a row.
    intervals: list[int] = Field(default_factory=lambda: [2, 7, 21], min_length=2, max_length=6)
    after_wrong_days: int = Field(default=1, ge=1, le=7)
    learnt_after: int = Field(default=2, ge=1, le=5)
    intro: str = "A quick look back at \"{title}\":"
    how_to_answer: str = "Reply with the number of your answer."
    right: str = "You picked: {choice}\nGood call. {explanation}"
    wrong: str = ("You picked: {choice}\nNot quite. {explanation}\n"
                  "The best move: {best} {best_explanation}")
    again_in: str = "This one comes back in {days} days."
    again_tomorrow: str = "This one comes back tomorrow for another look."
    learnt: str = "Right again: this one is learnt, it won't come back."
    already: str = "You've already answered this review. Type progress to see how your reviews go."
    closed: str = "That review is closed. It will come back another day."
    checkin_open: str = "Your check-in for \"{title}\" is still open whenever you're ready."
    progress: str = "Reviews: {done} done, {share}% answered well"
    # The mentor's report: "Reviews: done 12; answered well 75%".
    report_title: str = "Reviews"
    report_done: str = "done"
    report_right: str = "answered well"

    @field_validator("intervals")
    @classmethod
    def _days(cls, days: list[int]) -> list[int]:
        if not all(1 <= day <= 365 for day in days):
            raise ValueError("each interval is a number of days from 1 to 365")
        return days

    @model_validator(mode="after")
    def _known_placeholders(self) -> Reviews:
        for name, known in REVIEW_PLACEHOLDERS.items():
            unknown = placeholders(getattr(self, name)) - known
            if unknown:
                raise ValueError(f"{name}: unknown placeholder {{{sorted(unknown)[0]}}}; "
                                 f"it may use {', '.join(sorted(known)) or 'none'}")
        return self


REVIEW_PLACEHOLDERS: dict[str, set[str]] = {
    "intro": {"title"}, "how_to_answer": set(), "right": {"choice", "explanation"},
    "wrong": {"choice", "explanation", "best", "best_explanation"}, "again_in": {"days"},
    "again_tomorrow": set(), "learnt": set(), "already": set(), "closed": set(),
    "checkin_open": {"title"}, "progress": {"done", "share"}, "report_title": set(),
    "report_done": set(), "report_right": set(),
}


class Path(_Section):
    """The personal path: the onboarding question and what `path` shows."""

    question: str = "What brings you here?"
    audiences: list[Audience] = Field(default_factory=lambda: list(DEFAULT_AUDIENCES), min_length=1)
    question_hint: str = "Reply with a number, or ok for 1. {label}."
    unknown: str = "I don't have '{value}' as an answer. Pick one of these: {ids}."
    chosen: str = "Noted: {label}. Your path puts these tracks first."
    others: str = "Other tracks, if you'd like to look further:"
    heading: str = "Your path ({label}):"
    done_mark: str = "done"
    current_mark: str = "you are here"
    next_mark: str = "next"
    how_to_switch: str = ("Type track <id> to take any track, on the path or not, and path "
                          "<{ids}> to change what brings you here.")
    no_purpose: str = ("You haven't told me what brings you here, so every track is on your "
                       "path. Type path followed by one of {ids}, or tap below.")
    changed: str = "Your path is now for {label}."

    def audience(self, audience_id: str | None) -> Audience | None:
        return next((a for a in self.audiences if a.id == audience_id), None)

    @property
    def ids(self) -> list[str]:
        return [a.id for a in self.audiences]


class ConfidenceTexts(_Section):
    """The confidence question at the start and at the end of each track."""

    question: str = "How confident do you feel about {teaches}? 1 is not at all, 5 is very."
    thanks: str = "Thanks: {score} of 5, noted."
    thanks_start: str = "Thanks: {score} of 5, noted. I'll ask again at the end of the track."
    thanks_end: str = "Thanks: {score} of 5, noted (it was {start} of 5 when you began)."
    already: str = "You've already told me that one: {score} of 5."
    pick: str = "Pick a number from 1 (not at all) to 5 (very)."
    checkin_open: str = "Your check-in on \"{title}\" is still open: reply to it whenever you like."
    progress_line: str = "Confidence in {teaches}: {start} → {end}"
    report_title: str = "Confidence lift"
    report_start: str = "mean at the start of a track"
    report_end: str = "mean at its end"
    report_count: str = "members who answered both"
    report_none: str = "not enough answers yet"


PLAN_PLACEHOLDERS = {"track": {"track"}, "answer": {"lesson", "answer"},
                     "followup": {"action", "outcome"}}


class Plan(_Section):
    """The learner's own plan: `plan`, the end of the path, and the nudge a while later."""

    heading: str = "Your plan:"
    track: str = "{track}"
    answer: str = "- {lesson}: {answer}"
    followup: str = "- {action}: {outcome}"
    empty: str = ("Your plan fills up as you go: your answers to the open check-ins, and what "
                  "you tell me when I ask how a try-this went. Type plan again after a few lessons.")
    path_done: str = ("That's the end of your path. Well done. Here is what you worked out along "
                      "the way, as one note to keep:")
    nudge_after_days: int = Field(default=30, ge=1, le=365)
    nudge: str = ("It's been a while since you finished your path. How is your plan going? "
                  "Have a look at it again, and pick one thing to keep doing this week.")
    nudge_button: str = "Show my plan"

    @field_validator("heading", "track", "answer", "followup", "empty", "path_done", "nudge")
    @classmethod
    def _placeholders(cls, text: str, info: ValidationInfo) -> str:
        return known_placeholders(text, PLAN_PLACEHOLDERS.get(info.field_name or "", set()))


class Coaching(_Section):
    waits: Waits = Waits()
    followups: FollowUps = FollowUps()
    reviews: Reviews = Reviews()
    path: Path = Path()
    confidence: ConfidenceTexts = ConfidenceTexts()
    plan: Plan = Plan()
