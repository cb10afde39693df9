"""The deployment files (Dockerfile, compose.yaml, deploy/Caddyfile) agree with the code and with each other.
Docker cannot run here: these checks read the files."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

REPOSITORY = Path(__file__).resolve().parents[1]
ENVIRONMENT = REPOSITORY / "src" / "nanobananas" / "config" / "environment.py"
PROXY_ADDRESS = "172.28.0.10"


def _compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((REPOSITORY / "compose.yaml").read_text())
    return document


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = _compose()["services"]
    return services


def _read_variables() -> set[str]:
    return set(re.findall(r'"(NANOBANANAS_[A-Z0-9_]+)"', ENVIRONMENT.read_text()))


def test_every_variable_compose_sets_is_read_by_the_settings() -> None:
    variables = {name for service in _services().values() for name in service.get("environment") or {}}
    ours = {name for name in variables if name.startswith("NANOBANANAS_")}
    assert len(ours) == 14
    assert sorted(ours - _read_variables()) == []
    # The other variables configure the images of the other services.
    assert sorted(variables - ours) == ["MINIO_PASSWORD", "MINIO_ROOT_PASSWORD", "MINIO_ROOT_USER", "POSTGRES_DB",
                                        "POSTGRES_PASSWORD", "POSTGRES_USER", "SITE_HOST"]  # fmt: skip


def test_the_topology_is_two_web_processes_two_workers_and_the_services() -> None:
    services = _services()
    assert sorted(services) == ["bucket", "caddy", "migrate", "minio", "postgres", "redis", "web1", "web2",
                                "worker1", "worker2"]  # fmt: skip
    for web in ("web1", "web2"):
        assert services[web]["command"] == ["nanobananas", "serve", "--no-worker", "--no-migrate", "--host",
                                            "0.0.0.0", "--port", "8000"]  # fmt: skip
    for worker in ("worker1", "worker2"):
        assert services[worker]["command"] == ["nanobananas", "worker"]
        # SIGINT is the signal on which a worker finishes its running job before it stops.
        assert services[worker]["stop_signal"] == "SIGINT"
    assert services["migrate"]["command"] == ["nanobananas", "migrate"]
    for name in ("web1", "web2", "worker1", "worker2"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["environment"] == services["web1"]["environment"]


def test_redis_keeps_the_queue_across_a_restart() -> None:
    command = _services()["redis"]["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert command[command.index("--appendfsync") + 1] == "everysec"
    assert _services()["redis"]["volumes"] == ["redis:/data"]


def test_only_the_proxy_is_trusted_and_the_proxy_sends_to_both_web_processes() -> None:
    services = _services()
    environment = services["web1"]["environment"]
    assert environment["NANOBANANAS_TRUSTED_PROXIES"] == PROXY_ADDRESS
    assert services["caddy"]["networks"]["nanobananas"]["ipv4_address"] == PROXY_ADDRESS
    assert (environment["NANOBANANAS_HTTPS"], environment["NANOBANANAS_PROXY_SSL_HEADER"]) == (
        "true",
        "X-Forwarded-Proto",
    )
    caddyfile = (REPOSITORY / "deploy" / "Caddyfile").read_text()
    [upstreams] = re.findall(r"^\s*reverse_proxy (.+) \{$", caddyfile, re.MULTILINE)
    assert upstreams.split() == ["web1:8000", "web2:8000"]
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in services["caddy"]["volumes"]


def test_the_image_installs_the_project_as_ci_does() -> None:
    dockerfile = (REPOSITORY / "Dockerfile").read_text()
    makefile = (REPOSITORY / "Makefile").read_text()
    python = re.search(r"^FROM python:(\d+\.\d+)-", dockerfile, re.MULTILINE)
    assert python is not None
    assert f'requires-python = ">={python.group(1)}"' in (REPOSITORY / "pyproject.toml").read_text()
    assert "-m pip install --quiet --upgrade pip" in makefile
    assert "/app/.venv/bin/python -m pip install --quiet --upgrade pip" in dockerfile
    assert "/app/.venv/bin/python -m pip install --quiet ." in dockerfile
    command = re.search(r"^CMD (\[.+\])$", dockerfile, re.MULTILINE)
    assert command is not None
    assert yaml.safe_load(command.group(1)) == ["nanobananas", "serve", "--host", "0.0.0.0", "--port", "8000"]


def test_the_scaling_page_names_every_secret_compose_asks_for() -> None:
    asked = set(re.findall(r"\$\{(\w+):\?", (REPOSITORY / "compose.yaml").read_text()))
    assert sorted(asked) == ["MINIO_PASSWORD", "NANOBANANAS_MASTER_KEY", "NANOBANANAS_SECRET_KEY", "POSTGRES_PASSWORD"]
    page = (REPOSITORY / "docs" / "scaling.md").read_text()
    [env_file] = re.findall(r"```ini\n(.*?)```", page, re.DOTALL)
    assert sorted(line.split("=", 1)[0].strip() for line in env_file.splitlines() if "=" in line) == sorted(
        [*asked, "SITE_HOST"]
    )
