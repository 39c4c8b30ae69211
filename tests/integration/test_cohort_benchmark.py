"""The cohort benchmark, small: a dozen learners of every profile through eight days keep the
coach's rules (at most two messages a day of its own, none at night, no duplicates)."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import ROOT, child_env

SCRIPT = ROOT / "benchmarks" / "cohort.py"
PROFILES = ("answers every day", "answers some days", "silent after a week", "pauses, comes back", "stops")


def table(output: str) -> dict[str, dict[str, str]]:
    """The printed table, by profile and column (columns are two or more spaces apart)."""
    lines = output.splitlines()
    header = re.split(r"\s{2,}", lines[0].strip())
    rows = {}
    for line in lines[1:]:
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) != len(header):
            break
        rows[cells[0]] = dict(zip(header, cells, strict=True))
    return rows


def test_a_small_cohort_keeps_the_coachs_rules(database_url: str) -> None:
    run = subprocess.run([sys.executable, str(SCRIPT), "--learners", "12", "--days", "8",
                          "--database-url", database_url],
                         capture_output=True, text=True, env=child_env(), timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    rows = table(run.stdout)
    assert sorted(rows) == sorted(PROFILES)
    for profile, row in rows.items():
        assert row["quiet hours"] == "0", profile
        assert row["duplicates"] == "0", profile
        assert row["while paused"] == row["after stop"] == "0", profile
        assert 1 <= int(row["max"]) <= 2, profile
        assert row["days >2"] == "0", profile
    assert float(rows["answers every day"]["lessons"]) > float(rows["silent after a week"]["lessons"])
    assert "all held" in run.stdout
