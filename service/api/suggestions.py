"""Suggestions: the engine reads a text and answers annotation inputs (stateless), or stores its suggestions
on an article as machine annotations pending review."""

from __future__ import annotations

from functools import partial
from typing import Any

import msgspec
from litestar import Controller, Request, Response, post
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody

from service.api.auth import CurrentPrincipal
from service.api.http import CurrentSettings, Id, OffsetUnitParam, Pool, answer_response, as_rendered, problem_responses
from service.api.idempotency import IdempotencyKeyHeader, idempotency_key
from service.domain.offsets import OffsetUnit
from service.domain.suggestions import SUPPORTED_LANGUAGES, Engine, load_lexicon
from service.domain.suggestions.inputs import in_unit
from service.errors import InvalidInput
from service.operations import suggestions as suggestion_operations
from service.operations.idempotency import Answer
from service.wire import AnnotationBatch, SuggestionEngine, Suggestions, SuggestionsInput


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
        offset_unit: OffsetUnitParam = OffsetUnit.CODEPOINT,
    ) -> Suggestions:
        engine = suggestion_engines.engine_for(data.language, "/language")
        suggested = await suggestion_operations.suggest(engine, data.text)
        return Suggestions(
            items=in_unit(suggested.doc, suggested.inputs, offset_unit),
            engine=SuggestionEngine(name=engine.name, version=engine.version),
            truncated=suggested.truncated,
        )


_NOTHING_NEW = {200: ResponseSpec(data_container=AnnotationBatch, description="Nothing new to suggest: an empty list")}


class ArticleSuggestionsController(Controller):
    path = "/articles/{article_id:uuid}/suggestions"
    tags = ["suggestions"]

    @post(
        "/",
        operation_id="storeSuggestions",
        responses=problem_responses(404, 409) | _NOTHING_NEW,
        opt={"scope": "write"},
        status_code=201,
        summary="Store the engine's suggestions on the article's current text as machine annotations pending "
        "review; 201 with those added, 200 with none when there is nothing new",
    )
    async def store(
        self,
        request: Request[Any, Any, Any],
        article_id: Id,
        principal: CurrentPrincipal,
        pool: Pool,
        settings: CurrentSettings,
        suggestion_engines: Engines,
        offset_unit: OffsetUnitParam = OffsetUnit.CODEPOINT,
        idempotency_key_header: IdempotencyKeyHeader = None,
    ) -> Response[AnnotationBatch]:
        def present(documents: list[bytes]) -> Answer:
            body = msgspec.json.encode(AnnotationBatch(items=as_rendered(documents)))
            return Answer(body, 201 if documents else 200)

        answer = await suggestion_operations.store_suggestions(
            pool, principal.tenant_id, article_id, partial(suggestion_engines.engine_for, pointer="language"),
            unit=offset_unit,
            idempotency=await idempotency_key(request, idempotency_key_header, settings.idempotency_ttl_seconds),
            present=present,
        )  # fmt: skip
        return answer_response(answer)
