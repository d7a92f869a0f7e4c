"""The sample web on loopback: each clinic site on its own 127.0.0.x address, plus NPI and Overpass stand-ins.

Sites live in ``sites/<slug>/`` and are listed in ``sites.json`` with their address, so per-host
politeness, robots.txt and "stay on the clinic's host" behave as on the real web. Files are served with
ETag and Last-Modified and answer conditional requests with 304, as real servers do. The API stand-ins
answer real query strings: the NPI Registry's ``postal_code``/``enumeration_type``/``limit``/``skip`` and
an Overpass QL query's bounding box, POSTed as ``data=`` (a ``[timeout:N]`` under 5 seconds gets the
answer of an overloaded server: HTTP 200, no elements, a "Query timed out" remark).

Run ``python -m sample_web.server [--root DIR] [--port N]``: it prints one JSON line with the base URLs.
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import json
import re
import socket
import sys
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

DEFAULT_ROOT = Path(__file__).parent
API_HOST = "127.0.0.1"
CONTENT_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/xml", ".txt": "text/plain; charset=utf-8",
                 ".json": "application/json"}
BBOX = re.compile(r"\(\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*\)")


@dataclass
class SampleWeb:
    root: Path
    port: int
    sites: dict[str, str]  # slug -> host

    @property
    def api_base(self) -> str:
        return f"http://{API_HOST}:{self.port}"

    def site_url(self, slug: str) -> str:
        return f"http://{self.sites[slug]}:{self.port}"

    def render(self, text: str, slug: str | None = None) -> str:
        if slug:
            text = text.replace("{{base}}", self.site_url(slug))
        return re.sub(r"\{\{site:([\w-]+)\}\}", lambda m: self.site_url(m.group(1)), text)

    def manifest(self) -> dict:
        return {"api": self.api_base, "sites": {slug: self.site_url(slug) for slug in self.sites}}


def load(root: Path) -> list[dict]:
    return json.loads((root / "sites.json").read_text())


class Handler(BaseHTTPRequestHandler):
    web: SampleWeb
    slug: str | None  # None for the API host
    server_version = "SampleWeb/1.0"

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass

    def do_GET(self):  # noqa: N802
        self._dispatch(body=None)

    def do_HEAD(self):  # noqa: N802
        self._dispatch(body=None)

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self._dispatch(body=self.rfile.read(length).decode("utf-8", "replace"))

    def _dispatch(self, body: str | None) -> None:
        url = urlparse(self.path)
        if self.slug is None:
            self._api(url, body)
        else:
            self._site(url.path)

    # Clinic sites -------------------------------------------------------------------------------------
    def _site(self, path: str) -> None:
        site_dir = self.web.root / "sites" / self.slug
        config = json.loads((site_dir / "_site.json").read_text()) if (site_dir / "_site.json").exists() else {}
        target = config.get("redirects", {}).get(path)
        if target:  # a site that sends the crawler elsewhere (tests of the address guard)
            return self._send(302, b"", ".html", {"Location": target})
        status = config.get("paths", {}).get(path) or config.get("status")
        if status:
            return self._send(int(status), b"<html><body><h1>Internal Server Error</h1></body></html>", ".html")
        file = _file_for(site_dir, path)
        if file is None:
            return self._send(404, b"<html><body><h1>Not found</h1></body></html>", ".html")
        content = self.web.render(file.read_text(encoding="utf-8"), self.slug).encode()
        self._send_conditional(content, file)

    def _send_conditional(self, content: bytes, file: Path) -> None:
        etag = '"' + hashlib.sha1(content).hexdigest()[:16] + '"'
        modified = int(file.stat().st_mtime)
        headers = {"ETag": etag, "Last-Modified": email.utils.formatdate(modified, usegmt=True)}
        if self._not_modified(etag, modified):
            return self._send(304, b"", file.suffix, headers)
        self._send(200, content, file.suffix or ".html", headers)

    def _not_modified(self, etag: str, modified: int) -> bool:
        if self.headers.get("If-None-Match"):
            return etag in [t.strip() for t in self.headers["If-None-Match"].split(",")]
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return modified <= email.utils.parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False

    # API stand-ins ------------------------------------------------------------------------------------
    def _api(self, url, body: str | None) -> None:
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        failing = self._failing_apis()
        if url.path.rstrip("/") == "/npi/api":
            if "npi" in failing:
                return self._json(failing["npi"], {"Errors": [{"description": "service unavailable"}]})
            return self._json(200, npi_answer(self.web.root, query))
        if url.path == "/overpass/api/interpreter":
            data = parse_qs(body or "").get("data", [None])[-1] if body else query.get("data")
            status, answer = overpass_answer(self.web.root, data)
            return self._json(status, answer)
        seeds = re.fullmatch(r"/seeds/([a-z0-9-]+)\.txt", url.path)
        if seeds:  # the region's seed list, as a user keeps it beside the project (seeds/<region slug>.txt)
            file = self.web.root / "api" / "seeds" / f"{seeds.group(1)}.txt"
            if not file.is_file():
                return self._send(404, b"no seed list for this region\n", ".txt")
            return self._send(200, self.web.render(file.read_text()).encode(), ".txt")
        if url.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nAllow: /\n", ".txt")
        self._send(404, b'{"error": "not found"}', ".json")

    def _failing_apis(self) -> dict[str, int]:
        """``api/_failing.json`` ({"npi": 503}) makes an API stand-in answer that status (a test's outage)."""
        file = self.web.root / "api" / "_failing.json"
        return json.loads(file.read_text()) if file.is_file() else {}

    def _json(self, status: int, data: dict) -> None:
        self._send(status, self.web.render(json.dumps(data)).encode(), ".json")

    def _send(self, status: int, content: bytes, suffix: str, headers: dict | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", CONTENT_TYPES.get(suffix, "text/html; charset=utf-8"))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if status != 304:
            self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if self.command != "HEAD" and status != 304:
            self.wfile.write(content)


def _file_for(site_dir: Path, path: str) -> Path | None:
    relative = path.lstrip("/")
    if ".." in relative.split("/") or relative.startswith("_site"):
        return None
    candidates = [site_dir / relative / "index.html"] if (not relative or relative.endswith("/")) else [
        site_dir / relative, site_dir / relative / "index.html"]
    return next((c for c in candidates if c.is_file()), None)


def npi_answer(root: Path, query: dict) -> dict:
    """What NPPES v2.1 answers: errors as HTTP 200 with an `Errors` list, else result_count and results."""
    if query.get("version") != "2.1":
        return {"Errors": [{"description": "Version is required and must be 2.1", "field": "version", "number": "15"}]}
    criteria = {k: v for k, v in query.items() if k not in ("version", "limit", "skip", "pretty") and v}
    if not criteria or set(criteria) <= {"enumeration_type", "country_code"}:
        return {"Errors": [{"description": "No valid search criteria provided", "field": "generic", "number": "04"}]}
    try:
        limit, skip = int(query.get("limit", 10)), int(query.get("skip", 0))
    except ValueError:
        return {"Errors": [{"description": "limit and skip must be numbers", "field": "limit", "number": "20"}]}
    if not 1 <= limit <= 200 or not 0 <= skip <= 1000:
        return {"Errors": [{"description": "limit must be 1-200 and skip at most 1000", "field": "skip",
                            "number": "20"}]}
    records = json.loads((root / "api" / "npi_results.json").read_text())
    matches = [r for r in records if _npi_matches(r, criteria)]
    page = matches[skip:skip + limit]
    return {"result_count": len(page), "results": page}


def _npi_matches(record: dict, criteria: dict) -> bool:
    if criteria.get("enumeration_type") and record.get("enumeration_type") != criteria["enumeration_type"]:
        return False
    places = [a for a in record.get("addresses", []) if a.get("address_purpose") == "LOCATION"]
    places += record.get("practiceLocations") or []
    if criteria.get("postal_code"):
        prefix = criteria["postal_code"].rstrip("*")
        if not any(str(a.get("postal_code", "")).startswith(prefix) for a in places):
            return False
    if criteria.get("state") and not any(a.get("state") == criteria["state"] for a in places):
        return False
    if criteria.get("number") and record.get("number") != criteria["number"]:
        return False
    wanted = criteria.get("taxonomy_description", "").lower()
    if wanted and not any(wanted in (t.get("desc") or "").lower() for t in record.get("taxonomies") or []):
        return False
    return True


def overpass_answer(root: Path, ql: str | None) -> tuple[int, dict]:
    """The elements inside the query's bounding box, in Overpass's JSON envelope; 400 for a query it can't read."""
    if not ql or "[out:json]" not in ql.replace(" ", ""):
        return 400, {"remark": "runtime error: the sample Overpass only answers [out:json] queries", "elements": []}
    match = BBOX.search(ql)
    if not match:
        return 400, {"remark": "runtime error: the sample Overpass needs a (south,west,north,east) bounding box",
                     "elements": []}
    timeout = re.search(r"\[timeout:(\d+)\]", ql)
    if timeout and int(timeout.group(1)) < 5:  # what an overloaded Overpass does: HTTP 200, no elements, a remark
        return 200, {**_overpass_envelope(), "elements": [],
                     "remark": f'runtime error: Query timed out in "query" at line 3 after {timeout.group(1)} seconds.'}
    south, west, north, east = map(float, match.groups())
    elements = json.loads((root / "api" / "overpass_elements.json").read_text())
    inside = [e for e in elements if south <= _lat(e) <= north and west <= _lon(e) <= east]
    return 200, {**_overpass_envelope(), "elements": inside}


def _overpass_envelope() -> dict:
    return {
        "version": 0.6, "generator": "Overpass API 0.7.62 (sample web)",
        "osm3s": {"timestamp_osm_base": "2026-11-01T00:00:00Z", "timestamp_areas_base": "2026-11-01T00:00:00Z",
                  "copyright": "The data included in this document is from www.openstreetmap.org. "
                               "The data is made available under ODbL."},
    }


def _lat(element: dict) -> float:
    return float(element.get("lat", (element.get("center") or {}).get("lat", 0)))


def _lon(element: dict) -> float:
    return float(element.get("lon", (element.get("center") or {}).get("lon", 0)))


def serve(root: Path = DEFAULT_ROOT, port: int = 0) -> tuple[SampleWeb, list[ThreadingHTTPServer]]:
    """Start every host in background threads on one port; returns the web and its servers (to shut down)."""
    sites = load(root)
    for _attempt in range(20):
        chosen = port or _free_port()
        web = SampleWeb(root=root, port=chosen, sites={s["slug"]: s["host"] for s in sites})
        servers: list[ThreadingHTTPServer] = []
        try:
            for host, slug in [(API_HOST, None), *((s["host"], s["slug"]) for s in sites)]:
                handler = type("SiteHandler", (Handler,), {"web": web, "slug": slug})
                servers.append(ThreadingHTTPServer((host, chosen), handler))
        except OSError:
            for server in servers:
                server.server_close()
            if port:
                raise
            continue
        for server in servers:
            server.daemon_threads = True
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return web, servers
    raise OSError("could not find a port free on every sample-web address")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((API_HOST, 0))
        return s.getsockname()[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=DEFAULT_ROOT, help="a sample web directory (default: bundled)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    web, _ = serve(args.root, args.port)
    print(json.dumps(web.manifest()), flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()


class RunningSampleWeb:
    """The sample web in a child process (so crawls measure real HTTP, not a shared interpreter)."""

    def __init__(self, root: Path = DEFAULT_ROOT, port: int = 0):
        """port 0 picks a free port; the demo asks for a fixed one so site URLs stay the same between runs."""
        self.root, self.port = root, port
        self.process = None
        self.manifest: dict = {}

    def __enter__(self) -> RunningSampleWeb:
        import subprocess

        self.process = subprocess.Popen(
            self.command(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL if self.port else None, text=True,
            cwd=Path(__file__).parent.parent)
        line = self.process.stdout.readline()
        if not line and self.port:  # the fixed port is taken (another demo?): any free port will do
            self.process.wait()
            self.port = 0
            return self.__enter__()
        if not line:
            raise RuntimeError(f"the sample web did not start (exit code {self.process.wait()})")
        self.manifest = json.loads(line)
        return self

    def command(self) -> list[str]:
        """The server's command line: one JSON line on stdout (the manifest) once it listens."""
        return [sys.executable, "-m", "sample_web.server", "--root", str(self.root), "--port", str(self.port)]

    @property
    def api_base(self) -> str:
        return self.manifest["api"]

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
