"""The English catalogue covers every translatable text: `makemessages` run over a copy of the source
adds no untranslated or fuzzy entry to the committed catalogue (a new Spanish text without its English
fails here, not on an English page). The checkout itself is never written."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".git", ".venv", ".local", "node_modules", "tests", "media", "staticfiles", "benchmarks", "docs"}

pytestmark = pytest.mark.skipif(shutil.which("msgattrib") is None, reason="gettext not installed")


def _entries(po: Path, flag: str) -> list[str]:
    out = subprocess.run(
        ["msgattrib", flag, "--no-obsolete", str(po)], capture_output=True, text=True, check=True
    ).stdout
    blocks = [block for block in out.split("\n\n") if "msgid" in block]
    return [block for block in blocks if '"Project-Id-Version:' not in block]  # not the header


def test_every_text_has_its_english_translation(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT, copy, ignore=lambda _d, names: [n for n in names if n in SKIP or n == "__pycache__"]
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    made = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "en", "--ignore=.venv", "--ignore=node_modules",
         "--ignore=tests", "-v", "0"],
        cwd=copy, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    po = copy / "locale" / "en" / "LC_MESSAGES" / "django.po"
    untranslated = _entries(po, "--untranslated")
    fuzzy = _entries(po, "--only-fuzzy")
    examples = "\n\n".join((untranslated + fuzzy)[:5])
    assert (len(untranslated), len(fuzzy)) == (0, 0), f"untranslated, fuzzy; e.g.:\n\n{examples}"
