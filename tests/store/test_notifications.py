"""The LISTEN connection: what the triggers announce arrives, a dropped connection is noticed and replaced, and
the subscriber hears when notifications may have been missed."""

from __future__ import annotations

import asyncio

import asyncpg

from service.store.notifications import ChangeListener


class Heard:
    def __init__(self) -> None:
        self.payloads: list[str] = []
        self.states: list[bool] = []
        self.changed_state = asyncio.Event()

    def changed(self, payload: str) -> None:
        self.payloads.append(payload)

    def listening(self, live: bool) -> None:
        self.states.append(live)
        self.changed_state.set()

    async def state(self, live: bool) -> None:
        while not self.states or self.states[-1] != live:
            self.changed_state.clear()
            await asyncio.wait_for(self.changed_state.wait(), 10)


async def test_writes_are_announced_and_a_dropped_listener_comes_back(db: asyncpg.Connection, migrated: str) -> None:
    listening = "SELECT pid FROM pg_stat_activity WHERE application_name = 'factmark-listen'"
    others = {row["pid"] for row in await db.fetch(listening)}  # the listeners of apps other tests run
    heard = Heard()
    listener = ChangeListener(migrated, heard, retry_s=0.1)
    task = asyncio.create_task(listener.run())
    try:
        await heard.state(True)
        (mine,) = {row["pid"] for row in await db.fetch(listening)} - others
        tenant = await db.fetchval("INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), 'Notified') RETURNING id")
        await db.execute("UPDATE tenants SET organization_name = 'Notified Desk' WHERE id = $1", tenant)
        assert await listener.caught_up()
        assert f"tenant:{tenant}" in heard.payloads

        await db.execute("SELECT pg_terminate_backend($1)", mine)
        await heard.state(False)  # the caches drop what they hold: changes may be missed from here
        await heard.state(True)  # and it is back
        await db.execute("UPDATE tenants SET organization_name = 'Renamed Desk' WHERE id = $1", tenant)
        assert await listener.caught_up()
        assert heard.payloads.count(f"tenant:{tenant}") == 2
    finally:
        task.cancel()


async def test_without_a_connection_nothing_claims_to_be_caught_up() -> None:
    heard = Heard()
    listener = ChangeListener("postgresql://postgres@127.0.0.1:9/none", heard, retry_s=0.1)
    task = asyncio.create_task(listener.run())
    try:
        await asyncio.sleep(0.3)
        assert not await listener.caught_up()
        assert heard.states == []  # never live, so never announced as such
    finally:
        task.cancel()
