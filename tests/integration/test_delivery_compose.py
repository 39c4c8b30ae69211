"""The compose file and the Dockerfile hold what a deployment needs, and the commands they run
work. No Docker engine runs where the suite runs, so the file is checked by `docker compose
config` when the compose CLI is there, and always by reading it; its commands are run here."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import PG_URL, ROOT

COMPOSE = ROOT / "compose.yaml"
WORKERS = ("worker-1", "worker-2")


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())["services"]
    return found


def has_compose_cli() -> bool:
    if shutil.which("docker") is None:
        return False
    return subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0


def test_docker_compose_accepts_the_file_where_its_cli_is_installed() -> None:
    if has_compose_cli():
        checked = subprocess.run(["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"],
                                 capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
    else:  # the same file through a YAML parser that knows anchors and merge keys
        assert set(yaml.safe_load(COMPOSE.read_text())) >= {"services", "volumes"}


def test_postgres_redis_a_one_shot_upgrade_and_two_workers(services: dict[str, Any]) -> None:
    assert set(services) == {"postgres", "redis", "migrate", *WORKERS}
    assert services["migrate"]["command"] == ["coachbot", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in WORKERS:
        worker = services[name]
        assert worker["command"] == ["coachbot", "run"]
        assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        assert worker["depends_on"]["redis"]["condition"] == "service_healthy"
        assert worker["restart"] == "unless-stopped"
        env = worker["environment"]
        assert env["COACHBOT_DATABASE_URL"].startswith("postgresql+asyncpg://") and "@postgres:" in env[
            "COACHBOT_DATABASE_URL"]
        assert env["COACHBOT_REDIS_URL"] == "redis://redis:6379/0"
    assert services["migrate"]["environment"] == services["worker-1"]["environment"]


def test_the_http_port_is_published_and_every_long_running_service_is_health_checked(
        services: dict[str, Any]) -> None:
    published = [services[name]["ports"][0] for name in WORKERS]
    assert [port.rsplit(":", 1)[1] for port in published] == ["8080", "8080"]
    assert len({port.rsplit(":", 1)[0] for port in published}) == 2  # one host port each
    for name in ("postgres", "redis", *WORKERS):
        assert services[name]["healthcheck"]["test"][0] == "CMD"


def test_the_image_runs_as_a_user_of_its_own_and_exposes_the_port() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^EXPOSE 8080$", dockerfile, re.M)
    assert '"redis"' not in dockerfile and "redis]" in dockerfile  # the shared rate limits' client
    assert 'HEALTHCHECK' in dockerfile and '"coachbot", "healthcheck"' in dockerfile


def run(command: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    if command[0] == "coachbot":
        command = [sys.executable, "-m", "coachbot", *command[1:]]
    return subprocess.run(command, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


@pytest.mark.parametrize("database_url", ["postgres"] if PG_URL else [], indirect=True)
def test_the_one_shot_upgrade_command_migrates_postgres(services: dict[str, Any], database_url: str) -> None:
    done = run(services["migrate"]["command"], {"COACHBOT_DATABASE_URL": database_url})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Database is up to date."


def test_the_health_checks_of_postgres_and_redis_answer(services: dict[str, Any], tmp_path: Path) -> None:
    # The images' own commands, pointed at this machine's servers instead of the compose network.
    pg = services["postgres"]["healthcheck"]["test"][1:]
    assert pg[0] == "pg_isready"
    assert run([*pg[:1], "-h", "127.0.0.1", "-U", "postgres"]).returncode == 0
    redis = services["redis"]["healthcheck"]["test"][1:]
    assert redis == ["redis-cli", "ping"]
    answer = run([redis[0], "-h", "127.0.0.1", *redis[1:]])
    assert answer.returncode == 0 and answer.stdout.strip() == "PONG"


def test_the_workers_health_check_fails_when_nothing_is_ready(services: dict[str, Any]) -> None:
    command = services["worker-1"]["healthcheck"]["test"][1:]
    assert command == ["coachbot", "healthcheck"]
    down = run([*command, "--url", "http://127.0.0.1:9/readyz", "--timeout", "2"])
    assert down.returncode == 1 and down.stdout.startswith("no answer from http://127.0.0.1:9/readyz")
