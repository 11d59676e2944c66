"""The incident service: every rule for changing and reading incidents, behind one import.

The rules live in small modules along their seams; this module is the public
face other domains, the Kit API and the CLI use:

* ``lifecycle``: declare, post updates, change status, resolve, decline, reopen, merge
  (and ``move``, the transition other domains run inside their own transaction);
* ``fields``: severity, roles, members and the editable fields;
* ``reading``: one incident, its timeline, and the filtered list;
* ``loading``: ``load`` / ``load_visible`` / ``load_for_change`` inside a transaction;
* ``visibility``: who may see a private incident (``can_see``).

Every write takes the database first and keyword-only options after the
essentials, and is one transaction that also appends its timeline event.
"""

from __future__ import annotations

from ..identity import clean_person  # noqa: F401  (re-exported)
from .fields import (TITLE_MAX, add_member, assign_role, change_severity, clean_summary,  # noqa: F401
                     clean_title, edit, parse_mode)
from .lifecycle import (change_status, declare, decline, merge, move, post_update, reopen,  # noqa: F401
                        resolve)
from .loading import (REFERENCE_PREFIX, load, load_for_change, load_visible, normalise_reference,  # noqa: F401
                      not_found, visible_events)
from .reading import (events, get, incident_counts, incidents, members, overdue, role_history, summary,  # noqa: F401
                      updates)
from .visibility import can_see  # noqa: F401
