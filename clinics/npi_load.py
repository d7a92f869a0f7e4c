"""``clinics npi load FILE.zip``: the registry's bulk files into the database's registry tables (db/registry.py).

A monthly file is gigabytes: every CSV is streamed from inside the zip, and a row becomes a record only when its
entity type and taxonomy codes (or its names) say the directory may need it, so memory stays bounded by what is
kept, not by the file. The other-names file is read first (an organisation whose "doing business as" name says
ketamine is kept whatever its taxonomy), then the NPIs, then their other names and secondary locations.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from db import registry
from db.store import now_iso
from parsers import npi_bulk
from parsers.address import usps_state
from parsers.listings import KETAMINE_WORDS, RELEVANT_TAXONOMY, TAXONOMY_WORDS

PFILE = re.compile(r"(npidata|othername|pl)_pfile_(\d{8})-(\d{8})(?:_fileheader)?\.csv$", re.I)
REGISTRY_BEGAN = date(2007, 1, 1)  # a file whose period starts before this is a full replacement
BATCH = 2000
PROGRESS_EVERY = 250_000
csv.field_size_limit(1 << 24)  # an odd row with a long field must not stop a load of millions


class BulkFileError(ValueError):
    """The file is not an NPPES Data Dissemination zip the registry can take, or not now."""


@dataclass
class LoadResult:
    file: str
    kind: str
    period_start: str
    period_end: str
    rows_read: int = 0
    kept: int = 0
    removed: int = 0
    seconds: float = 0.0
    states: set[str] | None = None
    skipped: str = ""

    def summary(self) -> str:
        if self.skipped:
            return f"{self.file}: nothing loaded ({self.skipped})"
        where = "every state" if not self.states else ", ".join(sorted(self.states))
        rate = self.rows_read / self.seconds if self.seconds else 0
        return (f"{self.file}: {self.kind} file for {self.period_start} to {self.period_end} ({where}): "
                f"{self.rows_read:,} rows read, {self.kept:,} NPIs kept, {self.removed:,} removed, "
                f"in {self.seconds:.1f} s ({rate:,.0f} rows/s)")


@dataclass
class _Members:
    npidata: str
    othername: str | None
    pl: str | None
    start: date
    end: date
    names: list[str] = field(default_factory=list)


def load_bulk_file(db, path: str, states: set[str] | None, clinician_words: tuple[str, ...],
                   progress: Callable[[int], None] | None = None) -> LoadResult:
    """Apply one monthly or weekly zip to the registry, in one transaction; ``progress`` hears the rows read so far
    every PROGRESS_EVERY rows (a monthly file takes minutes)."""
    members = _members(path)
    kind = registry.FULL if members.start < REGISTRY_BEGAN else registry.UPDATE
    result = LoadResult(Path(path).name, kind, members.start.isoformat(), members.end.isoformat())
    current = registry.coverage(db)
    if kind == registry.UPDATE:
        if current is None:
            raise BulkFileError(f"{result.file} is a weekly update: load a monthly full file first "
                                "(NPPES_Data_Dissemination_<Month>_<Year>.zip)")
        if states and states != (current.states or set()):
            raise BulkFileError("a weekly file keeps the states of the monthly file it updates; leave out --state")
        states = current.states
    if current and result.period_end <= current.period_end:
        result.skipped = f"the registry is already current to {current.period_end}"
        return result
    result.states = states
    started = time.perf_counter()
    with zipfile.ZipFile(path) as archive, db.conn:  # one transaction: a file that fails part-way changes nothing
        registry.start(db, kind)
        ketamine_named = {npi for npi, name, _ in _other_names(archive, members) if KETAMINE_WORDS.search(name)}
        in_states = _secondary_states(archive, members, states) if states else set()
        kept = _read_npis(db, archive, members, result, states, in_states, ketamine_named, clinician_words,
                          progress or (lambda rows: None))
        _attach_names_and_places(db, archive, members, kept, result.file)
        result.seconds = time.perf_counter() - started
        registry.record_load(db, {"file": result.file, "kind": kind, "period_start": result.period_start,
                                  "period_end": result.period_end, "states": states, "rows_read": result.rows_read,
                                  "kept": result.kept, "removed": result.removed, "loaded_at": now_iso(),
                                  "seconds": round(result.seconds, 2)})
    return result


def _members(path: str) -> _Members:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise BulkFileError(f"{path} cannot be read as a zip: {error}") from None
    with archive:
        names = archive.namelist()
    found: dict[str, str] = {}
    period = None
    for name in names:
        match = PFILE.search(Path(name).name)
        if match and "_fileheader" not in name.lower():
            found[match.group(1).lower()] = name
            if match.group(1).lower() == "npidata":
                period = match.group(2), match.group(3)
    if "npidata" not in found or period is None:
        raise BulkFileError(f"{Path(path).name} is not an NPPES Data Dissemination zip: no npidata_pfile_<start>-<end>.csv "
                            f"inside (it holds {', '.join(names[:6]) or 'nothing'})")
    start, end = (date(int(d[:4]), int(d[4:6]), int(d[6:])) for d in period)
    return _Members(found["npidata"], found.get("othername"), found.get("pl"), start, end, names)


def _rows(archive: zipfile.ZipFile, member: str | None) -> Iterator[tuple[list[str], list[str]]]:
    """(keys, values) of each row of a CSV inside the zip, streamed; keys are npi_bulk.key() of the header."""
    if member is None:
        return
    with archive.open(member) as raw:
        reader = csv.reader(io.TextIOWrapper(raw, encoding="utf-8", errors="replace", newline=""))
        header = next(reader, None)
        if header is None:
            return
        keys = [npi_bulk.key(h) for h in header]
        for values in reader:
            yield keys, values


def _other_names(archive, members: _Members) -> Iterator[tuple[str, str, dict]]:
    for keys, values in _rows(archive, members.othername):
        row = dict(zip(keys, values, strict=False))
        yield row.get(npi_bulk.NPI, "").strip(), row.get(npi_bulk.OTHER_ORGANISATION, ""), row


def _secondary_states(archive, members: _Members, states: set[str]) -> set[str]:
    """NPIs with a secondary practice location in one of the states."""
    found = set()
    state_key = f"{npi_bulk.SECONDARY} state name"
    for keys, values in _rows(archive, members.pl):
        row = dict(zip(keys, values, strict=False))
        if usps_state(row.get(state_key)) in states:
            found.add(row.get(npi_bulk.NPI, "").strip())
    return found


def _read_npis(db, archive, members: _Members, result: LoadResult, states, in_states: set[str],
               ketamine_named: set[str], clinician_words: tuple[str, ...], progress: Callable[[int], None]) -> set[str]:
    """Keep the NPIs the directory may need (written as they come, in batches); a weekly file's other NPIs are
    taken out, as are its deactivated and replaced ones. The numbers kept."""
    kept: set[str] = set()
    batch: list[dict] = []
    gone: list[str] = []
    interesting = _codes_of_interest(clinician_words)
    columns = None
    for keys, values in _rows(archive, members.npidata):
        if columns is None:
            columns = _Columns(keys)
        result.rows_read += 1
        if not result.rows_read % PROGRESS_EVERY:
            progress(result.rows_read)
        number = values[columns.npi].strip() if len(values) > columns.npi else ""
        if not number:
            continue
        row = dict(zip(keys, values, strict=False)) if columns.may_matter(values, interesting, ketamine_named) else None
        if row is not None and npi_bulk.may_be_kept(row, ketamine_named, clinician_words) \
                and (not states or usps_state(npi_bulk.primary_state(row)) in states
                     or number in in_states):
            batch.append(npi_bulk.api_record(row, [], []))
            kept.add(number)
            if len(batch) >= BATCH:
                registry.save_records(db, batch, result.file)
                batch.clear()
        elif result.kind == registry.UPDATE:
            gone.append(number)
    registry.save_records(db, batch, result.file)
    result.removed = registry.remove(db, gone)
    result.kept = len(kept)
    return kept


class _Columns:
    """The positions the first look at a row needs (most rows are dentists and pharmacies: no dict for them)."""

    def __init__(self, keys: list[str]) -> None:
        where = {k: i for i, k in enumerate(keys)}
        self.npi = where[npi_bulk.NPI]
        self.entity = where.get(npi_bulk.ENTITY, -1)
        self.names = [where[k] for k in (npi_bulk.ORGANISATION, npi_bulk.OTHER_ORGANISATION) if k in where]
        self.codes = [i for k, i in where.items() if k.startswith("healthcare provider taxonomy code_")]
        self.width = len(keys)

    def may_matter(self, values: list[str], interesting: set[str], ketamine_named: set[str]) -> bool:
        if len(values) < self.width:
            return False
        entity = values[self.entity].strip() if self.entity >= 0 else ""
        if entity not in ("1", "2"):
            return False  # deactivated: only its number and dates
        if any(values[i].strip() in interesting or (entity == "2" and values[i].startswith(RELEVANT_TAXONOMY))
               for i in self.codes if values[i]):
            return True
        return entity == "2" and (values[self.npi].strip() in ketamine_named
                                  or any(KETAMINE_WORDS.search(values[i]) for i in self.names if values[i]))


def _codes_of_interest(clinician_words: tuple[str, ...]) -> set[str]:
    """NUCC codes an individual is kept for, or an organisation for by its description."""
    words = [w.lower() for w in clinician_words]
    return {code for code, desc in npi_bulk.nucc_descriptions().items()
            if any(w in desc.lower() for w in words) or TAXONOMY_WORDS.search(desc)}


def _attach_names_and_places(db, archive, members: _Members, kept: set[str], file: str) -> None:
    """Each kept NPI's other names and secondary locations, from their own files, written into its record."""
    if not kept:
        return
    names: dict[str, list[dict]] = defaultdict(list)
    for number, _, row in _other_names(archive, members):
        if number in kept:
            names[number].append(row)
    places: dict[str, list[dict]] = defaultdict(list)
    for keys, values in _rows(archive, members.pl):
        row = dict(zip(keys, values, strict=False))
        if row.get(npi_bulk.NPI, "").strip() in kept:
            places[row[npi_bulk.NPI].strip()].append(row)
    touched = sorted(set(names) | set(places))
    for start in range(0, len(touched), BATCH):
        chunk = touched[start:start + BATCH]
        marks = ", ".join("?" for _ in chunk)
        records = [npi_bulk.with_others(json.loads(r["record"]), names.get(n, []), places.get(n, []))
                   for n, r in ((r["npi"], r) for r in db.query(
                       f"select npi, record from registry_npi where npi in ({marks})", chunk))]
        registry.save_records(db, records, file)
