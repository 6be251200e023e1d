"""The short version of bench/load.py: loopback load with zero errors."""

import pytest

from bench import load

pytestmark = pytest.mark.e2e


def test_short_load_run_has_no_errors(capsys):
    result = load.main(["--seconds", "5", "--connections", "32", "--workers", "2"])
    assert result["requests"] > 0
    assert result["non_2xx"] == 0 and result["socket_errors"] == 0
    assert "errors 0" in capsys.readouterr().out
