"""A private copy of the sample web that a test edits between crawls (the `web` fixture in conftest.py)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sample_web.server import DEFAULT_ROOT, RunningSampleWeb
from tests.sample_web_expectations import EXPECTED


class EditableWeb:
    """A private copy of the sample web, served on loopback, that a test can change between crawls."""

    def __init__(self, root: Path):
        self.root = root

    def page(self, slug: str, path: str) -> Path:
        return self.root / "sites" / slug / path

    def edit(self, slug: str, path: str, old: str, new: str, touch_sitemap: bool = True) -> None:
        """Change a page as its CMS would: the text, and the page's <lastmod> in the site's sitemaps (unless
        ``touch_sitemap`` is False: a sitemap that lies)."""
        file = self.page(slug, path)
        text = file.read_text()
        assert old in text, f"{old!r} not in {file}"
        file.write_text(text.replace(old, new))
        if touch_sitemap:
            self._touch_lastmod(slug, "/" + path.removesuffix("index.html"))

    def _touch_lastmod(self, slug: str, url_path: str) -> None:
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        loc = re.escape(f"<loc>{{{{base}}}}{url_path}</loc>")
        for sitemap in (self.root / "sites" / slug).glob("*.xml"):
            text = sitemap.read_text()
            sitemap.write_text(re.sub(rf"({loc}\s*<lastmod>)[^<]*(</lastmod>)", rf"\g<1>{now}\g<2>", text))

    def take_down(self, slug: str) -> None:
        (self.root / "sites" / slug / "_site.json").write_text('{"status": 503}')

    def bring_up(self, slug: str) -> None:
        (self.root / "sites" / slug / "_site.json").unlink()

    def fail_api(self, name: str, status: int = 503) -> None:
        """Make an API stand-in ("npi") answer ``status`` to every query."""
        (self.root / "api" / "_failing.json").write_text(json.dumps({name: status}))

    def add_npi_record(self, record: dict) -> None:
        file = self.root / "api" / "npi_results.json"
        file.write_text(json.dumps([*json.loads(file.read_text()), record]))

    def remove_from_every_source(self, slug: str) -> None:
        listings = EXPECTED[slug]["listings"]
        api = self.root / "api"
        npi = [r for r in json.loads((api / "npi_results.json").read_text()) if r["number"] not in listings["npi"]]
        (api / "npi_results.json").write_text(json.dumps(npi))
        osm = [e for e in json.loads((api / "overpass_elements.json").read_text())
               if f"{e['type']}/{e['id']}" not in listings["osm"]]
        (api / "overpass_elements.json").write_text(json.dumps(osm))
        seeds = (api / "seeds" / "orange-county-ca.txt").read_text().splitlines()
        (api / "seeds" / "orange-county-ca.txt").write_text("\n".join(line for line in seeds if f"site:{slug}" not in line))
        self._remove_from_directory(slug, self.page("ketamine-clinic-finder", "us/ca/orange-county/index.html"))

    @staticmethod
    def _remove_from_directory(slug: str, page: Path) -> None:
        """Drop the clinic's entry from the directory page's JSON-LD ItemList (what the directory spider reads)."""
        html = page.read_text()
        start = html.index(">", html.index('<script type="application/ld+json"')) + 1
        end = html.index("</script>", start)
        data = json.loads(html[start:end])
        data["itemListElement"] = [e for e in data["itemListElement"] if f"site:{slug}" not in json.dumps(e)]
        page.write_text(html[:start] + json.dumps(data) + html[end:])


@pytest.fixture
def web(tmp_path):
    """(EditableWeb, RunningSampleWeb): a copy of the sample web served on loopback, yours to change."""
    root = tmp_path / "sample_web"
    shutil.copytree(DEFAULT_ROOT, root, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    with RunningSampleWeb(root) as running:
        yield EditableWeb(root), running
