"""incident-kit: declare incidents often, keep everyone informed, learn afterwards.

    import incident_kit as ik
    kit = ik.open("data/example.duckdb")
    inc = kit.declare("Checkout is failing", declared_by="ana")
    kit.post_update(inc.reference, "We are investigating elevated 500s", by="ana")
    kit.incidents()
"""

from .errors import IncidentKitError, InvalidTransition, NotAllowed, NotFound, StoreUnavailable
from .identity import Person
from .incident.models import Audience, Incident, Mode, Status, Update
from .kit import Kit, open

__all__ = ["open", "Kit", "Incident", "Update", "Status", "Mode", "Audience", "Person",
           "IncidentKitError", "InvalidTransition", "NotAllowed", "NotFound", "StoreUnavailable"]
__version__ = "0.1.0"
