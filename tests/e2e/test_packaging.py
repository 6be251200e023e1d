"""`pip install .` gives a service that runs from any folder, without the checkout."""

import subprocess
import venv
from pathlib import Path

import pytest
import requests

from tests.e2e.servers import ROOT
from tests.e2e.servers import gunicorn

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    env_dir = tmp_path_factory.mktemp("venv")
    venv.create(env_dir, with_pip=True, system_site_packages=True)
    python = env_dir / "bin" / "python"
    subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--force-reinstall",
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    return env_dir


def test_wheel_carries_templates_catalog_and_covers(installed):
    python = installed / "bin" / "python"
    where = subprocess.run(
        [
            python,
            "-c",
            "import widget, pathlib; print(pathlib.Path(widget.__file__).parent)",
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd="/",
    ).stdout.strip()
    package = Path(where)
    assert package != ROOT / "widget"
    assert (package / "templates" / "widget" / "document.html").is_file()
    assert (package / "catalog" / "data" / "stub_catalog.json").is_file()
    assert len(list((package / "catalog" / "data" / "covers").glob("*.svg"))) >= 80


def test_installed_service_runs_from_another_folder(installed, tmp_path):
    workdir = tmp_path / "elsewhere"
    workdir.mkdir()
    env = {"PATH": f"{installed / 'bin'}:/usr/bin:/bin", "PYTHONPATH": ""}
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
