"""A built wheel is the app: it carries every file the installed app reads at run time (templates, metadata, the
directory list, the sample web), and installed into a fresh virtual environment, away from the checkout, it runs
the demo and serves the site with its own pages through its Datasette plugin."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_FILES = [  # what the code opens by path beside itself
    "datasette_config/metadata.yml",
    "datasette_config/templates/index.html",
    "datasette_config/templates/compare.html",
    "datasette_config/plugins/clinic_page.py",
    "crawlers/directories.yml",
    "sample_web/sites.json",
    "core/regions.py",
]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    # Built from a clean copy: a build/ or .egg-info/ left in the checkout would remember files the
    # configuration no longer packages.
    where = tmp_path_factory.mktemp("wheel")
    source = where / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".*", "build", "*.egg-info", "__pycache__", "tests",
                                                                 "test-artifacts", "data", "benchmarks"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(where), str(source)], check=True, cwd=where)
    return next(where.glob("*.whl"))


def test_the_wheel_holds_every_file_the_app_reads(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [path for path in RUNTIME_FILES if path not in names]
    assert not missing, f"not in {wheel.name}: {missing}"
    templates = {p.relative_to(ROOT).as_posix() for p in (ROOT / "datasette_config/templates").rglob("*.html")}
    assert templates <= names, templates - names
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "[datasette]" in entry_points and "datasette_config" in entry_points, "the Datasette plugin is not declared"


def _get(url: str, attempts: int = 60) -> str:
    for _ in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.read().decode()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"no answer from {url}")


def test_the_installed_wheel_runs_the_demo_and_serves_the_site(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # Its dependencies come from the package index, as for any user (pip's cache makes a second run quick).
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], check=True,
                   timeout=900)
    work = tmp_path / "elsewhere"  # not the checkout: nothing can be imported or read from it
    work.mkdir()
    clinics, db_path = str(venv / "bin" / "clinics"), work / "clinics.db"
    done = subprocess.run([clinics, "demo", "--no-serve", "--region", "Orange County, CA", "--db", str(db_path)],
                          cwd=work, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    with sqlite3.connect(db_path) as db:
        clinic_id, active = db.execute("select min(id), count(*) from clinics where status = 'active'").fetchone()
    assert active >= 10, f"the installed demo built {active} active clinics"

    port = free_port()
    server = subprocess.Popen([clinics, "serve", "--db", str(db_path), "--port", str(port)], cwd=work,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        clinic_page = _get(f"http://127.0.0.1:{port}/clinics/clinics/{clinic_id}")
        assert "Before you call" in clinic_page and "Where this listing comes from" in clinic_page
        assert "Compare clinics" in _get(f"http://127.0.0.1:{port}/compare")
    finally:
        server.terminate()
        server.wait(timeout=30)
