"""schema.org ``MedicalClinic`` JSON-LD for a clinic's page: what search engines and other directories read.

Only what the directory holds for the clinic goes in, from its row: name, the page and the clinic's own website,
phone, address, point, opening hours, languages, whether it takes new patients (when known) and the
treatments it offers. An unknown fact is left out rather than guessed.
"""

from __future__ import annotations

import json

from datasette_config.plugins.home import ROUTE_LABELS


def medical_clinic(clinic: dict, page_url: str) -> dict:
    """The JSON-LD object for one clinic row (as clinic_view.load_clinic returns it)."""
    data = {"@context": "https://schema.org", "@type": "MedicalClinic", "@id": page_url, "name": clinic["name"],
            "url": clinic["website"] or page_url, "telephone": clinic["phone"]}
    street = ", ".join(part for part in (clinic["street"], clinic["suite"] and f"Suite {clinic['suite']}") if part)
    data["address"] = {"@type": "PostalAddress", "streetAddress": street or None, "addressLocality": clinic["city"],
                       "addressRegion": clinic["state"], "postalCode": clinic["zip"], "addressCountry": "US"}
    if clinic["latitude"] is not None and clinic["longitude"] is not None:
        data["geo"] = {"@type": "GeoCoordinates", "latitude": clinic["latitude"], "longitude": clinic["longitude"]}
    if clinic["opening_hours"]:  # OpenStreetMap's form; schema.org takes the same "Mo-Fr 09:00-17:00" rules
        data["openingHours"] = [rule.strip() for rule in clinic["opening_hours"].split(";") if rule.strip()]
    if clinic.get("accepting_new_patients") in (0, 1):
        data["isAcceptingNewPatients"] = bool(clinic["accepting_new_patients"])
    data["knowsLanguage"] = _list(clinic["languages"]) or None
    data["availableService"] = [{"@type": "MedicalTherapy", "name": ROUTE_LABELS.get(key, key)}
                                for key in _list(clinic["routes"])] or None
    return _without_blanks(data)


def _list(value: str | None) -> list:
    try:
        items = json.loads(value or "[]")
    except ValueError:
        return []
    return items if isinstance(items, list) else []


def _without_blanks(value):
    if isinstance(value, dict):
        kept = {key: _without_blanks(item) for key, item in value.items() if item not in (None, "", [])}
        return {key: item for key, item in kept.items() if item not in (None, {}, [])}
    if isinstance(value, list):
        return [_without_blanks(item) for item in value]
    return value
