"""`pip install .` gives a service that runs from any folder, without the checkout."""

import os
import subprocess
import venv
from pathlib import Path

import pytest
import requests

from tests.e2e.servers import ROOT
from tests.e2e.servers import gunicorn

CONSTRAINTS = str(ROOT / "scripts" / "constraints.txt")

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A virtualenv that sees nothing of the interpreter running the tests
    (no system site-packages, no PYTHONPATH), with `pip install .` and its
    dependencies resolved the way a user's install resolves them."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True, system_site_packages=False)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "-c", CONSTRAINTS, str(ROOT)],
        check=True,
        capture_output=True,
        env=isolated_env(env_dir),
        cwd=env_dir,
    )
    return env_dir


def isolated_env(env_dir):
    """A fresh shell's environment with only this virtualenv on PATH (pip's
    own settings and proxies kept, so the install reaches the same index)."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if k in ("HOME", "LANG", "TMPDIR")
        or k.startswith("PIP_")
        or k.lower().endswith("_proxy")
    }
    return keep | {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "PYTHONNOUSERSITE": "1"}


def test_wheel_carries_templates_catalog_and_covers(installed):
    python = installed / "bin" / "python"
    where = subprocess.run(
        [
            python,
            "-c",
            "import flask, widget, pathlib;"
            "print(pathlib.Path(widget.__file__).parent);"
            "print(pathlib.Path(flask.__file__).parent)",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd="/",
        env=isolated_env(installed),
    ).stdout.split()
    package, dependency = Path(where[0]), Path(where[1])
    assert package != ROOT / "widget"
    # Dependencies come from the install itself, not from the test runner's.
    assert dependency.is_relative_to(installed)
    assert (package / "templates" / "widget" / "document.html").is_file()
    assert (package / "catalog" / "data" / "stub_catalog.json").is_file()
    assert len(list((package / "catalog" / "data" / "covers").glob("*.svg"))) >= 80


def test_installed_service_runs_from_another_folder(installed, tmp_path):
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = isolated_env(installed) | {"PYTHONPATH": ""}
    listing = subprocess.run(
        [installed / "bin" / "widget", "topics", "list"],
        cwd=workdir,
        env=env | {"WIDGET_STORE": f"sqlite:///{tmp_path}/w.db"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert "nasa-artemis" in listing.stdout
    python = str(installed / "bin" / "python")
    with gunicorn(
        tmp_path, app="widget:create_app()", cwd=workdir, env=env, python=python
    ) as base:
        page = requests.get(f"{base}/widget/science-fiction", timeout=30)
        assert page.status_code == 200 and page.text.count("<li>") == 10
