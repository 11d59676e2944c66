"""The similar-incidents part of the public Python API (mixed into ``Kit``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..kit_part import KitPart

if TYPE_CHECKING:
    import pandas as pd


def _service():
    """The service loads bm25s, scipy and pandas: only when a similar-incidents call is made."""
    from . import service

    return service


class SimilarAPI(KitPart):

    def similar(self, text_or_reference: str, limit: int = 5, *, viewer: str | None = None,
                min_relevance: float | None = None) -> list[dict]:
        """Past incidents like some text or an incident (``INC-12``): ``[{"reference", "title", "score"}]``,
        best first, only those whose score (0 to 1, see docs/similar.md) reaches ``min_relevance`` (default
        ``similar.MIN_RELEVANCE`` for text, ``similar.MIN_RELEVANCE_BY_REFERENCE`` for an incident).
        Private incidents appear only for viewers who may see them."""
        return _service().similar(self.db, text_or_reference, limit=limit, viewer=self._viewer(viewer),
                                  min_relevance=min_relevance)

    def prepare_similar(self) -> None:
        """Start building the similar-incident index in the background (the app calls this once, when it
        opens the store), so the first question about similar or recurring incidents need not wait for it."""
        from . import index

        index.warm(self.db)

    def recurring(self, *, viewer: str | None = None, since=None, until=None) -> "pd.DataFrame":
        """"What keeps coming back": groups of incidents alike enough to be the same problem returning, one row
        per incident with its ``group`` (1 is the biggest) and the group's ``name``."""
        return _service().recurring(self.db, viewer=self._viewer(viewer), since=since, until=until)

    def related(self, reference: str, *, viewer: str | None = None) -> list[dict]:
        """Incidents a person linked as related to this one."""
        return _service().related(self.db, reference, viewer=self._viewer(viewer))

    def link_related(self, reference: str, other: str, *, by: str | None = None) -> list[dict]:
        """Link ``other`` as related (both ways). A ``Person`` (the app's signed-in person) is checked."""
        return _service().link(self.db, reference, other, by=self._by(by))

    def unlink_related(self, reference: str, other: str, *, by: str | None = None) -> list[dict]:
        return _service().unlink(self.db, reference, other, by=self._by(by))
