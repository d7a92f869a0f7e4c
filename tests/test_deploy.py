"""The deployment is true: the Dockerfile, its build context and every systemd unit, script and command in
docs/deploy.md say what the app really does, checked against the `clinics` command itself, so the guide fails here
when a command or an option changes. Where a Docker daemon answers, the image is built, started and asked for its
pages; elsewhere that test is skipped and says why."""

from __future__ import annotations

import datetime
import http.server
import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
import tomllib
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest

from clinics.cli import cli

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
VENV = "/opt/clinics/venv"  # where the guide installs the app
NOTIFY_SCRIPT = "/usr/local/bin/clinics-notify"
PUBLISHED = "/srv/clinics"  # where the image serves from
EXEC_KEYS = ("ExecCondition", "ExecStartPre", "ExecStart", "ExecStartPost", "ExecReload", "ExecStop", "ExecStopPost")


# --- reading the Dockerfile ---------------------------------------------------------------------------------------

@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)


def dockerfile_stages(text: str = DOCKERFILE) -> list[Stage]:
    """The stages in order, each with its instructions (continuations joined, comments dropped)."""
    stages: list[Stage] = []
    joined = ""
    for line in text.splitlines():
        if line.strip().startswith("#"):
            continue
        joined += line.rstrip()
        if joined.endswith("\\"):
            joined = joined[:-1] + " "
            continue
        if joined.strip():
            keyword, _, rest = joined.strip().partition(" ")
            keyword, rest = keyword.upper(), rest.strip()
            if keyword == "FROM":
                image, alias = re.fullmatch(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", rest, re.I).groups()
                stages.append(Stage(alias or str(len(stages)), image))
            else:
                stages[-1].instructions.append((keyword, rest))
        joined = ""
    return stages


def effective(stage_name: str) -> list[tuple[str, str]]:
    """A stage's instructions with those it inherits from the stages it is built FROM."""
    stages = {stage.name: stage for stage in dockerfile_stages()}
    stage = stages[stage_name]
    inherited = effective(stage.base) if stage.base in stages else []
    return [*inherited, *stage.instructions]


def last(instructions: list[tuple[str, str]], keyword: str) -> str | None:
    values = [rest for key, rest in instructions if key == keyword]
    return values[-1] if values else None


def exec_form(value: str | None) -> list[str]:
    if value is None:
        return []
    return json.loads(value) if value.startswith("[") else ["/bin/sh", "-c", value]


def served_command(stage_name: str) -> list[str]:
    instructions = effective(stage_name)
    return exec_form(last(instructions, "ENTRYPOINT")) + exec_form(last(instructions, "CMD"))


def serving_stages() -> list[str]:
    """The stages that are images of the site: the default (last) one and any whose command serves."""
    names = [stage.name for stage in dockerfile_stages()]
    return [name for name in names if name == names[-1] or name == "demo"]


# --- reading the guide --------------------------------------------------------------------------------------------

def unit_files() -> dict[str, str]:
    """Every ```ini block of the guide whose first line is `# /etc/systemd/system/NAME`: NAME -> the unit's text."""
    blocks = re.findall(r"```ini\n# /etc/systemd/system/(\S+)\n(.*?)```", GUIDE, re.S)
    assert blocks, "docs/deploy.md has no ```ini block starting with '# /etc/systemd/system/NAME'"
    return dict(blocks)


def parse_unit(text: str) -> dict[str, dict[str, list[str]]]:
    """A unit's sections, each key with all its values in order (systemd allows a key more than once)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def units() -> dict[str, dict[str, dict[str, list[str]]]]:
    return {name: parse_unit(text) for name, text in unit_files().items()}


def one(unit: dict, section: str, key: str) -> str:
    values = unit.get(section, {}).get(key, [])
    assert len(values) == 1, f"[{section}] {key}= should be set once, found {values}"
    return values[0]


def words_of(unit: dict, section: str, key: str) -> list[str]:
    return " ".join(unit.get(section, {}).get(key, [])).split()


def systemd_command(value: str) -> list[str]:
    """An Exec*= line as the process sees it: prefixes (-, +, !, @, :) off, $$ and %% unescaped."""
    return split_shell(value.lstrip("-+!@:").replace("$$", "$").replace("%%", "%"))


def sh_blocks() -> list[str]:
    return re.findall(r"```sh\n(.*?)```", GUIDE, re.S)


def script(path: str) -> str:
    """The guide's ```sh block that names ``path`` on its second line (after the #! line)."""
    for block in sh_blocks():
        lines = block.splitlines()
        if lines[0].startswith("#!") and lines[1].startswith(f"# {path}"):
            return block
    raise AssertionError(f"docs/deploy.md writes out no script {path}")


# --- commands -----------------------------------------------------------------------------------------------------

def split_shell(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    return list(lexer)


def shell_lines(block: str):
    """The command lines of a shell block: continuations joined, a quote left open continued on the next line."""
    pending = ""
    for line in block.splitlines():
        pending += line + "\n"
        if line.rstrip().endswith("\\"):
            pending = pending.rstrip()[:-1] + " "
            continue
        try:
            words = split_shell(pending)
        except ValueError:  # an open quote: the command goes on
            continue
        pending = ""
        if words:
            yield words


def clinics_calls(words: list[str]):
    """The arguments of every `clinics` run in a command line: directly, through `sudo`, `sh -c`, a Dockerfile
    RUN, or `docker run ... clinics-site ARGS` (the image's entrypoint is `clinics`)."""
    segment: list[str] = []
    for word in [*words, ";"]:
        if word not in {";", "&&", "||", "|", "&", "(", ")"}:
            segment.append(word)
            continue
        if segment and Path(segment[0]).name in {"sh", "bash"} and "-c" in segment:
            yield from clinics_calls(split_shell(segment[segment.index("-c") + 1]))
        elif segment[:2] == ["docker", "run"]:
            # The image is the last word naming it (`--name clinics-site` may come before it).
            images = [i for i, w in enumerate(segment) if re.fullmatch(r"clinics-site(:[\w.-]+)?", w)]
            if images and segment[images[-1] + 1:]:
                yield segment[images[-1] + 1:]
        else:
            for i, w in enumerate(segment):
                if w.endswith("/bin/clinics") or (i == 0 and w == "clinics"):
                    yield segment[i + 1:]
                    break
        segment = []


def check_clinics_command(args: list[str]) -> str | None:
    """What is wrong with `clinics ARGS` as the real command line would see it (None: nothing)."""
    command, path, rest = cli, ["clinics"], list(args)
    while isinstance(command, click.Group):
        if not rest:
            return f"'{' '.join(path)}' needs a command"
        name = rest.pop(0)
        if name not in command.commands:
            return f"'{' '.join(path)} {name}': no such command (there are: {', '.join(sorted(command.commands))})"
        command, path = command.commands[name], [*path, name]
    own = rest[:rest.index("--")] if "--" in rest else rest
    known = {opt for param in command.params if isinstance(param, click.Option)
             for opt in [*param.opts, *param.secondary_opts]}
    unknown = [w for w in own if w.startswith("--") and w.partition("=")[0] not in known]
    if unknown:  # `clinics serve` hands unknown options to Datasette: here only what follows -- may go there
        return f"'{' '.join(path)}' has no option {unknown[0]} (it has: {', '.join(sorted(known))})"
    try:
        command.make_context(" ".join(path), list(rest))
    except click.ClickException as error:
        return f"'{' '.join(path)} {shlex.join(rest)}': {error.format_message()}"
    return None


def guide_commands() -> list[tuple[str, list[str]]]:
    """(where, args) for every `clinics` command the guide's units and shell blocks run."""
    found = []
    for name, unit in units().items():
        for key in EXEC_KEYS:
            for value in unit.get("Service", {}).get(key, []):
                found += [(f"{name} {key}=", args) for args in clinics_calls(systemd_command(value))]
    for block in sh_blocks():
        for words in shell_lines(block):
            found += [("docs/deploy.md", args) for args in clinics_calls(words)]
    for span in re.findall(r"`((?:clinics|docker run) [^`]*)`", GUIDE):  # commands in the text
        found += [("docs/deploy.md", args) for words in shell_lines(span) for args in clinics_calls(words)]
    return found


def dockerfile_commands() -> list[tuple[str, list[str]]]:
    found = []
    for stage in dockerfile_stages():
        for keyword, rest in stage.instructions:
            if keyword == "RUN":
                found += [(f"Dockerfile {stage.name} RUN", args) for args in clinics_calls(split_shell(rest))]
        if any(keyword in {"CMD", "ENTRYPOINT"} for keyword, _ in stage.instructions):
            found += [(f"Dockerfile {stage.name} CMD", args) for args in clinics_calls(served_command(stage.name))]
    return found


def option(args: list[str], name: str) -> str | None:
    return args[args.index(name) + 1] if name in args else None


# --- the Dockerfile -----------------------------------------------------------------------------------------------

def test_the_image_is_python_3_11_on_a_pinned_debian_slim_release():
    stages = dockerfile_stages()
    names = {stage.name for stage in stages}
    bases = [stage.base for stage in stages if stage.base not in names]
    assert bases, "the Dockerfile has no FROM"
    for base in bases:
        assert re.fullmatch(r"python:3\.11-slim-(bookworm|trixie|bullseye)(@sha256:[0-9a-f]{64})?", base), \
            f"FROM {base}: use python:3.11-slim-<Debian release> (slim, and pinned to a release)"


def test_the_image_installs_the_app_from_this_repository_and_keeps_only_its_environment():
    stages = dockerfile_stages()
    builders = [stage for stage in stages
                if ("COPY", ". .") in stage.instructions
                and any(re.search(r"pip install --no-cache-dir \.$", rest) for key, rest in stage.instructions
                        if key == "RUN")]
    assert builders, "no stage copies the repository (COPY . .) and runs pip install --no-cache-dir ."
    builder = builders[0].name
    for name in serving_stages():
        instructions = effective(name)
        assert any(key == "COPY" and rest.startswith(f"--from={builder} ") for key, rest in instructions), \
            f"stage {name} does not take the installed environment from {builder}"
        assert ("COPY", ". .") not in instructions, f"stage {name} holds the whole source"
        for key, rest in instructions:
            assert not (key == "RUN" and re.search(r"apt-get install|build-essential|gcc", rest)), \
                f"stage {name} installs build tools: {rest}"
            assert not (key == "COPY" and re.search(r"\b(tests|benchmarks)\b", rest)), f"{name}: COPY {rest}"


def test_the_site_runs_as_a_system_user_not_root():
    for name in serving_stages():
        instructions = effective(name)
        user = last(instructions, "USER")
        assert user and user.split(":")[0] not in {"root", "0"}, f"stage {name} runs as {user or 'root'}"
        assert any(key == "RUN" and re.search(rf"useradd\b.*--system\b.*\b{re.escape(user)}$", rest)
                   for key, rest in instructions), f"stage {name}: the user {user} is not made with useradd --system"


def test_the_image_serves_the_published_copy_and_checks_its_own_health():
    for name in serving_stages():
        instructions = effective(name)
        command = served_command(name)
        calls = list(clinics_calls(command))
        assert calls, f"stage {name} runs {command}, not clinics"
        args = calls[0]
        assert args[0] == "serve" and option(args, "--published") == PUBLISHED, f"stage {name} runs {command}"
        assert option(args, "--host") == "0.0.0.0", "in a container the server must listen on every interface"
        port = option(args, "--port")
        assert f"{port}" in (last(instructions, "EXPOSE") or "").split(), f"stage {name} does not EXPOSE {port}"
        health = last(instructions, "HEALTHCHECK")
        assert health, f"stage {name} has no HEALTHCHECK"
        probe = exec_form(health.split(" CMD ", 1)[1].strip())
        assert probe[0] in {"python", "python3", "/opt/clinics/bin/python"} and "urllib.request" in probe[-1], \
            "the health check uses the image's own Python (slim has no curl)"
        assert f"http://127.0.0.1:{port}/-/versions.json" in probe[-1]


def test_the_default_image_serves_a_mounted_publish_and_the_demo_image_a_baked_in_one():
    stages = dockerfile_stages()
    default = stages[-1]
    assert any(key == "VOLUME" and PUBLISHED in exec_form(rest) for key, rest in default.instructions), \
        f"the default stage ({default.name}) does not declare the volume {PUBLISHED}"
    demo = {stage.name: stage for stage in stages}["demo"]
    copies = [rest.split() for key, rest in demo.instructions if key == "COPY" and rest.startswith("--from=")]
    assert any(words[-1] == PUBLISHED for words in copies), f"the demo stage puts nothing in {PUBLISHED}"
    source_stage, source = next((words[0].split("=", 1)[1], words[1]) for words in copies if words[-1] == PUBLISHED)
    made = [args for where, args in dockerfile_commands() if where.startswith(f"Dockerfile {source_stage} RUN")]
    assert [args[0] for args in made] == ["demo", "publish"], made
    assert option(made[0], "--db") == option(made[1], "--db") and "--no-serve" in made[0]
    assert made[1][1] == source, f"the demo stage copies {source} but the publish wrote {made[1][1]}"


def test_every_clinics_command_in_the_dockerfile_is_real(monkeypatch):
    monkeypatch.delenv("CLINICS_CONTACT", raising=False)
    commands = dockerfile_commands()
    assert {args[0] for _, args in commands} >= {"serve", "demo", "publish"}
    problems = [f"{where}: {problem}" for where, args in commands if (problem := check_clinics_command(args))]
    assert not problems, "\n".join(problems)


# --- the build context --------------------------------------------------------------------------------------------

def dockerignore() -> list[tuple[bool, re.Pattern]]:
    """.dockerignore as Docker reads it: (is an exception, pattern), in order; the last match decides."""
    patterns = []
    for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        text = line.lstrip("!").strip("/")
        regex = ""
        i = 0
        while i < len(text):
            if text.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif text.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif text[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif text[i] == "?":
                regex, i = regex + "[^/]", i + 1
            elif text[i] == "[":
                end = text.index("]", i)
                regex, i = regex + text[i:end + 1], end + 1
            else:
                regex, i = regex + re.escape(text[i]), i + 1
        patterns.append((negated, re.compile(regex)))
    return patterns


def in_context(path: str, patterns=None) -> bool:
    """Whether the build context holds ``path``: a pattern matching the path or a folder above it decides."""
    patterns = dockerignore() if patterns is None else patterns
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    excluded = False
    for negated, regex in patterns:
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            excluded = not negated
    return not excluded


def test_the_build_context_holds_every_file_the_package_needs():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    needed = ["pyproject.toml", project["project"]["readme"]]
    includes = project["tool"]["setuptools"]["packages"]["find"]["include"]
    packages = [p for p in ROOT.iterdir() if (p / "__init__.py").is_file()
                and any(re.fullmatch(pattern.replace("*", ".*"), p.name) for pattern in includes)]
    assert {p.name for p in packages} >= {"clinics", "sample_web", "datasette_config"}
    for package in packages:
        needed += [f.relative_to(ROOT).as_posix() for f in package.rglob("*")
                   if f.is_file() and "__pycache__" not in f.parts]
    copied = [rest.split()[-2] for stage in dockerfile_stages() for key, rest in stage.instructions
              if key == "COPY" and not rest.startswith("--from=") and rest != ". ."]
    needed += copied  # what the Dockerfile copies by name (seeds/)
    patterns = dockerignore()
    missing = [path for path in needed if not in_context(path, patterns)]
    assert not missing, f".dockerignore leaves out files the image needs: {missing[:10]}"


@pytest.mark.parametrize("path", [
    ".git/HEAD", ".venv/bin/python", "data/clinics.db", "data/clinics.db-wal", "tests/test_deploy.py",
    "benchmarks/run.py", "test-artifacts/screenshots/home.png", ".pytest_cache/README.md", ".ruff_cache/x",
    ".hypothesis/examples/x", ".scrapy/x", "docs/deploy.md", "build/lib/clinics/cli.py",
    "ketamine_clinic_directory.egg-info/PKG-INFO", "clinics/__pycache__/cli.cpython-311.pyc", "sample_web/x.db",
])
def test_the_build_context_leaves_out_what_the_image_does_not_need(path):
    assert not in_context(path), f"{path} is sent to the Docker build"


# --- the systemd units --------------------------------------------------------------------------------------------

EXPECTED_UNITS = {"clinics-site.service", "clinics-crawl.service", "clinics-crawl.timer", "clinics-publish.service",
                  "clinics-notify@.service", "clinics-backup.service", "clinics-backup.timer"}


def test_the_guide_writes_out_every_unit_it_uses():
    written = set(unit_files())
    assert written >= EXPECTED_UNITS, f"not written out: {EXPECTED_UNITS - written}"
    named = set(re.findall(r"\bclinics-[\w-]+@?\.(?:service|timer)\b", GUIDE))
    named = {re.sub(r"@.+\.service$", "@.service", name) for name in named}  # an instance of a written template
    assert named <= written, f"the guide names units it does not write out: {named - written}"
    for name, unit in units().items():
        if name.endswith(".timer"):
            assert name.replace(".timer", ".service") in written, f"{name} starts a unit the guide does not write"
            assert unit["Timer"].get("OnCalendar") and one(unit, "Timer", "Persistent") == "true"
            assert one(unit, "Install", "WantedBy") == "timers.target"


def test_every_service_runs_as_the_clinics_user():
    for name, unit in units().items():
        if name.endswith(".service"):
            assert one(unit, "Service", "User") == "clinics", f"{name} does not run as the clinics user"


def test_a_partial_crawl_is_a_failed_unit_that_notifies_and_still_publishes():
    crawl = units()["clinics-crawl.service"]
    assert one(crawl, "Service", "Type") == "oneshot"
    assert "1" not in words_of(crawl, "Service", "SuccessExitStatus"), \
        "exit 1 (partial) must fail the unit, so OnFailure= tells someone"
    assert "clinics-notify@%n.service" in words_of(crawl, "Unit", "OnFailure")
    assert "clinics-publish.service" in words_of(crawl, "Unit", "OnFailure")
    assert "clinics-publish.service" in words_of(crawl, "Unit", "OnSuccess")
    args = next(clinics_calls(systemd_command(one(crawl, "Service", "ExecStart"))))
    assert args[0] == "crawl" and "--quiet" in args and option(args, "--log-file")
    for name in ("clinics-publish.service", "clinics-backup.service"):
        assert "clinics-notify@%n.service" in words_of(units()[name], "Unit", "OnFailure"), name


@pytest.fixture
def fake_bin(tmp_path):
    """A folder put first on PATH, for stand-ins of systemctl, journalctl and mail."""
    folder = tmp_path / "bin"
    folder.mkdir()

    def add(name: str, body: str) -> None:
        (folder / name).write_text("#!/bin/sh\n" + body, encoding="utf-8")
        (folder / name).chmod(0o755)

    add.path = f"{folder}{os.pathsep}{os.environ['PATH']}"
    return add


@pytest.mark.parametrize(("result", "status", "publishes"), [
    ("success", "0", True), ("exit-code", "1", True), ("exit-code", "2", False), ("exit-code", "3", False),
    ("exit-code", "4", False), ("timeout", "0", False),
])
def test_the_publish_goes_ahead_after_a_complete_or_partial_crawl_only(fake_bin, result, status, publishes):
    fake_bin("systemctl", 'for a in "$@"; do case "$a" in --property=Result) echo "$RESULT";; '
                          '--property=ExecMainStatus) echo "$STATUS";; esac; done\n')
    condition = systemd_command(one(units()["clinics-publish.service"], "Service", "ExecCondition"))
    done = subprocess.run(condition, env={**os.environ, "PATH": fake_bin.path, "RESULT": result, "STATUS": status},
                          capture_output=True, text=True, timeout=30)
    if publishes:
        assert done.returncode == 0, done.stderr
    else:  # 1 to 254 skips the unit without failing it; 255 would be a failure
        assert 0 < done.returncode < 255, (done.returncode, done.stderr)


def test_the_site_serves_what_the_publish_writes_from_what_the_crawl_writes():
    site, publish, crawl = (units()[f"clinics-{name}.service"] for name in ("site", "publish", "crawl"))
    served = next(clinics_calls(systemd_command(one(site, "Service", "ExecStart"))))
    published = next(clinics_calls(systemd_command(one(publish, "Service", "ExecStart"))))
    crawled = next(clinics_calls(systemd_command(one(crawl, "Service", "ExecStart"))))
    out_dir, db = published[1], option(published, "--db")
    assert served[0] == "serve" and option(served, "--published") == out_dir
    assert option(crawled, "--db") == db, "the publish copies another database than the crawl writes"
    assert set(words_of(publish, "Service", "ReadWritePaths")) >= {out_dir, str(Path(db).parent)}
    assert set(words_of(crawl, "Service", "ReadWritePaths")) >= {str(Path(db).parent),
                                                                 str(Path(option(crawled, "--log-file")).parent)}
    assert one(crawl, "Service", "WorkingDirectory") == "/opt/clinics/app", "the crawl reads seeds/ from the clone"
    restart = systemd_command(one(publish, "Service", "ExecStartPost"))
    assert one(publish, "Service", "ExecStartPost").startswith("+") and restart[-1] == "clinics-site.service" \
        and restart[1] in {"restart", "try-restart"}, "the publish restarts the site (with privileges) onto the copy"
    assert "ExecReload" not in site["Service"], "Datasette has no reload: a SIGHUP would stop the site"


def test_the_site_is_hardened_and_reads_the_published_copy_only():
    site = units()["clinics-site.service"]
    served = next(clinics_calls(systemd_command(one(site, "Service", "ExecStart"))))
    assert one(site, "Service", "Restart") == "on-failure"
    assert one(site, "Service", "NoNewPrivileges") == "true" and one(site, "Service", "ProtectSystem") == "strict"
    assert option(served, "--published") in words_of(site, "Service", "ReadOnlyPaths")
    assert one(site, "Service", "PrivateTmp") == "true", "the server writes its metadata file in /tmp"
    assert "ReadWritePaths" not in site["Service"]
    assert option(served, "--host") == "127.0.0.1", "behind the proxy, the site listens on loopback only"
    assert one(site, "Install", "WantedBy") == "multi-user.target"
    for name, unit in units().items():
        if name.endswith(".service") and name != "clinics-notify@.service":
            assert one(unit, "Service", "ProtectSystem") == "strict", name


def test_every_clinics_command_in_the_guide_is_real(monkeypatch):
    monkeypatch.delenv("CLINICS_CONTACT", raising=False)
    commands = guide_commands()
    assert {args[0] for _, args in commands} >= {"crawl", "publish", "serve", "demo"}
    problems = [f"{where}: {problem}" for where, args in commands if (problem := check_clinics_command(args))]
    assert not problems, "\n".join(problems)


def test_the_command_check_catches_a_wrong_command_or_option():
    assert check_clinics_command(["publsh", "/srv/clinics"]).startswith("'clinics publsh': no such command")
    assert "has no option --databse" in check_clinics_command(["serve", "--databse", "x.db"])
    assert "--no-serve" in check_clinics_command(["crawl", "--no-serve"])
    assert check_clinics_command(["crawl", "--contact", "not an address"])
    assert check_clinics_command(["serve", "--published", "/srv/clinics", "--", "--setting", "x", "1"]) is None


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        pytest.skip("systemd-analyze is not on PATH")
    venv = Path(sys.executable).parent.parent
    assert (venv / "bin" / "clinics").exists(), f"no clinics command in {venv}"
    notify = tmp_path / "clinics-notify"
    notify.write_text(script(NOTIFY_SCRIPT), encoding="utf-8")
    notify.chmod(0o755)
    folder = tmp_path / "units"
    folder.mkdir()
    for name, text in unit_files().items():  # the installed paths become this machine's
        text = text.replace(VENV, str(venv)).replace(NOTIFY_SCRIPT, str(notify))
        (folder / name).write_text(text, encoding="utf-8")
    done = subprocess.run([analyze, "verify", "--man=no", *sorted(str(p) for p in folder.iterdir())],
                          capture_output=True, text=True, timeout=120)
    said = [line for line in (done.stdout + done.stderr).splitlines() if "clinics-" in line]
    assert done.returncode == 0 and not said, "\n".join(said) or done.stderr


def test_the_notification_mails_and_posts_the_failed_runs_log(fake_bin, tmp_path):
    fake_bin("systemctl", 'case "$1" in show) echo 5f1c0ffee;; status) echo "x clinics-crawl.service - crawl"; '
                          'echo "     Active: failed (Result: exit-code)"; exit 3;; esac\n')
    fake_bin("journalctl", f'echo "$@" > {tmp_path}/journal-args\necho "crawl partial: 1 of 9 sites failed"\n')
    fake_bin("mail", f'printf "%s\\n" "$@" > {tmp_path}/mail-args\ncat > {tmp_path}/mail-body\n')
    posted = []

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the name http.server calls
            posted.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    notify = tmp_path / "clinics-notify"
    notify.write_text(script(NOTIFY_SCRIPT).replace(f"{VENV}/bin/python", sys.executable), encoding="utf-8")
    env = {**os.environ, "PATH": fake_bin.path, "no_proxy": "127.0.0.1", "CLINICS_CONTACT": "ops@example.org",
           "CLINICS_WEBHOOK": f"http://127.0.0.1:{server.server_port}/hook"}
    try:
        done = subprocess.run(["sh", str(notify), "clinics-crawl.service"], env=env, capture_output=True, text=True,
                              timeout=60)
    finally:
        server.shutdown()
    assert done.returncode == 0, done.stderr
    assert "_SYSTEMD_INVOCATION_ID=5f1c0ffee" in (tmp_path / "journal-args").read_text(), "the failed run's log only"
    args = (tmp_path / "mail-args").read_text().splitlines()
    assert args[0] == "-s" and "clinics-crawl.service failed" in args[1] and args[-1] == "ops@example.org"
    body = (tmp_path / "mail-body").read_text()
    assert "Active: failed" in body and "crawl partial: 1 of 9 sites failed" in body
    assert len(posted) == 1 and "clinics-crawl.service failed" in posted[0]["text"] \
        and "crawl partial: 1 of 9 sites failed" in posted[0]["text"]
    nobody = {k: v for k, v in env.items() if k not in {"CLINICS_CONTACT", "CLINICS_WEBHOOK"}}
    done = subprocess.run(["sh", str(notify), "clinics-crawl.service"], env=nobody, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 1 and "set CLINICS_CONTACT" in done.stderr, "a notification nobody gets must fail"


def test_the_backup_unit_keeps_a_consistent_copy_for_two_weeks(tmp_path):
    if not shutil.which("sqlite3"):
        pytest.skip("the sqlite3 command is not on PATH (apt-get install sqlite3)")
    lib, backups = tmp_path / "lib", tmp_path / "backups"
    lib.mkdir()
    backups.mkdir()
    db = sqlite3.connect(lib / "clinics.db")
    db.execute("pragma journal_mode = wal")
    db.execute("create table clinics (id text primary key)")
    db.executemany("insert into clinics values (?)", [(f"c{n}",) for n in range(50)])
    db.commit()  # and the connection stays open, as a crawl's would: the rows are in the -wal file
    old, recent = backups / "clinics-2000-01-01.db", backups / "clinics-2000-01-02.db"
    for path, days in ((old, 20), (recent, 3)):
        path.write_bytes(b"")
        os.utime(path, (time.time() - days * 86400,) * 2)
    command = one(units()["clinics-backup.service"], "Service", "ExecStart")
    command = command.replace("/var/lib/clinics", str(lib)).replace("/var/backups/clinics", str(backups))
    done = subprocess.run(systemd_command(command), capture_output=True, text=True, timeout=60)
    db.close()
    assert done.returncode == 0, done.stderr
    copy = backups / f"clinics-{datetime.date.today().isoformat()}.db"
    assert sqlite3.connect(copy).execute("select count(*) from clinics").fetchone()[0] == 50
    assert not old.exists() and recent.exists(), "backups older than 14 days go, newer ones stay"


# --- the image, built and run -------------------------------------------------------------------------------------

def docker(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed ({done.returncode}):\n{done.stdout[-3000:]}"
                             f"\n{done.stderr[-3000:]}")
    return done


@pytest.fixture(scope="module")
def docker_daemon():
    if not shutil.which("docker"):
        pytest.skip("no Docker: the docker command is not on PATH")
    try:
        info = docker("info", "--format", "{{.ServerVersion}}", timeout=30, check=False)
    except subprocess.TimeoutExpired:
        pytest.skip("no Docker daemon: docker info did not answer within 30 s")
    if info.returncode != 0:
        said = [line for line in (info.stderr + info.stdout).splitlines() if line.strip()]
        pytest.skip(f"no Docker daemon: docker info said {said[-1] if said else f'nothing (exit {info.returncode})'}")


def _run_until_healthy(image: str, *options: str) -> tuple[str, str]:
    """Start the image, wait for its own health check to say healthy; (container id, base URL)."""
    container = docker("run", "-d", "--health-interval=2s", "-p", "127.0.0.1::8001", *options, image).stdout.strip()
    deadline = time.monotonic() + 120
    status = ""
    while time.monotonic() < deadline:
        status = docker("inspect", "--format", "{{.State.Health.Status}}", container).stdout.strip()
        if status in {"healthy", "unhealthy"}:
            break
        time.sleep(1)
    if status != "healthy":
        logs = docker("logs", container, check=False)
        raise AssertionError(f"{image} is {status or 'not reporting health'} after 120 s:\n{logs.stdout[-2000:]}"
                             f"\n{logs.stderr[-2000:]}")
    port = docker("port", container, "8001/tcp").stdout.split()[0].rsplit(":", 1)[1]
    return container, f"http://127.0.0.1:{port}"


def _assert_serves_the_published_copy(container: str, base: str, tmp_path: Path) -> None:
    with urllib.request.urlopen(f"{base}/-/versions.json", timeout=30) as response:
        assert response.status == 200 and "datasette" in json.load(response)
    download = tmp_path / f"{container[:12]}.db"
    with urllib.request.urlopen(f"{base}/clinics.db", timeout=60) as response:
        download.write_bytes(response.read())
    assert download.read_bytes()[:16] == b"SQLite format 3\x00"
    assert sqlite3.connect(download).execute("select count(*) from clinics").fetchone()[0] > 0
    probe = ("import os; uid = open('/proc/1/status').read().split('Uid:')[1].split()[0]; "
             f"print(uid, os.access('{PUBLISHED}/current/clinics.db', os.W_OK))")
    uid, writable = docker("exec", container, "python", "-c", probe).stdout.split()
    assert uid != "0", "the server runs as root"
    assert writable == "False", "the server could change the copy it serves"


@pytest.mark.e2e
def test_the_image_builds_runs_healthy_and_serves_as_a_non_root_user(docker_daemon, tmp_path):
    demo, site = "clinics-deploy-test:demo", "clinics-deploy-test:site"
    docker("build", "--target", "demo", "-t", demo, str(ROOT), timeout=1800)
    docker("build", "-t", site, str(ROOT), timeout=1800)
    containers = []
    try:
        container, base = _run_until_healthy(demo)
        containers.append(container)
        _assert_serves_the_published_copy(container, base, tmp_path)
        # The default image, with the demo's publish mounted as a host's publish would be.
        published = tmp_path / "published"
        docker("cp", f"{container}:{PUBLISHED}", str(published))
        for folder in [published, *(p for p in published.rglob("*") if p.is_dir() and not p.is_symlink())]:
            folder.chmod(0o755)
        container, base = _run_until_healthy(site, "-v", f"{published}:{PUBLISHED}:ro", "--read-only",
                                             "--tmpfs", "/tmp")
        containers.append(container)
        _assert_serves_the_published_copy(container, base, tmp_path)
    finally:
        for container in containers:
            docker("rm", "-f", container, check=False)
        docker("image", "rm", demo, site, check=False)
