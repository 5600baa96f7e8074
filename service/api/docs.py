"""The interactive API docs at `/docs`: Swagger UI, its assets served by the service itself from the pinned
`swagger-ui-bundle-v2` wheel, so the page works offline and never runs a script a CDN chose."""

from __future__ import annotations

from litestar import Router
from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path

SWAGGER_UI_VERSION = swagger_ui_path.name.removeprefix("swagger-ui-")
# The version is in the path, so a browser may keep the files for good.
ASSETS = f"/docs/assets/swagger-ui/{SWAGGER_UI_VERSION}"


def docs_render_plugins() -> list[SwaggerRenderPlugin]:
    return [
        SwaggerRenderPlugin(
            path=["/", "/swagger"],
            js_url=f"{ASSETS}/swagger-ui-bundle.js",
            css_url=f"{ASSETS}/swagger-ui.css",
            standalone_preset_js_url=f"{ASSETS}/swagger-ui-standalone-preset.js",
            favicon=f"<link rel='icon' type='image/png' href='{ASSETS}/favicon-32x32.png'>",
        )
    ]


def docs_assets() -> Router:
    return create_static_files_router(
        path=ASSETS,
        directories=[swagger_ui_path],
        name="docs-assets",
        cache_control=CacheControlHeader(max_age=365 * 24 * 3600, public=True),
        include_in_schema=False,
    )
