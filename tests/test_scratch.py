"""Temporary folders name their owner; only those of owners that have certainly ended go."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader import scratch


def dead_pid() -> int:
    """The pid of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", ""])
    child.wait()
    return child.pid


def marked(directory: Path, name: str, owner: dict) -> Path:
    folder = directory / name
    folder.mkdir()
    (folder / scratch.MARKER).write_text(json.dumps(owner))
    (folder / "work").mkdir()
    (folder / "work" / "big.bin").write_bytes(b"x" * 4096)
    return folder


def test_a_folder_is_marked_with_its_owner_and_kept_while_the_owner_lives(tmp_path: Path) -> None:
    folder = scratch.make(directory=tmp_path)
    assert folder.name.startswith("labgrade-") and oct(folder.stat().st_mode)[-3:] == "700"
    owner = json.loads((folder / scratch.MARKER).read_text())
    assert owner["pid"] == os.getpid() and owner["start"] and owner["boot"]
    assert scratch.remove_dead(tmp_path) == [] and folder.exists()


def test_only_folders_of_owners_that_ended_are_removed(tmp_path: Path) -> None:
    me = scratch.identity()
    gone = marked(tmp_path, "labgrade-gone", {**me, "pid": dead_pid()})
    reused = marked(tmp_path, "labgrade-reused", {**me, "start": me["start"] - 1})  # same pid
    rebooted = marked(tmp_path, "labgrade-rebooted", {**me, "boot": "another-boot"})
    live = marked(tmp_path, "labgrade-live", me)
    unmarked = tmp_path / "labgrade-unmarked"  # being made, or an older grader's: not ours to judge
    unmarked.mkdir()
    elsewhere = marked(tmp_path, "labgrade-other-namespace",
                       {**me, "pid": dead_pid(), "pid_namespace": "pid:[1]"})
    not_ours = marked(tmp_path, "other-tool", {**me, "pid": dead_pid()})
    removed = scratch.remove_dead(tmp_path)
    assert sorted(p.name for p in removed) == ["labgrade-gone", "labgrade-rebooted",
                                                "labgrade-reused"]
    assert not gone.exists() and not reused.exists() and not rebooted.exists()
    assert live.exists() and unmarked.exists() and elsewhere.exists() and not_ours.exists()


def test_a_symlink_or_another_users_folder_is_never_followed_or_removed(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    marked(tmp_path, "victim", {**scratch.identity(), "pid": dead_pid()}).rename(victim)
    (tmp_path / "labgrade-link").symlink_to(victim)
    scratch.remove_dead(tmp_path)
    assert (victim / "work" / "big.bin").exists()
    if os.geteuid() != 0:
        pytest.skip("chown needs root")
    foreign = marked(tmp_path, "labgrade-foreign", {**scratch.identity(), "pid": dead_pid()})
    os.chown(foreign, 65534, 65534)
    scratch.remove_dead(tmp_path)
    assert foreign.exists()


def test_a_claimed_folder_holds_everything_tempfile_makes_in_that_process(tmp_path: Path) -> None:
    code = ("import sys, tempfile; from pathlib import Path; from grader import scratch; "
            "root = scratch.claim(Path(sys.argv[1])); print(root); "
            "print(tempfile.mkdtemp(prefix='labgrade-job-'))")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                          text=True, check=True)
    root, job = (Path(line) for line in done.stdout.split())
    assert job.parent == root and root.parent == tmp_path
    assert [p.name for p in scratch.remove_dead(tmp_path)] == [root.name]  # its process ended
    assert list(tmp_path.iterdir()) == []
