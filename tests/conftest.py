"""Shared fixtures: paths to the test data and a loader for written example pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.editable_web import web  # noqa: F401 - a fixture shared by the re-crawl and region tests

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent


@pytest.fixture
def page():
    """Read a written example page from tests/data/pages."""
    return lambda name: (DATA / "pages" / name).read_text(encoding="utf-8")


@pytest.fixture
def seed():
    """Read one of the project's seed documents (general education text, not clinic pages)."""
    return lambda name: (DATA / "seeds" / name).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    """The demo as a user runs it (`clinics demo --no-serve`), once per session, in its own process."""
    import subprocess
    import sys

    db_path = tmp_path_factory.mktemp("demo") / "clinics.db"
    clinics = Path(sys.executable).parent / "clinics"
    done = subprocess.run([str(clinics), "demo", "--no-serve", "--db", str(db_path)], capture_output=True, text=True,
                          timeout=600, cwd=ROOT)
    assert done.returncode == 0, f"demo failed ({done.returncode}):\n{done.stdout}\n{done.stderr[-3000:]}"
    return db_path


@pytest.fixture(scope="session")
def sample_web():
    """The bundled sample web on a free port, for spider tests."""
    from sample_web.server import RunningSampleWeb

    with RunningSampleWeb() as running:
        yield running


@pytest.fixture
def tab(browser, size):
    """A browser tab of the test's ``size`` (tests/front_door_support.py SIZES) that may only reach loopback; no
    script may have run (a dialog) by the end. ``browser`` comes from tests/test_browser.py."""
    from tests.front_door_support import open_tab

    opened = open_tab(browser, size)
    yield opened
    assert not opened.dialogs, f"a script ran: {opened.dialogs}"
    opened.context.close()
