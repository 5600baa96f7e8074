"""Prometheus metrics of the change feed and webhook delivery, served on /metrics with the request metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_WRITTEN = Counter(
    "factmark_events_written",
    "Events recorded by writes (counted as recorded: a write rolled back afterwards still counts)",
    ["type"],
)
DELIVERY_ATTEMPTS = Counter(
    "factmark_webhook_attempts",
    "Webhook delivery attempts by outcome: delivered, retry (failed, another attempt follows), failed (given up), "
    "disabled (the endpoint was disabled), superseded (the lease ran out before the answer)",
    ["outcome"],
)
DELIVERY_LAG = Histogram(
    "factmark_webhook_delivery_lag_seconds",
    "From the event's transaction to its successful delivery",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 3600, 6 * 3600, 86400),
)
QUEUE_DEPTH = Gauge("factmark_webhook_queue_depth", "Webhook deliveries pending (due now or retrying later)")
