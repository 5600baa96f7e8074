"""Suggestions: a rule engine that proposes the claims, attributions, denials and figures of a story."""

from service.domain.suggestions.engine import ENGINE_NAME, ENGINE_VERSION, Engine, Suggestion
from service.domain.suggestions.lexicon import SUPPORTED_LANGUAGES, UnsupportedLanguage, load_lexicon

__all__ = [
    "ENGINE_NAME",
    "ENGINE_VERSION",
    "SUPPORTED_LANGUAGES",
    "Engine",
    "Suggestion",
    "UnsupportedLanguage",
    "load_lexicon",
]
