"""The shell scripts a user runs first."""

import shutil
import subprocess

from recognition.model_files import PROJECT_ROOT


def fake_python(folder, version):
    """A ``python3`` that claims to be the given version and does nothing else."""
    folder.mkdir()
    python = folder / "python3"
    python.write_text(f"#!/bin/sh\necho {version}\n")
    python.chmod(0o755)
    return folder


def test_setup_venv_stops_on_an_old_python_with_one_line(tmp_path):
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / "scripts" / "setup-venv", project / "scripts")
    shutil.copy(PROJECT_ROOT / "requirements.txt", project)
    bin_folder = fake_python(tmp_path / "bin", "3.10")
    result = subprocess.run(["bash", "scripts/setup-venv", "requirements.txt"], cwd=project, capture_output=True,
                            text=True, timeout=60, env={"PATH": f"{bin_folder}:/usr/bin:/bin"})
    assert result.returncode != 0
    output = (result.stdout + result.stderr).strip().splitlines()
    assert len(output) == 1 and "3.11 or newer" in output[0] and "3.10" in output[0]
    assert not (project / ".venv").exists()
