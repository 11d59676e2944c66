"""incident-kit: declare incidents often, keep everyone informed, learn afterwards.

    import incident_kit as ik
    kit = ik.open("data/example.duckdb", user=ik.local_user())  # you, the trusted local operator
    inc = kit.declare("Checkout is failing", declared_by="ana")
    kit.post_update(inc.reference, "We are investigating elevated 500s", by="ana")
    kit.incidents()
"""

import importlib

from .errors import IncidentKitError, InvalidTransition, NotAllowed, NotFound, StoreUnavailable
from .identity import Person

# Loaded on first use (PEP 562): ``Kit`` combines every domain, ~50 ms of imports that a command reading
# only analytics (``incident-kit metrics --json``) does without.
_LAZY = {"open": ".kit", "Kit": ".kit", "local_user": ".kit", "MissingActor": ".kit_part", "Incident": ".incident.models", "Update": ".incident.models",
         "Status": ".incident.models", "Mode": ".incident.models", "Audience": ".incident.models"}

__all__ = ["open", "Kit", "local_user", "MissingActor", "Incident", "Update", "Status", "Mode", "Audience", "Person",
           "IncidentKitError", "InvalidTransition", "NotAllowed", "NotFound", "StoreUnavailable"]
__version__ = "0.1.0"


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'incident_kit' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
