"""ruff's complexity rule (C901) as a watch list: the functions above max-complexity today are
listed in pyproject.toml; nothing else may join them, and a listed one may not grow."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_LISTED = re.compile(r"^(\w+) \((\d+)\)$")
_FOUND = re.compile(r"^(\S+?):\d+:\d+: C901 `(\w+)` is too complex \((\d+) > \d+\)$")


def _config() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


def _watch_list() -> dict[tuple[str, str], int]:
    listed = {}
    for path, functions in _config()["tool"]["veu-overblik"]["complexity-watch-list"].items():
        for entry in functions:
            match = _LISTED.match(entry)
            assert match, f"{path}: {entry!r} is not 'name (complexity)'"
            listed[(path, match.group(1))] = int(match.group(2))
    return listed


def _too_complex() -> dict[tuple[str, str], int]:
    """Every function above max-complexity, with the per-file ignores switched off."""
    run = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "dashboard", "tests", "benchmarks",
         "--select", "C901", "--config", "lint.per-file-ignores = {}", "--output-format",
         "concise", "--no-cache", "--exit-zero"],
        cwd=ROOT, capture_output=True, text=True, check=True)
    found = {}
    for line in run.stdout.splitlines():
        if match := _FOUND.match(line.strip()):
            found[(match.group(1), match.group(2))] = int(match.group(3))
    return found


def test_only_the_listed_functions_are_too_complex_and_none_grew():
    listed, found = _watch_list(), _too_complex()
    new = sorted(f"{path}: {name} ({n})" for (path, name), n in found.items()
                 if (path, name) not in listed)
    assert not new, "too complex (split them, see CONTRIBUTING.md): " + ", ".join(new)
    grown = sorted(f"{path}: {name} {listed[(path, name)]} → {n}"
                   for (path, name), n in found.items() if n > listed[(path, name)])
    assert not grown, "a listed function grew more complex: " + ", ".join(grown)
    done = sorted(f"{path}: {name}" for path, name in listed if (path, name) not in found)
    assert not done, "no longer too complex: remove from the watch list in pyproject.toml: " + (
        ", ".join(done))


def test_the_ignored_files_are_exactly_the_watch_lists():
    ignores = _config()["tool"]["ruff"]["lint"]["per-file-ignores"]
    ignored = {path for path, rules in ignores.items() if "C901" in rules}
    assert ignored == {path for path, _ in _watch_list()}
