"""A built wheel carries every file the installed app reads at run time, not only the Python modules: the
Datasette templates and pages, the metadata, the directory list the crawler reads, the sample web."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

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


def test_the_wheel_holds_every_file_the_app_reads(tmp_path):
    # Built from a clean copy: a build/ or .egg-info/ left in the checkout would remember files the
    # configuration no longer packages.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(".*", "build", "*.egg-info", "__pycache__", "tests",
                                                                 "test-artifacts", "data", "benchmarks"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path), str(source)], check=True, cwd=tmp_path)
    wheel = next(tmp_path.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [path for path in RUNTIME_FILES if path not in names]
    assert not missing, f"not in {wheel.name}: {missing}"
    templates = {p.relative_to(ROOT).as_posix() for p in (ROOT / "datasette_config/templates").rglob("*.html")}
    assert templates <= names, templates - names
