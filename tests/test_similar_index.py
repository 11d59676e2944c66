"""The BM25 index: comparing a few incidents with each other gives the numbers scoring everyone gives."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from incident_kit.similar import index

DFDS = Path(__file__).resolve().parent / "fixtures" / "postmortems-dfds"


def test_scores_among_a_few_incidents_are_the_full_scores_to_the_last_bit(kit):
    kit.import_files("postmortems", [p for p in sorted(DFDS.glob("PM2*.md")) if "PM2020-003" not in p.name])
    kit.declare("Kafka consumer lag after the broker upgrade", declared_by="ana", tags=["kafka"])
    kit.declare("the of and", declared_by="ana")  # only stopwords: a question with no words scores nothing
    idx = kit.db.read(lambda tx: index.current(kit.db, tx, kit.db.data_version(), wait=True))
    everyone = list(range(idx.size))
    rng = np.random.default_rng(3)
    for queries, among in ((everyone, everyone),
                           (sorted(rng.choice(idx.size, 7, replace=False).tolist()), everyone[::3]),
                           ([idx.size - 1], everyone)):
        full = np.array([idx.scores(idx.query_text(p))[among] for p in queries])
        assert np.array_equal(idx.scores_among(queries, among), full)
    assert (idx.scores_among(everyone, everyone) > 0).sum() > idx.size  # the data makes real matches
    assert not idx.scores_among([idx.size - 1], everyone).any()
