"""Many threads writing through the service API into one file database."""

import threading

import pytest

import incident_kit as ik



@pytest.mark.slow
@pytest.mark.parametrize("strategy,THREADS,WRITES", [
    ("lock", 16, 200),   # the default strategy, at the size the store promises
    ("retry", 4, 50),    # the measured alternative still loses nothing (benchmarks compare speed)
])
def test_concurrent_writes_through_the_service_api_all_land(db_path, strategy, THREADS, WRITES):
    kit = ik.open(db_path, write_strategy=strategy, user="tester")
    ref = kit.declare("Shared incident").reference
    errors, barrier = [], threading.Barrier(THREADS)

    def worker(n: int) -> None:
        barrier.wait()
        for i in range(WRITES):
            try:
                if i % 2:
                    kit.declare(f"t{n}-{i}", declared_by=f"w{n}")
                else:
                    kit.post_update(ref, f"t{n}-{i}", by=f"w{n}")
            except Exception as exc:  # any error reaching a caller fails the test
                errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    frame = kit.incidents()
    titles = set(frame.title)
    expected_declared = {f"t{n}-{i}" for n in range(THREADS) for i in range(1, WRITES, 2)}
    assert expected_declared <= titles
    assert len(frame) == 1 + THREADS * WRITES // 2
    assert sorted(int(r[4:]) for r in frame.reference) == list(range(1, len(frame) + 1))  # no gaps, no dupes
    messages = {u.message for u in kit.updates(ref)}
    assert messages == {f"t{n}-{i}" for n in range(THREADS) for i in range(0, WRITES, 2)}
    # every write has its event
    assert sum(e.kind == "update_posted" for e in kit.events(ref)) == THREADS * WRITES // 2
    kit.close()
