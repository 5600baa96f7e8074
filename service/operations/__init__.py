"""Every write of the service, one module per operation family (articles, annotations, text revisions). Each
operation owns its transaction, the order in which it locks rows (an article before its annotations), If-Match,
idempotency, and (with the change feed) the events it records; controllers parse, authorise, call one of them and
shape the response. See docs/architecture.md."""
