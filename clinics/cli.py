"""The ``clinics`` command: every user-facing job, with consistent option names across commands."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import click

from clinics.crawl import ALL_SPIDERS
from clinics.options import db_option

DEFAULT_REGION = "Orange County, CA"
DEMO_REGIONS = ("Orange County, CA", "Travis County, TX")  # the sample web's two regions
SAMPLE_WEB_PORT = 8470  # fixed, so the sample sites keep their URLs from one demo run to the next
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class CommandLine(click.Group):
    """Every command: a database that cannot be written is a clear message and exit 2 (nothing started), not a
    traceback with the exit code cron reads as a partial run."""

    def invoke(self, ctx):
        import sqlite3

        try:
            return super().invoke(ctx)
        except (sqlite3.OperationalError, PermissionError) as error:
            if isinstance(error, sqlite3.OperationalError) and not CANNOT_WRITE.search(str(error)):
                raise
            click.echo(f"not started: the database cannot be opened for writing ({error})", err=True)
            ctx.exit(2)


CANNOT_WRITE = re.compile(r"readonly|read-only|unable to open|permission|disk I/O", re.I)


@click.group(cls=CommandLine)
@click.version_option(package_name="ketamine-clinic-directory")
def cli() -> None:
    """Ketamine clinic directory: crawl public listings by region, extract facts, publish with Datasette."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawlers.settings")


def _region(name: str):
    from core.regions import RegionError, resolve

    try:
        return resolve(name)
    except RegionError as error:
        raise click.UsageError(str(error)) from None


def _setting_overrides(ctx, param, items: tuple[str, ...]) -> dict[str, str]:
    """``--set NAME=VALUE`` pairs. A name that is no setting is a usage error naming the valid ones, never a crawl
    that silently reads the real sources because the override it meant went nowhere."""
    import difflib

    from clinics.crawl import RUN_SETTINGS, setting_names

    own, known = setting_names()
    overrides = {}
    for item in items:
        name, equals, value = item.partition("=")
        name = name.strip()
        if name in RUN_SETTINGS:
            raise click.BadParameter(f"{name} is the run's own: {RUN_SETTINGS[name]}", param=param)
        if not equals or name not in known:
            problem = f"{item!r} is not NAME=VALUE" if not equals else f"unknown setting {name!r}"
            close = difflib.get_close_matches(name.upper(), sorted(known), n=3, cutoff=0.6)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            raise click.BadParameter(f"{problem}{hint}\nThe project's settings: {', '.join(own)}; Scrapy's own "
                                     "settings are valid too.", param=param)
        overrides[name] = value
    return overrides


def _http_url(ctx, param, value: str | None) -> str | None:
    if value is not None and not re.match(r"https?://[^/\s]+", value):
        raise click.BadParameter(f"{value!r} is not an http:// or https:// URL", param=param)
    return value


def _redis_url(ctx, param, value: str | None) -> str | None:
    if value is not None and not re.match(r"(?:rediss?|unix)://\S+", value):
        raise click.BadParameter(f"{value!r} is not a Redis URL, like redis://127.0.0.1:6379/0", param=param)
    return value


def _seed_list(ctx, param, value: str | None) -> str | None:
    """A URL, a file (made absolute, so the run reads the file the user named), or a pattern with {region}."""
    if value is None or value.startswith(("http://", "https://")) or "{region}" in value:
        return value
    path = Path(value).expanduser()
    if not path.is_file():
        raise click.BadParameter(f"no file at {value} (give a file, a URL, or a path or URL with {{region}} "
                                 "for the region's slug)", param=param)
    return str(path.resolve())


EMAIL = re.compile(r"[^@\s<>()\[\],;:\"']+@[^@\s<>()\[\],;:\"'.]+(?:\.[^@\s<>()\[\],;:\"'.]+)+")


def _contact(ctx, param, value: str | None) -> str | None:
    """The operator's email address; an empty one is none, anything else that is no address is refused before a
    site is asked or a page served, so no reader is handed a broken report link."""
    value = (value or "").strip()
    if value and not EMAIL.fullmatch(value):
        raise click.BadParameter(f"{value!r} is not an email address (like ops@example.org); it is where readers "
                                 "report a wrong listing and where websites reach whoever runs the crawler",
                                 param=param)
    return value or None


def contact_option(what: str):
    """``--contact EMAIL``, also read from CLINICS_CONTACT, so cron's crawls and the server share one setting."""
    return click.option("--contact", metavar="EMAIL", envvar="CLINICS_CONTACT", show_envvar=True, callback=_contact,
                        help=f"The operator's email address: {what}")


@cli.command()
@click.option("--region", default=DEFAULT_REGION, show_default=True,
              help='A county ("Travis County, TX"), a state ("TX"), states ("CA, NV, AZ"), the whole country ("US"), '
                   'counties separated by ";", ZIP codes ("92618, 92660") or a ZIP and a radius ("92618 + 25 mi", '
                   '"92618 + 40 km"). A state or more reads the NPI registry best from `clinics npi load`.')
@db_option
@click.option("--profile", type=click.Choice(["default", "sample"]), default="default", show_default=True,
              help="Setting profile: polite real-web defaults, or the loopback sample web.")
@click.option("--spider", "spiders", multiple=True, type=click.Choice(list(ALL_SPIDERS)),
              help="Run only these spiders (repeatable); default all, in order.")
@click.option("--npi-url", metavar="URL", callback=_http_url,
              help="The NPPES NPI Registry API to ask (setting NPI_API_URL), e.g. a mirror or a stand-in.")
@click.option("--overpass-url", metavar="URL", callback=_http_url,
              help="The Overpass API interpreter to ask (setting OVERPASS_API_URL).")
@click.option("--seed-list", metavar="FILE|URL", callback=_seed_list,
              help="The seed list to read (setting SEED_LIST); {region} in it becomes the region's slug.")
@click.option("--set", "overrides", multiple=True, metavar="NAME=VALUE", callback=_setting_overrides,
              help="Override a setting of crawlers/settings.py or Scrapy's (repeatable); an unknown name is refused.")
@click.option("--stale-after-runs", default=3, show_default=True, type=click.IntRange(min=1),
              help="Consecutive unconfirmed runs (site failing, or no source listing it) before a clinic is stale.")
@click.option("--gone-after-runs", default=6, show_default=True, type=click.IntRange(min=1),
              help="...and before it is marked gone (never deleted).")
@click.option("--stale-after-days", type=click.FloatRange(min=0, min_open=True),
              help="Or: days since last confirmed before stale.")
@click.option("--gone-after-days", type=click.FloatRange(min=0, min_open=True),
              help="Or: days since last confirmed before gone.")
@click.option("--npi-max-age", default=35, show_default=True, type=click.FloatRange(min=0), metavar="DAYS",
              help="Read the region's NPIs from the registry loaded with `clinics npi load` when it covers the region "
                   "and is no older than this; else ask the NPI Registry API ZIP by ZIP. The summary says which.")
@click.option("--queue", "queue_url", metavar="redis://HOST:PORT/N", callback=_redis_url,
              help="Have `clinics worker` processes on any machines crawl the clinic websites through this Redis "
                   "server; this process writes the database. Started again after a stop, it resumes the run.")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Write the crawl log here, rotated at 5 MB (5 kept).")
@click.option("--quiet", is_flag=True, help="Print nothing on success; a summary on failure (for cron mail).")
@contact_option("put in the crawler's User-Agent, so a website can write to whoever runs it.")
def crawl(region: str, db_path: str, profile: str, spiders, npi_url: str | None, overpass_url: str | None,
          seed_list: str | None, overrides: dict, stale_after_runs: int, gone_after_runs: int,
          stale_after_days: float | None, gone_after_days: float | None, npi_max_age: float, queue_url: str | None,
          log_file: str | None, quiet: bool, contact: str | None) -> None:
    """Crawl a region's sources and clinic websites into the database.

    Exit status: 0 all well; 1 partial failure (some source or site failed; what was known is kept);
    2 the run could not start (bad region, bad option, another run holds the database).
    """
    from clinics.crawl import EXIT_NOT_STARTED, Thresholds, run_crawl
    from core.regions import RegionError, resolve

    try:
        resolved = resolve(region)
    except RegionError as error:
        click.echo(f"crawl not started: {error}", err=True)
        sys.exit(EXIT_NOT_STARTED)
    settings = dict(overrides)
    sample_web = os.environ.get("CLINICS_SAMPLE_WEB")
    if sample_web:  # point every source at a running sample web (how the tests run the README's cron line)
        from crawlers.profiles import sample_web_settings

        profile, settings = "sample", {**sample_web_settings(sample_web.rstrip("/")), **settings}
    sources = {"NPI_API_URL": npi_url, "OVERPASS_API_URL": overpass_url, "SEED_LIST": seed_list}
    settings.update({name: value for name, value in sources.items() if value is not None})  # an option named wins
    if contact:  # a whole User-Agent given with --set USER_AGENT=... is taken as written
        from crawlers.settings import user_agent

        settings.setdefault("USER_AGENT", user_agent(contact))
    thresholds = Thresholds(stale_after_runs, gone_after_runs, stale_after_days, gone_after_days)
    result = run_crawl(resolved, db_path, profile, settings, tuple(spiders) or ALL_SPIDERS, thresholds,
                       log_file=log_file, quiet=quiet, npi_max_age=npi_max_age, queue_url=queue_url)
    if not quiet or result.exit_code:
        click.echo(result.summary(), err=result.exit_code == EXIT_NOT_STARTED)
    sys.exit(result.exit_code)


@cli.command()
@db_option
@click.option("--port", default=8001, show_default=True, help="Datasette's port on 127.0.0.1.")
@click.option("--no-serve", is_flag=True, help="Build the database and exit (for scripts).")
@click.option("--region", "regions_", multiple=True, default=DEMO_REGIONS, show_default=True,
              help="Sample regions to crawl, each as its own run (repeatable).")
@click.option("--allow-sql", is_flag=True, help="Let readers run their own SQL (off by default: the canned "
              "queries answer what the site is for, and one reader's slow query would stall the others).")
@contact_option("in the crawls' User-Agent, and where the clinic pages' \"Something wrong here?\" links write to.")
def demo(db_path: str, port: int, no_serve: bool, regions_: tuple[str, ...], allow_sql: bool,
         contact: str | None) -> None:
    """Start the sample web on loopback, crawl its regions from it one run each, build the database, serve it."""
    import subprocess

    from clinics.session import EXIT_NOT_STARTED, EXIT_OK, EXIT_PARTIAL
    from sample_web.server import RunningSampleWeb

    for name in regions_:
        _region(name)
    with RunningSampleWeb(port=SAMPLE_WEB_PORT) as web:
        click.echo(f"sample web: {len(web.manifest['sites'])} sites and the API stand-ins at {web.api_base}")
        failed = 0
        for name in regions_:
            # Each region is a run of its own, in its own process, exactly as `clinics crawl` runs from cron.
            done = subprocess.run([sys.executable, "-m", "clinics.cli", "crawl", "--region", name, "--db", db_path],
                                  env={**os.environ, "CLINICS_SAMPLE_WEB": web.api_base,
                                       **({"CLINICS_CONTACT": contact} if contact else {})}, check=False)
            if done.returncode == EXIT_NOT_STARTED:
                sys.exit(EXIT_NOT_STARTED)
            # Partial is the sample web's normal state (a site in it is down on purpose); anything else failed.
            if done.returncode not in (EXIT_OK, EXIT_PARTIAL):
                click.echo(f"the crawl of {name} failed (exit {done.returncode})", err=True)
                failed = failed or done.returncode
    click.echo(f"database: {db_path}")
    if failed or no_serve:
        sys.exit(failed)
    _serve(db_path, port, allow_sql, contact)


@cli.command(context_settings={"ignore_unknown_options": True})
@db_option
@click.option("--published", metavar="DIR", help="Serve the published copy in DIR (made by 'clinics publish DIR'; "
              "DIR or one of its builds) instead of the working database: immutable, and downloadable whole.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface, e.g. behind a reverse proxy or in a container).")
@click.option("--port", default=8001, show_default=True, help="Port to listen on.")
@click.option("--allow-sql", is_flag=True, help="Let readers run their own SQL (off by default: the canned "
              "queries answer what the site is for, and one reader's slow query would stall the others).")
@contact_option("where the clinic pages' \"Something wrong here?\" links write to (without one, the pages say "
                "this copy has no address for reports).")
@click.argument("datasette_options", nargs=-1, type=click.UNPROCESSED)
def serve(db_path: str, published: str | None, host: str, port: int, allow_sql: bool, contact: str | None,
          datasette_options: tuple[str, ...]) -> None:
    """Serve the database with Datasette and the project's metadata, canned queries and plugins.

    Anything after the options goes to Datasette as it is, e.g. `clinics serve -- --setting max_returned_rows 500`."""
    if published:
        from clinics.published_copy import PublishError, find_build
        from clinics.serving import published_args

        try:
            build = find_build(published)
        except PublishError as error:
            raise click.UsageError(str(error)) from error
        click.echo(f"published copy built {build.info['built_at']}: {build.database}")
        return _exec_datasette(published_args(build, port, allow_sql, contact, host, datasette_options), host, port,
                               contact)
    if not Path(db_path).exists():
        raise click.UsageError(f"no database at {db_path}; run 'clinics demo --no-serve' or 'clinics crawl' first")
    _serve(db_path, port, allow_sql, contact, host, datasette_options)


def _serve(db_path: str, port: int, allow_sql: bool = False, contact: str | None = None, host: str = "127.0.0.1",
           datasette_options: tuple[str, ...] = ()) -> None:
    from clinics.serving import datasette_args

    _exec_datasette(datasette_args(db_path, port, allow_sql, contact, host, datasette_options), host, port, contact)


def _exec_datasette(args: list[str], host: str, port: int, contact: str | None) -> None:
    click.echo(f"Datasette: http://{host}:{port}/  (Ctrl+C to stop)")
    if not contact:
        click.echo("No --contact (or CLINICS_CONTACT): the clinic pages will say this copy has no address for reports.")
    os.execvp(sys.executable, [sys.executable, "-m", "datasette", *args])


@cli.command()
@db_option
@click.argument("out_dir", type=click.Path(file_okay=False))
@contact_option("written into the copy's metadata (a later 'clinics serve --contact' overrides it).")
def publish(db_path: str, out_dir: str, contact: str | None) -> None:
    """Make a read-only copy of the database for the public site in OUT_DIR, then switch OUT_DIR/current to it.

    The working database is only read. The copy has its full-text index and facet counts built, page bodies and
    correctors' names left out, and a SHA256SUMS file. A failed publish leaves the previous copy served."""
    from clinics.published_copy import PublishError
    from clinics.published_copy import publish as make_copy

    try:
        build = make_copy(db_path, out_dir, contact)
    except PublishError as error:
        click.echo(f"not published: {error}", err=True)
        sys.exit(2)
    info = build.info
    click.echo(f"published {info['clinics']} clinics ({info['bytes'] / 1e6:.1f} MB, built in {info['seconds']} s) to "
               f"{build.folder}; {Path(out_dir) / 'current'} now points to it. Serve it with: "
               f"clinics serve --published {out_dir}")


@cli.command(name="eval")
@click.option("--corpus", type=click.Path(exists=True, file_okay=False), default="tests/corpus", show_default=True,
              help="Directory of labelled pages (NNN_name.html or .txt beside NNN_name.json).")
@click.option("--quiet-misses", is_flag=True, help="Print the figures only, not every miss.")
@click.option("--unseal", is_flag=True, help="Also list the sealed set's misses (once its figures are reported: "
              "looking at them makes it one more set tuned on).")
def evaluate_command(corpus: str, quiet_misses: bool, unseal: bool) -> None:
    """Precision and recall of the extractor on the labelled corpus, set by set, with the misses listed.

    The set in the folder "sealed" is never tuned on: its figures are printed, its misses are not."""
    from clinics.evaluate import evaluate, format_evaluation

    evaluation = evaluate(Path(corpus))
    click.echo(format_evaluation(evaluation, show_misses=not quiet_misses, unseal=unseal))
    sys.exit(1 if evaluation.failures() else 0)


@cli.command()
@click.argument("queue_url", metavar="redis://HOST:PORT/N", callback=_redis_url)
@click.option("--wait", "patience", type=click.FloatRange(min=0), default=None, metavar="SECONDS",
              help="Give up when no run is queued within this long (default: wait for one).")
def worker(queue_url: str, patience: float | None) -> None:
    """Crawl clinic websites for a coordinator (`clinics crawl --queue URL`) on another machine or this one.

    Waits for a run, crawls its sites a batch at a time with the coordinator's settings, sends pages and their facts
    back through Redis, and exits when the run is over (a service manager starts it again for the next run)."""
    import redis

    from clinics.worker import run_worker, wait_for_run
    from crawlers.site_queue import SiteQueue

    try:
        queue = SiteQueue(queue_url)
        run = wait_for_run(queue, patience)
    except redis.RedisError as error:
        click.echo(f"worker not started: {queue_url}: {error}", err=True)
        sys.exit(2)
    if run is None:
        click.echo(f"no run was queued at {queue_url} within {patience:g} s", err=True)
        sys.exit(3)
    stats = run_worker(queue_url, run)
    click.echo(f"run {run.get('run_id')} ({run.get('region')}): {stats.get('downloader/response_count', 0)} responses, "
               f"finished: {stats.get('finish_reason')}")


@cli.command()
@db_option
@click.option("--region", help="Rebuild only this region's clinics. Default: every region the database holds.")
@click.option("--processes", type=click.IntRange(min=0), default=None,
              help="Worker processes reading pages (0: this process). Default: the crawl's EXTRACT_PROCESSES.")
def reparse(db_path: str, region: str | None, processes: int | None) -> None:
    """Re-read every stored page with the current extractor and rebuild clinics (no fetching)."""
    from clinics.lock import DatabaseLocked
    from clinics.reparse import reparse as run_reparse
    from core.regions import RegionError
    from crawlers.settings import EXTRACT_PROCESSES

    if not Path(db_path).exists():
        raise click.UsageError(f"no database at {db_path}")
    try:
        result = run_reparse(db_path, [_region(region)] if region else None,
                             EXTRACT_PROCESSES if processes is None else processes)
    except (DatabaseLocked, RegionError) as error:
        click.echo(f"reparse not started: {error}", err=True)
        sys.exit(2)
    click.echo(f"run {result.run_id}: {result.pages} stored pages read again, {result.pages_changed} gave different "
               f"facts; {result.clinics} clinics in {len(result.regions)} region(s) "
               f"({'; '.join(result.regions) or 'none'}), {result.changes} changes recorded")


@cli.command()
@db_option
def duplicates(db_path: str) -> None:
    """List pairs of clinics that may be one clinic, for a person to decide with 'clinics decide'."""
    from clinics.decisions import possible_duplicates

    if not Path(db_path).exists():
        raise click.UsageError(f"no database at {db_path}")
    pairs = possible_duplicates(db_path)
    for pair in pairs:
        click.echo(f"{pair['clinic_id']} {pair['clinic_name']!r} ({pair['clinic_street'] or 'no street'})\n"
                   f"{pair['other_id']} {pair['other_name']!r} ({pair['other_street'] or 'no street'})\n"
                   f"  score {pair['score']}: {pair['reasons']}\n")
    click.echo(f"{len(pairs)} possible duplicate pair(s)")


@cli.command()
@db_option
@click.argument("clinic_id")
@click.argument("other_id")
@click.option("--same", "decision", flag_value="same", help="They are one clinic: OTHER_ID is merged into CLINIC_ID.")
@click.option("--not-same", "decision", flag_value="not_same", help="They are different clinics: keep them apart.")
@click.option("--note", help="Why (kept with the decision).")
@click.option("--by", "decided_by", help="Who decided (an email address or a name).")
def decide(db_path: str, clinic_id: str, other_id: str, decision: str | None, note: str | None,
           decided_by: str | None) -> None:
    """Record a person's decision about two clinics; every later crawl respects it."""
    from clinics.decisions import DecisionError
    from clinics.decisions import decide as record
    from clinics.lock import DatabaseLocked

    if decision is None:
        raise click.UsageError("say --same or --not-same")
    if not Path(db_path).exists():
        raise click.UsageError(f"no database at {db_path}")
    try:
        result = record(db_path, clinic_id, other_id, decision, note, decided_by)
    except DecisionError as error:
        raise click.UsageError(str(error)) from error
    except DatabaseLocked as error:
        click.echo(f"not recorded: {error}", err=True)
        sys.exit(2)
    click.echo(f"recorded: {other_id} {'is the same clinic as' if decision == 'same' else 'is not'} {clinic_id}; "
               f"rebuilt {result.clinics} clinics, {result.changes} changes, "
               f"{result.possible_duplicates} possible duplicate pair(s) left")


@cli.group()
def corrections() -> None:
    """Corrections people send about a listing: add one, list them, accept or reject one.

    See the README, "Report a wrong listing"."""


def _existing_db(db_path: str) -> None:
    if not Path(db_path).exists():
        raise click.UsageError(f"no database at {db_path}")


@corrections.command(name="add")
@db_option
@click.argument("clinic_id")
@click.option("--field", required=True, help="What is wrong: phone, accepting_new_patients, route:iv_infusion, "
              "language:Spanish, opening_hours, listing (remove or closed)... A wrong one lists every field.")
@click.option("--value", required=True, help="What it should be: yes, no or unknown for a fact; the text otherwise.")
@click.option("--note", required=True, help="What is wrong and how the sender knows (shown with the fact).")
@click.option("--by", "submitted_by", help="Who sent it (an email address or a name).")
def corrections_add(db_path: str, clinic_id: str, field: str, value: str, note: str, submitted_by: str | None) -> None:
    """Record a correction or a removal request, pending until a maintainer decides it."""
    from clinics.corrections import add_correction
    from db.corrections import CorrectionError

    _existing_db(db_path)
    try:
        result = add_correction(db_path, clinic_id, field, value, note, submitted_by)
    except CorrectionError as error:
        raise click.UsageError(str(error)) from error
    click.echo(f"correction #{result.correction_id} recorded, pending: accept it with "
               f"'clinics corrections accept {result.correction_id}' or reject it")


@corrections.command(name="list")
@db_option
@click.option("--status", type=click.Choice(["pending", "accepted", "rejected", "superseded"]))
def corrections_list(db_path: str, status: str | None) -> None:
    """List corrections, oldest first."""
    from clinics.corrections import list_corrections

    _existing_db(db_path)
    rows = list_corrections(db_path, status)
    for r in rows:
        decided = f"; {r['status']} by {r['decided_by'] or '?'} on {(r['decided_at'] or '')[:10]}" if r["decided_at"] \
            else ""
        click.echo(f"#{r['id']} [{r['status']}] {r['clinic_id']} {r['name']!r}: {r['field']} = {r['value']!r} "
                   f"({r['note']}; from {r['submitted_by'] or 'anonymous'} on {r['submitted_at'][:10]}{decided})"
                   + (f"\n    superseded: {r['superseded_reason']}" if r["superseded_reason"] else ""))
    click.echo(f"{len(rows)} correction(s)")


def _decide(db_path: str, correction_id: int, decision: str, decided_by: str | None, note: str | None) -> None:
    from clinics.corrections import decide_correction
    from clinics.lock import DatabaseLocked
    from db.corrections import CorrectionError

    _existing_db(db_path)
    try:
        result = decide_correction(db_path, correction_id, decision, decided_by, note)
    except CorrectionError as error:
        raise click.UsageError(str(error)) from error
    except DatabaseLocked as error:
        click.echo(f"not recorded: {error}", err=True)
        sys.exit(2)
    click.echo(f"correction #{correction_id} {result.status}; its region rebuilt (run {result.run_id}, "
               f"{result.changes} changes)")


@corrections.command(name="accept")
@db_option
@click.argument("correction_id", type=int)
@click.option("--by", "decided_by", help="Who checked it (an email address or a name).")
@click.option("--note", help="How it was checked.")
def corrections_accept(db_path: str, correction_id: int, decided_by: str | None, note: str | None) -> None:
    """Accept a correction: it outranks the crawl until the page it stands on changes."""
    _decide(db_path, correction_id, "accept", decided_by, note)


@corrections.command(name="reject")
@db_option
@click.argument("correction_id", type=int)
@click.option("--by", "decided_by", help="Who checked it (an email address or a name).")
@click.option("--note", help="Why it was rejected.")
def corrections_reject(db_path: str, correction_id: int, decided_by: str | None, note: str | None) -> None:
    """Reject a correction: the listing stays as the crawl read it, marked as checked by a person."""
    _decide(db_path, correction_id, "reject", decided_by, note)


@cli.command()
@click.argument("names", nargs=-1)
@click.option("--list", "list_state", metavar="STATE", help="List the counties of a state.")
@click.option("--json", "as_json", is_flag=True, help="Print the resolution as JSON.")
def regions(names, list_state: str | None, as_json: bool) -> None:
    """Explain what a region resolves to: its ZIP codes, cities, centroid and bounding box."""
    from core.regions import counties_in

    if list_state:
        click.echo("\n".join(counties_in(list_state)))
        return
    for name in names or (DEFAULT_REGION,):
        region = _region(name)
        if as_json:
            click.echo(json.dumps(region.to_json(), indent=2))
            continue
        click.echo(f"{region.name}: {len(region.zips)} ZIP codes ({len(region.query_zips)} active standard ZIPs "
                   f"queried at the NPI Registry), {len(region.cities)} cities")
        click.echo(f"  centroid {region.centroid[0]}, {region.centroid[1]}; bounding box (S,W,N,E) {region.bbox}")
        click.echo(f"  counties: {'; '.join(region.counties)} ({len(region.boxes)} OpenStreetMap area queries, "
                   f"one directory listing per county per directory)")
        click.echo(f"  seed list: {', '.join(f'seeds/{slug}.txt' for slug in region.slugs)}")
        click.echo(f"  cities: {', '.join(region.cities)}")


@cli.command()
@click.argument("source", type=click.File("rb"))
@click.option("--url", help="The page's URL, recorded as the source of every fact.")
@click.option("--explain", is_flag=True, help="Also list terms found but not counted as facts, and why.")
def extract(source, url: str | None, explain: bool) -> None:
    """Print the facts in one page (HTML or text; '-' reads stdin) as JSON."""
    from parsers.extract import extract_page

    content = source.read()
    if url is None and source.name != "<stdin>":
        url = Path(source.name).resolve().as_uri()
    result = extract_page(content, url=url)
    json.dump(result.to_json(explain=explain), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


@cli.command(name="changes")
@db_option
@click.option("--since", metavar="WHEN", help="Every change since a date (2024-05-01), an ISO timestamp "
              "(2024-05-01T09:30:00Z) or a time back (7d, 12h). Default: the latest run that recorded any.")
@click.option("--region", help='Only clinics of this region: its name as stored ("Orange County, CA") or as '
              "'clinics crawl --region' takes it.")
@click.option("--clinic", "clinic_id", metavar="ID", help="Only this clinic.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of the changes, values as stored.")
def changes_command(db_path: str, since: str | None, region: str | None, clinic_id: str | None, as_json: bool) -> None:
    """What changed, clinic by clinic: the latest run's changes, or every change since a time."""
    from clinics.changes import SinceError, format_changes, json_rows, parse_since, region_name, select_changes
    from core.regions import RegionError
    from db.schema import open_db

    try:
        cutoff = parse_since(since) if since is not None else None
    except SinceError as error:
        raise click.BadParameter(str(error), param_hint="'--since'") from None
    _existing_db(db_path)
    db = open_db(db_path)
    try:
        region = region_name(db, region) if region is not None else None
    except RegionError as error:
        raise click.UsageError(str(error)) from None
    selection = select_changes(db, cutoff, region, clinic_id)
    click.echo(json.dumps(json_rows(selection), indent=2) if as_json else format_changes(selection))


from clinics.export_cli import export  # noqa: E402 - the group registers after cli exists

cli.add_command(export)

from clinics.npi_cli import npi  # noqa: E402

cli.add_command(npi)


if __name__ == "__main__":
    cli()
