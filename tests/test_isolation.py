"""The bubblewrap command line, what a machine's support implies, and limit events in words."""

from __future__ import annotations

from pathlib import Path

from grader.grading import run_events
from grader.isolation import SUBMISSION_MOUNT, WORK_MOUNT, Support, bwrap_command, package_root
from grader.launcher import RunRecord
from grader.rubric import BUILTIN_DIR

FULL_ROOT = Support("/usr/bin/bwrap", "/usr/bin/setpriv", 1, "")
DEGRADED = Support(None, None, None, "no bwrap")


def command(support: Support) -> list[str]:
    return bwrap_command(support, ["python3", "-m", "grader.sandbox"], submission=Path("/x/sub"),
                         work_size=1000, tmp_size=500, env={"HOME": WORK_MOUNT})


def binds(argv: list[str]) -> list[tuple[str, str]]:
    return [(argv[i + 1], argv[i + 2]) for i, a in enumerate(argv) if a == "--ro-bind"]


def test_only_what_the_child_needs_is_bound_read_only() -> None:
    argv = command(FULL_ROOT)
    sources = [source for source, _ in binds(argv)]
    assert package_root() in sources and ("/x/sub", SUBMISSION_MOUNT) in binds(argv)
    repo = str(Path(package_root()).parent)
    assert repo not in sources and str(BUILTIN_DIR) not in sources
    assert not any(s.startswith(repo + "/reference") or s == "/" or s.startswith("/etc")
                   or s.startswith("/run") for s in sources)
    for flag in ("--unshare-net", "--unshare-pid", "--die-with-parent", "--new-session",
                 "--clearenv"):
        assert flag in argv
    assert argv[argv.index("--remount-ro") + 1] == "/"


def test_scratch_tmpfs_comes_before_binds_and_has_a_size() -> None:
    argv = command(FULL_ROOT)
    first_bind = argv.index("--ro-bind")
    tmpfs = [i for i, a in enumerate(argv) if a == "--tmpfs"]
    assert [argv[i + 1] for i in tmpfs] == ["/tmp", WORK_MOUNT]
    assert all(i < first_bind and argv[i - 2] == "--size" for i in tmpfs)
    assert argv[argv.index(WORK_MOUNT) - 2] == "1000"


def test_root_drops_to_a_dedicated_uid_without_capabilities(monkeypatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 0)
    argv = command(FULL_ROOT)
    setpriv = argv.index("/usr/bin/setpriv")
    assert argv[setpriv + 1].startswith("--reuid=") and "--inh-caps=-all" in argv
    assert "--no-new-privs" in argv and argv[-3:] == ["python3", "-m", "grader.sandbox"]
    assert "--unshare-user" not in argv


def test_an_ordinary_user_gets_a_user_namespace_without_nesting(monkeypatch) -> None:
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    argv = command(Support("/usr/bin/bwrap", None, None, ""))
    assert "--unshare-user" in argv and "--disable-userns" in argv
    assert argv[argv.index("--uid") + 1] == "1000"


def test_degraded_support_names_what_is_missing() -> None:
    assert set(DEGRADED.missing()) >= {"filesystem_isolation", "pid_namespace", "memory_cgroup",
                                       "pids_cgroup"}
    assert DEGRADED.protections(network_isolated=True)["no_network"] is True
    assert FULL_ROOT.missing() == []


def test_limits_hit_inside_cells_are_reported_in_words() -> None:
    record = RunRecord(cells=[
        {"unit": "a.py", "number": 3, "status": "error", "error": "OSError: [Errno 28] No space left"},
        {"unit": "a.py", "number": 5, "status": "error", "error": "MemoryError"},
        {"unit": "a.py", "number": 6, "status": "ok", "error": None}], output_truncated=True)
    events = run_events(record)
    assert events[0] == "a.py cell 3: the work folder ran out of space (disk limit)"
    assert "cell 5" in events[1] and "memory" in events[1]
    assert events[-1].startswith("the output was longer")
    assert len(events) == 3


def test_cgroups_left_by_a_killed_grader_are_removed(tmp_path: Path, monkeypatch) -> None:
    import os

    from grader import isolation

    monkeypatch.setattr(isolation, "CGROUP_ROOT", tmp_path)
    stale = tmp_path / "memory" / "labgrade" / "labgrade-999999999-dead"
    live = tmp_path / "pids" / "labgrade" / f"labgrade-{os.getpid()}-live"
    stale.mkdir(parents=True)
    live.mkdir(parents=True)
    isolation.remove_stale_cgroups(1)
    assert not stale.exists() and live.exists()
