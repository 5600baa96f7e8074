"""Suggestions without storing anything: the engine reads a text and answers annotation inputs."""

from __future__ import annotations

import anyio.to_thread
from litestar import Controller, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.params import JSONBody

from service.api.http import OffsetUnitParam, problem_responses
from service.domain.spans import IndexedText
from service.domain.suggestions import SUPPORTED_LANGUAGES, Engine, load_lexicon
from service.domain.suggestions.inputs import as_inputs, in_unit
from service.errors import InvalidInput
from service.wire import MAX_BATCH, AnnotationInput, SuggestionEngine, Suggestions, SuggestionsInput


class SuggestionEngines:
    """One engine per supported language, each built once (its word lists read from the package) at start-up."""

    def __init__(self) -> None:
        self._engines = {language: Engine(load_lexicon(language)) for language in SUPPORTED_LANGUAGES}

    def engine_for(self, language: str, pointer: str) -> Engine:
        engine = self._engines.get(language.split("-")[0].lower())
        if engine is None:
            supported = ", ".join(SUPPORTED_LANGUAGES)
            raise InvalidInput(pointer, f"no suggestion rules for this language; supported: {supported}",
                               actual=language)  # fmt: skip
        return engine


def provide_engines(state: State) -> SuggestionEngines:
    engines: SuggestionEngines = state.suggestion_engines
    return engines


Engines = NamedDependency[SuggestionEngines]


async def suggest(engine: Engine, text: str) -> tuple[IndexedText, list[AnnotationInput], bool]:
    """(the indexed text, its suggestions as inputs in code points, whether they were cut at a batch's size),
    computed off the event loop: the engine is linear in the text but a 2 MiB text takes seconds."""

    def run() -> tuple[IndexedText, list[AnnotationInput], bool]:
        doc = IndexedText(text)
        found = engine.suggest(text, max_items=MAX_BATCH + 1)
        return doc, as_inputs(doc, found[:MAX_BATCH]), len(found) > MAX_BATCH

    return await anyio.to_thread.run_sync(run)


class SuggestionController(Controller):
    path = "/suggestions"
    tags = ["suggestions"]

    @post(
        "/",
        operation_id="suggestAnnotations",
        responses=problem_responses(413),
        status_code=200,
        summary="Propose the claims, attributions, denials and figures of a text; nothing is stored",
    )
    async def suggest(
        self,
        data: JSONBody[SuggestionsInput],
        suggestion_engines: Engines,
        offset_unit: OffsetUnitParam = "codepoint",
    ) -> Suggestions:
        engine = suggestion_engines.engine_for(data.language, "/language")
        doc, inputs, truncated = await suggest(engine, data.text)
        return Suggestions(
            items=in_unit(doc, inputs, offset_unit),
            engine=SuggestionEngine(name=engine.name, version=engine.version),
            truncated=truncated,
        )
