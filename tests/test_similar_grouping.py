"""Recurring groups do not chain, stay under a share of the incidents, and are named in plain words."""

from __future__ import annotations

import collections
import re

import numpy as np
import pytest
from scipy.sparse.csgraph import connected_components

from incident_kit.demo import TITLES
from incident_kit.similar import grouping
from incident_kit.similar.service import RECUR_SHARE


def _matrix(n: int, pairs: dict[tuple[int, int], float]) -> np.ndarray:
    m = np.eye(n)
    for (a, b), s in pairs.items():
        m[a, b] = m[b, a] = s
    return m


def _together(labels, *rows) -> bool:
    return labels[rows[0]] >= 0 and len({labels[r] for r in rows}) == 1


def _single_linkage_joins(m: np.ndarray, a: int, b: int) -> bool:
    _, found = connected_components(m >= RECUR_SHARE, directed=False)
    return found[a] == found[b]


@pytest.mark.parametrize("alike", [0.5, 0.9])
def test_a_chain_of_pairwise_matches_does_not_make_one_group(alike):
    # A~B, B~C, C~D; A, B and D share nothing with the far end of the chain
    m = _matrix(4, {(0, 1): alike, (1, 2): alike, (2, 3): alike})
    assert _single_linkage_joins(m, 0, 3)  # what connected components did
    labels = grouping.groups(m, RECUR_SHARE)
    assert not _together(labels, 0, 3)
    assert not _together(labels, 0, 1, 2, 3)


def test_two_tight_groups_bridged_by_one_pair_stay_two_groups():
    tight = {(a, b): 0.8 for group in ([0, 1, 2], [3, 4, 5]) for a in group for b in group if a < b}
    m = _matrix(6, {**tight, (2, 3): 0.6})  # one incident of each reads like one of the other
    assert _single_linkage_joins(m, 0, 5)
    labels = grouping.groups(m, RECUR_SHARE)
    assert _together(labels, 0, 1, 2) and _together(labels, 3, 4, 5)
    assert labels[0] != labels[5]


def test_incidents_alike_at_the_threshold_group_and_unrelated_ones_stay_alone():
    m = _matrix(4, {(0, 1): RECUR_SHARE, (2, 3): RECUR_SHARE - 0.01})
    labels = grouping.groups(m, RECUR_SHARE)
    assert _together(labels, 0, 1)
    assert list(labels[2:]) == [-1, -1]


def test_groups_are_numbered_biggest_first():
    m = _matrix(5, {(0, 1): 0.9, (2, 3): 0.9, (2, 4): 0.9, (3, 4): 0.9})
    assert list(grouping.groups(m, RECUR_SHARE)) == [1, 1, 0, 0, 0]


def test_no_group_holds_more_than_its_share_of_the_incidents_compared():
    m = np.full((40, 40), 0.9)  # forty incidents all alike: one "group" would be everything
    labels = grouping.groups(m, RECUR_SHARE)
    sizes = collections.Counter(labels[labels >= 0])
    assert max(sizes.values()) <= grouping.cap(40) == grouping.MIN_CAP
    assert grouping.cap(1000) == 100  # MAX_SHARE of the incidents compared
    assert (labels >= 0).all()  # split, not dropped


@pytest.mark.parametrize("titles, expected", [
    (["Queue backlog in checkout", "Queue backlog in search", "Queue backlog in billing"], "Queue backlog"),
    (["Disk filling up on auth nodes", "Disk filling up on search nodes"], "Disk filling up on … nodes"),
    (["Certificate expiring on auth", "Certificates expiring on billing", "Certificate expiring on search"],
     "Certificate expiring"),
    (["Refund requests piling up", "Refund requests piling up"], "Refund requests piling up"),
    (["Kafka lag", "Broker disk full"], "Kafka lag"),  # nothing shared by half: the centre's own title
])
def test_a_group_is_named_by_the_words_its_titles_share(titles, expected):
    assert grouping.name(titles) == expected


def test_a_name_is_whole_words_never_stems():
    name = grouping.name(["Certificates expiring for customers", "Certificates expired for partners",
                          "Certificates expiring everywhere"])
    assert name == "Certificates expiring"
    assert not re.search(r"\bcertif\b|\bexpir\b", name, re.I)


def _kind(title: str) -> str:
    for templates in TITLES.values():
        for template in templates:
            if re.fullmatch(re.escape(template).replace(re.escape("{svc}"), r"\S+"), title):
                return template
    raise AssertionError(title)


def test_on_the_demo_no_group_mixes_kinds_and_none_holds_15_percent(kit):
    kit.load_demo(incidents=400, seed=42)
    compared = int((kit.incidents()["mode"] != "test").sum())
    groups = kit.recurring(since="2000-01-01")
    assert groups["group"].nunique() >= 20
    biggest = groups["group"].value_counts().max()
    assert biggest < 0.15 * compared, biggest
    mixed = 0
    for _, group in groups.groupby("group"):
        kinds = collections.Counter(_kind(t) for t in group["title"])
        mixed += len(group) - kinds.most_common(1)[0][1]
        assert kinds.most_common(1)[0][1] >= 0.9 * len(group), kinds
    assert mixed <= 0.02 * len(groups)
    names = groups.groupby("group")["name"].first()
    assert "Queue backlog" in set(names) and names.str.len().gt(0).all()
