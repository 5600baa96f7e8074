"""Per-process caches of verified API keys and of rendered read responses, kept exact by the change
notifications of every replica's writes (service/store/notifications.py), with their counters for /metrics.

Both are least-recently-used and bounded: keys by count, pages by bytes. Every invalidation also bumps an
`epoch`; a fill started before it (a read racing a write) is discarded instead of stored, so a page or key
read before a commit can never outlive the notification of that commit."""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from service.store.keys import StoredKey


@dataclass
class Counts:
    hits: int = 0
    misses: int = 0
    evictions: int = 0
    invalidations: int = 0


class KeyCache:
    """Verified keys by key id. While notifications arrive (`live`) an entry holds until a change to its key or
    tenant is announced (at most `max_age_s`); otherwise for `ttl_s` only, so a revocation is still honoured
    within `ttl_s` when the listener is down. Unknown keys are never cached (a flood of made-up ids would
    evict real ones); they cost one query as before."""

    def __init__(self, ttl_s: float, max_entries: int = 10_000, max_age_s: float = 300.0) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.max_age_s = max_age_s
        self.live = False
        self.epoch = 0
        self.counts = Counts()
        self._entries: OrderedDict[str, tuple[StoredKey, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key_id: str) -> bool:
        return key_id in self._entries

    def peek(self, key_id: str) -> StoredKey | None:
        """The entry held, however old, without counting or refreshing it."""
        found = self._entries.get(key_id)
        return None if found is None else found[0]

    def get(self, key_id: str) -> StoredKey | None:
        found = self._entries.get(key_id)
        if found is not None:
            stored, fetched = found
            if time.monotonic() - fetched <= (self.max_age_s if self.live else self.ttl_s):
                self._entries.move_to_end(key_id)
                self.counts.hits += 1
                return stored
            del self._entries[key_id]
        self.counts.misses += 1
        return None

    def put(self, stored: StoredKey, epoch: int) -> None:
        """Keep `stored`, read after `epoch` was current, unless a change was announced since."""
        if epoch != self.epoch or (self.ttl_s <= 0 and not self.live):
            return
        self._entries[stored.key_id] = (stored, time.monotonic())
        self._entries.move_to_end(stored.key_id)
        while len(self._entries) > self.max_entries:  # at most one eviction per put
            self._entries.popitem(last=False)
            self.counts.evictions += 1

    def drop_key(self, key_id: str) -> None:
        self.epoch += 1
        if self._entries.pop(key_id, None) is not None:
            self.counts.invalidations += 1

    def drop_tenant(self, tenant_id: uuid.UUID) -> None:
        """O(entries): tenants change rarely (their organisation name)."""
        self.epoch += 1
        for key_id in [k for k, (stored, _) in self._entries.items() if stored.tenant_id == tenant_id]:
            del self._entries[key_id]
            self.counts.invalidations += 1

    def clear(self) -> None:
        self.epoch += 1
        self.counts.invalidations += len(self._entries)
        self._entries.clear()


PageKey = tuple[object, ...]
Owner = tuple[uuid.UUID, uuid.UUID]  # (tenant, article)


@dataclass(frozen=True, slots=True)
class CachedPage:
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes | None
    size: int = field(default=0)


class PageCache:
    """Complete 200 responses of cacheable reads, by request (tenant, path, query, representation asked for),
    each filed under the article it renders so that one announced change drops all of that article's pages.
    Serves only while notifications arrive: without them it could not know when a page went stale."""

    ENTRY_OVERHEAD = 512
    """Bytes counted per entry besides its body and headers (key, dict slots, index)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.live = False
        self.epoch = 0
        self.bytes = 0
        self.counts = Counts()
        self._entries: OrderedDict[PageKey, tuple[Owner, CachedPage]] = OrderedDict()
        self._by_owner: dict[Owner, set[PageKey]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: PageKey) -> bool:
        return key in self._entries

    @property
    def serving(self) -> bool:
        return self.live and self.max_bytes > 0

    def get(self, key: PageKey) -> CachedPage | None:
        found = self._entries.get(key)
        if found is None:
            self.counts.misses += 1
            return None
        self._entries.move_to_end(key)
        self.counts.hits += 1
        return found[1]

    def missed(self) -> None:
        """Count a read that did not ask (nothing held for it, or nothing trusted yet)."""
        self.counts.misses += 1

    def put(self, key: PageKey, owner: Owner, headers: list[tuple[bytes, bytes]], body: bytes, epoch: int) -> None:
        """Keep a response rendered after `epoch` was current, unless a change was announced since. A page larger
        than an eighth of the budget is not kept (one huge article must not flush every other)."""
        size = len(body) + sum(len(n) + len(v) for n, v in headers) + self.ENTRY_OVERHEAD
        if epoch != self.epoch or not self.serving or size > self.max_bytes // 8:
            return
        self._remove(key)
        tag = next((value for name, value in headers if name == b"etag"), None)
        self._entries[key] = (owner, CachedPage(headers, body, tag, size))
        self._by_owner.setdefault(owner, set()).add(key)
        self.bytes += size
        while self.bytes > self.max_bytes:  # evicts least recently used; each entry at most once
            oldest = next(iter(self._entries))
            self._remove(oldest)
            self.counts.evictions += 1

    def drop_article(self, owner: Owner) -> None:
        self.epoch += 1
        for key in self._by_owner.pop(owner, set()):
            self._remove(key)
            self.counts.invalidations += 1

    def drop_tenant(self, tenant_id: uuid.UUID) -> None:
        """O(articles cached): tenants change rarely."""
        self.epoch += 1
        for owner in [o for o in self._by_owner if o[0] == tenant_id]:
            self.drop_article(owner)

    def clear(self) -> None:
        self.epoch += 1
        self.counts.invalidations += len(self._entries)
        self._entries.clear()
        self._by_owner.clear()
        self.bytes = 0

    def _remove(self, key: PageKey) -> None:
        found = self._entries.pop(key, None)
        if found is None:
            return
        owner, page = found
        self.bytes -= page.size
        keys = self._by_owner.get(owner)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._by_owner[owner]


class Caches:
    """The caches of one process, and the subscriber that applies change notifications to them."""

    def __init__(self, keys: KeyCache, pages: PageCache) -> None:
        self.keys = keys
        self.pages = pages

    def changed(self, payload: str) -> None:
        kind, _, rest = payload.partition(":")
        try:
            if kind == "key":
                self.keys.drop_key(rest)
            elif kind == "tenant":
                tenant = uuid.UUID(rest)
                self.keys.drop_tenant(tenant)
                self.pages.drop_tenant(tenant)
            elif kind == "article":
                tenant_text, _, article_text = rest.partition(":")
                self.pages.drop_article((uuid.UUID(tenant_text), uuid.UUID(article_text)))
            else:
                self.clear()
        except ValueError:  # a payload this version does not understand: safe, not sorry
            self.clear()

    def listening(self, live: bool) -> None:
        # Either way something may have been missed: start over.
        self.keys.live = self.pages.live = live
        self.clear()

    def clear(self) -> None:
        self.keys.clear()
        self.pages.clear()


class CacheCollector(Collector):
    """The caches' counters in the Prometheus registry /metrics reads."""

    def __init__(self, caches: Caches) -> None:
        self._caches = caches

    def describe(self) -> list[object]:
        return []  # several apps in one process (tests) share the registry: no name reservation

    def collect(self) -> Iterator[CounterMetricFamily | GaugeMetricFamily]:
        caches = (("keys", self._caches.keys), ("pages", self._caches.pages))
        for name, help_text in (
            ("hits", "Reads answered from the cache"),
            ("misses", "Reads the cache could not answer"),
            ("evictions", "Entries evicted to stay within the bound"),
            ("invalidations", "Entries dropped because a change was announced"),
        ):
            family = CounterMetricFamily(f"factmark_cache_{name}", help_text, labels=["cache"])
            for label, cache in caches:
                family.add_metric([label], getattr(cache.counts, name))
            yield family
        entries = GaugeMetricFamily("factmark_cache_entries", "Entries held", labels=["cache"])
        for label, cache in caches:
            entries.add_metric([label], len(cache))
        yield entries
        pages = self._caches.pages
        yield GaugeMetricFamily("factmark_cache_page_bytes", "Bytes held by the page cache", value=pages.bytes)
        yield GaugeMetricFamily(
            "factmark_cache_listening", "1 while change notifications arrive", value=int(self._caches.pages.live)
        )
