"""Every tri-state fact kind the vocabulary declares (parsers/vocab.py: PAYMENT_LABELS, CARE_LABELS) reaches the
whole way: the page-level dataclass holds it, the clinics table has its summary column (generated from the
vocabulary), and the published site describes that column."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import yaml

from db.schema import TABLES
from parsers.facts import Care, Payment
from parsers.vocab import CARE_LABELS, PAYMENT_LABELS

METADATA = Path(__file__).resolve().parent.parent / "datasette_config" / "metadata.yml"


def test_every_payment_and_care_key_has_its_field_its_column_and_its_description():
    columns = TABLES["clinics"][0]
    described = yaml.safe_load(METADATA.read_text())["databases"]["clinics"]["tables"]["clinics"]["columns"]
    for dataclass_type, keys in ((Payment, PAYMENT_LABELS), (Care, CARE_LABELS)):
        held = {f.name for f in fields(dataclass_type)}
        for key in keys:
            assert key in held, f"{dataclass_type.__name__} has no field {key}"
            assert columns.get(key) is int, f"clinics has no yes/no column {key}"
            assert key in described, f"metadata.yml does not describe clinics.{key}"
