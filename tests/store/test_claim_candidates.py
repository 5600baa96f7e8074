"""Which words a claim's match candidates are asked for: the distinctive ones, rarest first."""

from service.store.claims import COMMON_SHARE, CompiledQuery, distinctive


def test_common_words_are_dropped_but_the_two_rarest_words_stay():
    compiled = CompiledQuery(
        words=[None, "'said'", "'kursk'", "'troop'", "'report'"],
        frequencies=[0.0, 0.4, 0.001, 0.01, 0.3],
        values=[12000.0, None, None, None, None],
        required=None,
        excluded=None,
    )
    kept = distinctive(compiled)
    assert kept.words == [None, "'kursk'", "'troop'"] and kept.values == [12000.0, None, None]
    only_common = CompiledQuery(
        words=["'said'", "'report'", "'today'"], frequencies=[0.4, 0.3, 0.5], values=[None] * 3,
        required=None, excluded=None,
    )  # fmt: skip
    assert distinctive(only_common).words == ["'report'", "'said'"]
    assert all(f > COMMON_SHARE for f in only_common.frequencies)
