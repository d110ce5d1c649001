"""Every benchmark script starts: run as ``python bench/NAME.py --help``, it imports and describes itself."""

import subprocess
import sys

import pytest

from recognition.model_files import PROJECT_ROOT

SCRIPTS = sorted(path for path in (PROJECT_ROOT / "bench").glob("*.py") if "argparse" in path.read_text())


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda path: path.name)
def test_a_benchmark_script_starts(script):
    result = subprocess.run([sys.executable, str(script), "--help"], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "usage:" in result.stdout
