"""The `xinyong` command fails with one line on stderr, never a traceback."""

import subprocess
import sys

import pytest


def xinyong(*args, env=None, tmp_path=None):
    environment = {"PATH": "/usr/bin:/bin", "XINYONG_VAR_DIR": str(tmp_path), **(env or {})}
    return subprocess.run([sys.executable, "-m", "xinyong", *args], capture_output=True,
                          text=True, env=environment, timeout=60)


@pytest.mark.parametrize(("env", "args", "expected"), [
    ({"XINYONG_DEBUG": "maybe"}, ["check"], "XINYONG_DEBUG='maybe' is not a boolean"),
    ({"XINYONG_DATABASE_URL": "mysql://db/x"}, ["migrate"], "unsupported scheme 'mysql'"),
    ({"XINYONG_DATABASE_URL": "postgresql://postgres@127.0.0.1:1/x"}, ["migrate"],
     "database error: connection failed"),
])
def test_bad_environment_is_one_line(tmp_path, env, args, expected):
    result = xinyong(*args, env=env, tmp_path=tmp_path)
    assert result.returncode != 0
    assert expected in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_unknown_argument_is_named(tmp_path):
    result = xinyong("demo", "build", "--size", "huge", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "invalid choice: 'huge'" in result.stderr and "Traceback" not in result.stderr
