"""Every environment variable the code reads is documented in .env.example and the README."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READ_PATTERN = re.compile(
    r"""(?:os\.environ(?:\.get)?\(|os\.environ\[|env(?:bool|int|list)?\()\s*["']([A-Z][A-Z0-9_]+)["']"""
)


def variables_read_by(paths: list[Path]) -> set[str]:
    found: set[str] = set()
    for path in paths:
        found |= set(READ_PATTERN.findall(path.read_text()))
    return found - {"DJANGO_SETTINGS_MODULE"}


def app_python_files() -> list[Path]:
    files = []
    for package in ("gis_core", "priority_zones", "works_map", "layers"):
        files += [p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts]
    return files


def bootstrap_variables() -> set[str]:
    text = (ROOT / "scripts" / "bootstrap.sh").read_text()
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]+):-", text)) - {"VENV"}


def all_variables() -> set[str]:
    return variables_read_by(app_python_files()) | bootstrap_variables()


def test_every_variable_the_settings_read_is_in_env_example():
    documented = (ROOT / ".env.example").read_text()
    missing = sorted(v for v in all_variables() if v not in documented)
    assert not missing, f"add these to .env.example: {missing}"


def test_every_variable_the_settings_read_is_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    missing = sorted(v for v in all_variables() if f"`{v}`" not in readme)
    assert not missing, f"document these in README.md: {missing}"
