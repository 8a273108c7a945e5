"""server/invalidation.py's cache rules, without a server: what is stored, what is dropped."""

from __future__ import annotations

from server.invalidation import Cache, Invalidation


def a_cache(max_entries: int = 10, enabled: bool = True) -> tuple[Invalidation, Cache]:
    invalidation = Invalidation()
    invalidation.enabled = enabled
    cache: Cache[str, tuple[str, str]] = Cache(
        invalidation, max_entries, 300.0, lambda value: (f"user:{value[0]}",)
    )
    return invalidation, cache


def test_a_read_that_raced_an_invalidation_is_not_stored():
    invalidation, cache = a_cache()
    version = cache.version  # the request notes the version, then reads the database...
    invalidation.forget("user:u1")  # ...while a change to that user commits
    cache.put("token", ("u1", "old roles"), version)
    assert cache.get("token") is None


def test_an_invalidation_drops_every_entry_it_names_and_only_those():
    invalidation, cache = a_cache()
    cache.put("t1", ("u1", "a"), cache.version)
    cache.put("t2", ("u1", "b"), cache.version)
    cache.put("t3", ("u2", "c"), cache.version)
    invalidation.forget("user:u1")
    assert cache.get("t1") is None and cache.get("t2") is None
    assert cache.get("t3") == ("u2", "c")


def test_nothing_is_served_or_stored_while_invalidation_is_down():
    invalidation, cache = a_cache()
    cache.put("t1", ("u1", "a"), cache.version)
    invalidation._disable()
    assert cache.get("t1") is None
    cache.put("t2", ("u2", "b"), cache.version)
    invalidation.enabled = True
    assert cache.get("t1") is None and cache.get("t2") is None  # emptied when it went down


def test_the_cache_keeps_at_most_its_size_dropping_the_oldest():
    _, cache = a_cache(max_entries=2)
    for n in range(3):
        cache.put(f"t{n}", (f"u{n}", ""), cache.version)
    assert len(cache) == 2
    assert cache.get("t0") is None and cache.get("t2") is not None


def test_a_size_of_zero_turns_the_cache_off():
    _, cache = a_cache(max_entries=0)
    cache.put("t1", ("u1", ""), cache.version)
    assert cache.get("t1") is None


def test_a_weighed_cache_keeps_its_byte_budget_and_never_stores_an_oversized_entry():
    invalidation = Invalidation()
    invalidation.enabled = True
    cache: Cache[str, bytes] = Cache(
        invalidation, 100, 300.0, lambda body: (f"job:{body[:2].decode()}",), len, 10
    )
    cache.put("a", b"j1xx", cache.version)  # 4 bytes
    cache.put("b", b"j2xxxx", cache.version)  # 6: the budget is full
    assert cache.weight == 10
    cache.put("c", b"j3x", cache.version)  # 3 more: the oldest goes
    assert cache.get("a") is None and cache.get("b") is not None and cache.get("c") is not None
    assert cache.weight == 9
    cache.put("d", b"j4" + b"x" * 20, cache.version)  # over the whole budget
    assert cache.get("d") is None and cache.weight == 9
    invalidation.forget("job:j2")
    assert cache.weight == 3
    invalidation._on_notify(None, 0, "rizeos_invalidate", "all")
    assert len(cache) == 0 and cache.weight == 0


def test_another_instance_s_ping_drops_nothing():
    invalidation = Invalidation()
    invalidation.enabled = True
    cache: Cache[str, bytes] = Cache(invalidation, 10, 300.0, lambda body: ("all",))
    cache.put("a", b"x", cache.version)
    invalidation._on_notify(None, 0, "rizeos_invalidate", "ping:0123abcd")
    assert cache.get("a") == b"x"
