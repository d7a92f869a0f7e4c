"""Synthetic NPPES bulk files in the registry's real layout (the four CSVs of a Data Dissemination zip), written
from records in the NPI Registry API's shape: the sample web's own registry answers, so a crawl from the bulk
file and a crawl from the API stand-in can be compared, and filler rows by the thousand (or the million, for
``make bench-scale``) of the kinds a real file is mostly made of.

Only for tests and benchmarks: never a real extract.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

ADDRESS_PARTS = ("First Line {}", "Second Line {}", "{} City Name", "{} State Name", "{} Postal Code",
                 "{} Country Code (If outside U.S.)", "{} Telephone Number", "{} Fax Number")


OFFICIAL = {"first_name": "First Name", "last_name": "Last Name", "middle_name": "Middle Name",
            "title_or_position": "Title or Position", "telephone_number": "Telephone Number",
            "credential": "Credential Text", "name_prefix": "Name Prefix Text", "name_suffix": "Name Suffix Text"}


def npidata_header() -> list[str]:
    """The npidata_pfile columns in their order (about 330)."""
    header = ["NPI", "Entity Type Code", "Replacement NPI", "Employer Identification Number (EIN)",
              "Provider Organization Name (Legal Business Name)", "Provider Last Name (Legal Name)",
              "Provider First Name", "Provider Middle Name", "Provider Name Prefix Text", "Provider Name Suffix Text",
              "Provider Credential Text", "Provider Other Organization Name",
              "Provider Other Organization Name Type Code", "Provider Other Last Name", "Provider Other First Name",
              "Provider Other Middle Name", "Provider Other Name Prefix Text", "Provider Other Name Suffix Text",
              "Provider Other Credential Text", "Provider Other Last Name Type Code"]
    for middle in ("Business Mailing Address", "Business Practice Location Address"):
        header += [f"Provider {part.format(middle)}" for part in ADDRESS_PARTS]
    header += ["Provider Enumeration Date", "Last Update Date", "NPI Deactivation Reason Code", "NPI Deactivation Date",
               "NPI Reactivation Date", "Provider Sex Code", "Authorized Official Last Name",
               "Authorized Official First Name", "Authorized Official Middle Name",
               "Authorized Official Title or Position", "Authorized Official Telephone Number"]
    for n in range(1, 16):
        header += [f"Healthcare Provider Taxonomy Code_{n}", f"Provider License Number_{n}",
                   f"Provider License Number State Code_{n}", f"Healthcare Provider Primary Taxonomy Switch_{n}"]
    for n in range(1, 51):
        header += [f"Other Provider Identifier_{n}", f"Other Provider Identifier Type Code_{n}",
                   f"Other Provider Identifier State_{n}", f"Other Provider Identifier Issuer_{n}"]
    header += ["Is Sole Proprietor", "Is Organization Subpart", "Parent Organization LBN", "Parent Organization TIN",
               "Authorized Official Name Prefix Text", "Authorized Official Name Suffix Text",
               "Authorized Official Credential Text"]
    header += [f"Healthcare Provider Taxonomy Group_{n}" for n in range(1, 16)]
    return [*header, "Certification Date"]


PL_HEADER = ["NPI", "Provider Secondary Practice Location Address- Address Line 1",
             "Provider Secondary Practice Location Address-  Address Line 2",
             "Provider Secondary Practice Location Address - City Name",
             "Provider Secondary Practice Location Address - State Name",
             "Provider Secondary Practice Location Address - Postal Code",
             "Provider Secondary Practice Location Address - Country Code (If outside U.S.)",
             "Provider Secondary Practice Location Address - Telephone Number",
             "Provider Secondary Practice Location Address - Telephone Extension",
             "Provider Practice Location Address - Fax Number"]
OTHERNAME_HEADER = ["NPI", "Provider Other Organization Name", "Provider Other Organization Name Type Code"]
ENDPOINT_HEADER = ["NPI", "Endpoint Type", "Endpoint Type Description", "Endpoint", "Affiliation",
                   "Endpoint Description", "Affiliation Legal Business Name", "Use Code", "Use Description",
                   "Other Use Description", "Content Type", "Content Description", "Other Content Description",
                   "Affiliation Address Line One", "Affiliation Address Line Two", "Affiliation Address City",
                   "Affiliation Address State", "Affiliation Address Country", "Affiliation Address Postal Code"]


def rows_of(record: dict) -> tuple[dict, list[dict], list[dict]]:
    """An API v2.1 record as its npidata row, pl rows and othername rows (bare digits, MM/DD/YYYY dates)."""
    basic = record.get("basic") or {}
    organisation = record.get("enumeration_type") == "NPI-2"
    row = {"NPI": record["number"], "Entity Type Code": "2" if organisation else "1",
           "Provider Enumeration Date": _us_date(basic.get("enumeration_date")),
           "Last Update Date": _us_date(basic.get("last_updated"))}
    if organisation:
        row["Provider Organization Name (Legal Business Name)"] = basic.get("organization_name", "")
        row["Is Organization Subpart"] = "Y" if basic.get("organizational_subpart") == "YES" else "N"
        row.update({f"Authorized Official {column}": basic.get(f"authorized_official_{field}") or ""
                    for field, column in OFFICIAL.items()})
    else:
        row.update({"Provider Last Name (Legal Name)": basic.get("last_name", ""),
                    "Provider First Name": basic.get("first_name", ""),
                    "Provider Middle Name": basic.get("middle_name", ""),
                    "Provider Credential Text": basic.get("credential", "")})
    for place in record.get("addresses") or []:
        middle = "Business Mailing Address" if place.get("address_purpose") == "MAILING" else \
            "Business Practice Location Address"
        row.update(_address_fields(place, [f"Provider {part.format(middle)}" for part in ADDRESS_PARTS]))
    for n, taxonomy in enumerate(record.get("taxonomies") or [], start=1):
        row[f"Healthcare Provider Taxonomy Code_{n}"] = taxonomy["code"]
        row[f"Healthcare Provider Primary Taxonomy Switch_{n}"] = "Y" if taxonomy.get("primary") else "N"
        row[f"Provider License Number State Code_{n}"] = taxonomy.get("state") or ""
    names = [{"NPI": record["number"], "Provider Other Organization Name": o.get("organization_name", ""),
              "Provider Other Organization Name Type Code": str(o.get("code") or "5")}
             for o in record.get("other_names") or [] if o.get("organization_name")]
    if names:  # the row itself repeats the first other name, as the real file does
        row["Provider Other Organization Name"] = names[0]["Provider Other Organization Name"]
        row["Provider Other Organization Name Type Code"] = names[0]["Provider Other Organization Name Type Code"]
    places = [{"NPI": record["number"], **_address_fields(place, [*PL_HEADER[1:8], PL_HEADER[9]])}
              for place in record.get("practiceLocations") or []]
    return row, places, names


def deactivated_row(number: str, on: date) -> dict:
    """How the files list a deactivated NPI: its number and the date, nothing else."""
    return {"NPI": number, "NPI Deactivation Date": on.strftime("%m/%d/%Y")}


def write_zip(path: Path, start: date, end: date, rows: Iterable[dict], places: Iterable[dict] = (),
              names: Iterable[dict] = ()) -> Path:
    """A Data Dissemination zip of the four CSVs (every field quoted, as the registry writes them)."""
    stamp = f"{start:%Y%m%d}-{end:%Y%m%d}"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, header, data in ((f"npidata_pfile_{stamp}.csv", npidata_header(), rows),
                                   (f"pl_pfile_{stamp}.csv", PL_HEADER, places),
                                   (f"othername_pfile_{stamp}.csv", OTHERNAME_HEADER, names),
                                   (f"endpoint_pfile_{stamp}.csv", ENDPOINT_HEADER, ())):
            with archive.open(name, "w", force_zip64=True) as raw, \
                    io.TextIOWrapper(raw, encoding="utf-8", newline="") as text:  # a real monthly file is over 4 GB
                writer = csv.writer(text, quoting=csv.QUOTE_ALL)
                writer.writerow(header)
                writer.writerows([row.get(column, "") for column in header] for row in data)
            if name.startswith("npidata"):
                archive.writestr(f"npidata_pfile_{stamp}_fileheader.csv", ",".join(f'"{h}"' for h in header) + "\n")
    return path


FILLER_KINDS = (  # (entity type, taxonomy, name): what most of the registry is, none of it ketamine care
    ("2", "1223G0001X", "SMILE DENTAL GROUP"), ("2", "3336C0003X", "CORNER PHARMACY"),
    ("2", "111N00000X", "SPINE CHIROPRACTIC"), ("2", "152W00000X", "CLEAR VISION OPTOMETRY"),
    ("1", "207Q00000X", ""), ("1", "363L00000X", ""), ("1", "1223G0001X", ""),
)
CLINICIAN_KINDS = ("2084P0800X", "207L00000X", "367500000X", "363LP0808X")
STATES = ("CA", "TX", "NY", "FL", "WA", "AZ", "CO", "IL")


def filler_rows(count: int, seed: int = 7, first_npi: int = 1_500_000_000) -> Iterator[dict]:
    """Registry rows of the common kinds, spread over states; about one in twenty is a psychiatrist,
    anesthesiologist or nurse anesthetist (kept as a clinician), one in fifty is deactivated."""
    rng = random.Random(seed)
    for i in range(count):
        number = str(first_npi + i)
        state = STATES[rng.randrange(len(STATES))]  # not by i: every kind of row in every state
        if i % 50 == 49:
            yield deactivated_row(number, date(2019, 1, 1 + i % 28))
            continue
        entity, code, name = FILLER_KINDS[i % len(FILLER_KINDS)]
        if i % 20 == 7:
            entity, code, name = "1", CLINICIAN_KINDS[i % len(CLINICIAN_KINDS)], ""
        row = {"NPI": number, "Entity Type Code": entity, "Provider Enumeration Date": "03/14/2012",
               "Last Update Date": "06/02/2024",
               "Provider First Line Business Practice Location Address": f"{100 + i % 9000} MAIN ST",
               "Provider Business Practice Location Address City Name": "SPRINGFIELD",
               "Provider Business Practice Location Address State Name": state,
               "Provider Business Practice Location Address Postal Code": f"{rng.randint(10000, 99999)}0000",
               "Provider Business Practice Location Address Telephone Number": f"555{rng.randint(1000000, 9999999)}",
               "Healthcare Provider Taxonomy Code_1": code, "Healthcare Provider Primary Taxonomy Switch_1": "Y"}
        if entity == "2":
            row["Provider Organization Name (Legal Business Name)"] = f"{name} {i}"
        else:
            row.update({"Provider Last Name (Legal Name)": f"SURNAME{i}", "Provider First Name": "ALEX",
                        "Provider Credential Text": "MD"})
        yield row


def _address_fields(place: dict, columns: list[str]) -> dict:
    values = [place.get("address_1"), place.get("address_2"), place.get("city"), place.get("state"),
              "".join(ch for ch in str(place.get("postal_code") or "") if ch.isdigit()),
              "" if (place.get("country_code") or "US") == "US" else place.get("country_code"),
              "".join(ch for ch in str(place.get("telephone_number") or "") if ch.isdigit()),
              "".join(ch for ch in str(place.get("fax_number") or "") if ch.isdigit())]
    return {column: value or "" for column, value in zip(columns, values, strict=False)}


def _us_date(iso: str | None) -> str:
    return f"{iso[5:7]}/{iso[8:10]}/{iso[:4]}" if iso else ""
