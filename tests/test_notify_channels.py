"""How a stored channel is shown: recognisable, without its secrets (``notify.channels.redact``)."""

from __future__ import annotations

import pytest

from incident_kit.errors import IncidentKitError
from incident_kit.notify.channels import redact, validate


@pytest.mark.parametrize("channel, shown", [
    ("ana@example.com", "ana@example.com"),  # an address is who it reaches, not a secret
    ("mailtos://alerts:p4ssw0rd@smtp.example.com?from=incidents@example.com",
     "mailtos://alerts:****@smtp.example.com"),
    ("https://hooks.slack.com/services/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", "slack://T...2/B...D/T...Q"),
    ("jsons://hooks.example.com/incidents?+X-Token=abc", "jsons://hooks.example.com/i...s"),
    ("json://127.0.0.1:8080/hook", "json://127.0.0.1:8080/h...k"),
    ("msteams://acme/4f1a2b3c/8e9d7c6b/1234abcd", "msteams://acme/…"),  # not understood by this apprise: the host
    ("nonsense", "…"),
    ("", ""),
])
def test_a_channel_is_shown_as_apprise_prints_it_in_privacy_mode_without_its_query(channel, shown):
    assert redact(channel) == shown



def test_a_refused_channel_is_quoted_short():
    with pytest.raises(IncidentKitError) as refused:
        validate("json://" + "x" * 100_000)
    assert len(str(refused.value)) < 250 and "json://xxx" in str(refused.value)
