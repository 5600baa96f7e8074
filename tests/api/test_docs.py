"""The interactive docs work offline: `/docs` loads only assets the service itself serves, pinned in the URL."""

from html.parser import HTMLParser

import pytest

from service.api.docs import SWAGGER_UI_VERSION


class AssetLinks(HTMLParser):
    """Every URL the page makes the browser fetch: script and image sources, stylesheet and icon links."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "img", "iframe") and values.get("src"):
            self.urls.append(str(values["src"]))
        if tag == "link" and values.get("href"):
            self.urls.append(str(values["href"]))


def asset_links(html: str) -> list[str]:
    parser = AssetLinks()
    parser.feed(html)
    return parser.urls


@pytest.mark.parametrize("page", ["/docs", "/docs/", "/docs/swagger"])
async def test_the_docs_page_loads_only_same_origin_assets_that_answer(app_client, page):
    app_client.headers.clear()
    response = await app_client.get(page)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    urls = asset_links(response.text)
    assert len(urls) >= 4, urls  # the Swagger UI bundle, its preset, its stylesheet, the icon
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), f"{url} is not served by the service"
        assert f"/{SWAGGER_UI_VERSION}/" in url, f"{url} does not pin the Swagger UI version"
        asset = await app_client.get(url)
        assert asset.status_code == 200, url
        expected = {"js": "javascript", "css": "text/css", "png": "image/png"}[url.rsplit(".", 1)[1]]
        assert expected in asset.headers["content-type"], (url, asset.headers["content-type"])
        assert "max-age" in asset.headers["cache-control"]
    assert "SwaggerUIBundle" in response.text and "cdn." not in response.text and "unpkg" not in response.text


async def test_the_bundled_swagger_ui_is_the_pinned_release(app_client):
    app_client.headers.clear()
    urls = asset_links((await app_client.get("/docs")).text)
    [bundle] = [url for url in urls if url.endswith("/swagger-ui-bundle.js")]
    script = (await app_client.get(bundle)).text
    assert "SwaggerUIBundle" in script and len(script) > 500_000
    assert SWAGGER_UI_VERSION.split(".")[0] == "5"  # 5.x renders OpenAPI 3.1, which the service publishes


async def test_the_docs_need_no_key_and_the_api_still_does(app_client):
    app_client.headers.clear()
    assert (await app_client.get("/docs/openapi.json")).status_code == 200
    assert (await app_client.get("/v1/articles")).status_code == 401
