"""The catalog's public seams: lookups other domains use, settings saved at once, the default cadence."""

import pytest

import incident_kit as ik
from incident_kit.catalog import service
from incident_kit.catalog.models import DEFAULT_CADENCE_MINUTES


def test_the_update_cadence_comes_from_the_catalog_with_one_default(kit):
    assert kit.update_cadence("Critical") == 30
    assert kit.update_cadence("No such level") == DEFAULT_CADENCE_MINUTES == 60


def test_severity_type_and_role_lookups_accept_names_and_labels_in_any_case(kit):
    found = kit.db.read(lambda tx: (service.resolve_severity(tx, "major"), service.resolve_severity(tx, ""),
                                    service.resolve_type(tx, "Data / privacy"), service.resolve_type(tx, None),
                                    service.resolve_role(tx, "Incident lead").name))
    assert found == ("Major", "Minor", "data_privacy", None, "lead")


def test_an_unknown_lookup_lists_the_choices_and_never_echoes_a_megabyte(kit):
    with pytest.raises(ik.IncidentKitError, match="is not one of: Minor, Moderate") as exc:
        kit.db.read(lambda tx: service.resolve_severity(tx, "x" * 1_000_000))
    assert len(str(exc.value)) < 200


def test_save_settings_stores_several_values_in_one_call(kit):
    stored = kit.save_settings({"admins": [" ana ", "bao", "ana"], "public_name": "  Acme  "})
    assert stored == {"admins": ["ana", "bao"], "public_name": "Acme"}
    assert (kit.setting("admins"), kit.setting("public_name")) == (["ana", "bao"], "Acme")


def test_the_quiet_import_limit_is_checked_when_it_is_saved_not_only_when_an_import_reads_it(kit):
    from incident_kit.errors import IncidentKitError

    for bad in ("seven", -1, 0, float("nan"), True, 10 ** 9):
        with pytest.raises(IncidentKitError, match="number of days between 0 and 36,525"):
            kit.set_setting("imported_open_max_days", bad)
    kit.set_setting("imported_open_max_days", 30)
    assert kit.setting("imported_open_max_days") == 30
