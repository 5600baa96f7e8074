from tests.fixtures import riga_article


async def test_create_and_read(client):
    r = await client.post("/v1/articles", json=riga_article())
    print(r.status_code, r.headers, r.text[:3000])
    assert r.status_code == 201
