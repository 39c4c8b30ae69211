"""coachbot: a chat coach that teaches newcomers social engagement, one lesson a day."""

__version__ = "0.1.0"
