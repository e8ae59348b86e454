"""`xinyong id check`: one result per value, JSON on request, exit status 1 on any invalid."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

VALID = "91110000600037341L"
INVALID = "91350203M0001QAY9B"
XINYONG = Path(sys.executable).parent / "xinyong"


def run(*args) -> tuple[str, CommandError | None]:
    out = StringIO()
    try:
        call_command("id", "check", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), exc
    return out.getvalue(), None


def test_valid_values_print_kind_and_parts():
    out, error = run(VALID, "110105491231002")
    assert error is None
    first, second = out.splitlines()
    assert first.startswith(f"{VALID}\tuscc (企业)\t") and "division=110000" in first
    assert second.startswith("11010519491231002X\tresident_id\t")
    assert "birth_date=1949-12-31" in second and "legacy_15=True" in second


def test_invalid_value_prints_the_error_and_fails():
    out, error = run(VALID, INVALID)
    assert error is not None and error.returncode == 1
    assert str(error) == "1 of 2 values invalid"
    line = out.splitlines()[1]
    assert line.startswith(f"{INVALID}\tinvalid\tcheck_char: ")
    assert "position 18" in line and "'9'" in line and "'B'" in line


def test_json_output():
    out, error = run("--json", VALID, INVALID, "11010519491231002x")
    assert error.returncode == 1
    rows = json.loads(out)
    assert [r["valid"] for r in rows] == [True, False, True]
    assert rows[0]["kind"] == "uscc" and rows[0]["parts"]["org_code"] == "600037341"
    assert rows[0]["subject_type"] == "企业"
    assert rows[1] | {"error": None} == {
        "value": INVALID, "valid": False, "kind": None, "normalized": None,
        "subject_base": None, "subject_type": None, "parts": {}, "error": None,
        "position": 18, "code": "check_char"}
    assert rows[2]["normalized"] == "11010519491231002X"
    assert rows[2]["parts"]["birth_date"] == "1949-12-31"


def test_json_all_valid_exits_normally():
    out, error = run("--json", VALID)
    assert error is None and json.loads(out)[0]["value"] == VALID


@pytest.mark.skipif(not XINYONG.exists(), reason="xinyong entry point not installed")
def test_entry_point_exit_status_and_no_traceback():
    ok = subprocess.run([XINYONG, "id", "check", VALID], capture_output=True, text=True,
                        timeout=60)
    assert ok.returncode == 0 and ok.stdout.startswith(VALID)
    bad = subprocess.run([XINYONG, "id", "check", "--json", VALID, INVALID, "\udcff"],
                         capture_output=True, text=True, timeout=60, errors="surrogateescape")
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr and "2 of 3 values invalid" in bad.stderr
    assert [row["valid"] for row in json.loads(bad.stdout)] == [True, False, False]
