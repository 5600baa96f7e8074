"""Everything that talks SQL: one module per aggregate, plus the pool and migrations."""
