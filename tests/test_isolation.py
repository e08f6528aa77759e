"""The bubblewrap command line, what a machine's support implies, and limit events in words."""

from __future__ import annotations

from pathlib import Path

from grader.grading import run_events
from grader.isolation import (SUBMISSION_MOUNT, WORK_MOUNT, Support, bwrap_command, hidden_in_view,
                              package_root)
from grader.launcher import RunRecord
from grader.rubric import BUILTIN_DIR
from grader.runtime import RUNTIME_MOUNT, runtime

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
    assert ("/x/sub", SUBMISSION_MOUNT) in binds(argv)
    # the grader's own side comes from the runtime folder alone, never the package itself
    assert (runtime().python, RUNTIME_MOUNT) in binds(argv) and package_root() not in sources
    repo = str(Path(package_root()).parent)
    assert repo not in sources and str(BUILTIN_DIR) not in sources
    assert not any(s.startswith(repo + "/reference") or s == "/" or s.startswith("/etc")
                   or s.startswith("/run") for s in sources)
    for flag in ("--unshare-net", "--unshare-pid", "--die-with-parent", "--new-session",
                 "--clearenv"):
        assert flag in argv
    assert argv[argv.index("--remount-ro") + 1] == "/"


def test_labgrade_entries_in_the_installation_are_covered_with_empty_ones() -> None:
    argv = command(FULL_ROOT)
    covered = {inside: source for source, inside in binds(argv)}
    for path in hidden_in_view():
        assert covered[path] in (runtime().empty_dir, runtime().empty_file), path
        assert argv.index(path) > argv.index("--ro-bind")  # after the installation is bound


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


def test_bubblewrap_installs_the_seccomp_filter_before_the_command() -> None:
    argv = bwrap_command(FULL_ROOT, ["python3", "-m", "grader.sandbox"], submission=Path("/x/sub"),
                         work_size=1000, tmp_size=500, env={}, seccomp_fd=7)
    assert argv[argv.index("--seccomp") + 1] == "7"
    assert argv.index("--seccomp") < argv.index("python3")
    assert "--seccomp" not in command(FULL_ROOT)


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


def test_confined_degraded_mode_lacks_only_the_namespaces_and_the_uid() -> None:
    confined = Support(bwrap=None, setpriv=None, cgroup_version=1, reason="no bwrap",
                       landlock=7, seccomp=True)
    missing = set(confined.missing())
    if confined.root:
        assert missing == {"pid_namespace", "unprivileged_user"}
    else:
        assert missing == {"pid_namespace"}
    # an old kernel: Landlock without signal scoping cannot protect the reaper
    old = Support(bwrap=None, setpriv=None, cgroup_version=None, reason="old", landlock=3)
    assert {"signal_isolation", "process_cleanup"} <= set(old.missing())
    assert "filesystem_isolation" not in old.missing()


def fake_cgroup2(root: Path) -> None:
    (root / "cgroup.controllers").write_text("cpuset cpu io memory pids\n")
    (root / "cgroup.subtree_control").write_text("")


def test_cgroup_v2_is_detected_and_configured(tmp_path: Path, monkeypatch) -> None:
    """cgroup v2 on a fake hierarchy (this machine is v1): the files a v2 kernel reads."""
    from grader import isolation

    monkeypatch.setattr(isolation, "CGROUP_ROOT", tmp_path)
    monkeypatch.setattr(isolation.os, "geteuid", lambda: 0)
    fake_cgroup2(tmp_path)
    assert isolation._cgroup_version() == 2
    group = isolation.Cgroup(2, memory=3 * 1024**3, pids=64)
    (directory,) = group.dirs
    assert directory.parent == tmp_path / "labgrade"
    assert (directory / "memory.max").read_text() == str(3 * 1024**3)
    assert (directory / "pids.max").read_text() == "64"
    assert "+memory" in (tmp_path / "cgroup.subtree_control").read_text()
    assert "+pids" in (tmp_path / "labgrade" / "cgroup.subtree_control").read_text()
    assert group.procs_files == [str(directory / "cgroup.procs")]
    (directory / "memory.events").write_text("low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n")
    (directory / "pids.events").write_text("max 0\n")
    assert group.oom_killed() and not group.pids_exhausted()
    (directory / "pids.events").write_text("max 12\n")
    assert group.pids_exhausted()
    (directory / "memory.current").write_text(str(3 * 1024**3 - 4096))
    assert group.stuck_at_memory_limit(3 * 1024**3)  # hit the limit (max 4) and still there
    (directory / "memory.current").write_text(str(1024**3))
    assert not group.stuck_at_memory_limit(3 * 1024**3)  # hit it once, then let go
    assert group.cpu_seconds() is None  # cpu.stat not readable
    (directory / "cpu.stat").write_text("usage_usec 2500000\nuser_usec 2000000\n")
    assert group.cpu_seconds() == 2.5  # every process of the run, whichever mode started it
    (directory / "cgroup.kill").write_text("")
    group.kill_all()
    assert (directory / "cgroup.kill").read_text() == "1"


def test_cgroup_v1_counts_cpu_time_where_cpuacct_is_mounted(tmp_path: Path, monkeypatch) -> None:
    from grader import isolation

    monkeypatch.setattr(isolation, "CGROUP_ROOT", tmp_path)
    assert isolation.Cgroup(1, memory=1 << 30, pids=64).cpu_seconds() is None  # no cpuacct
    (tmp_path / "cpuacct").mkdir()
    (tmp_path / "cpuacct" / "cpuacct.usage").write_text("0\n")
    group = isolation.Cgroup(1, memory=1 << 30, pids=64)
    assert group.cpu_dir is not None and str(group.cpu_dir / "cgroup.procs") in group.procs_files
    (group.cpu_dir / "cpuacct.usage").write_text("7250000000\n")
    assert group.cpu_seconds() == 7.25


def test_cgroup_v2_without_memory_and_pids_controllers_is_not_used(tmp_path: Path,
                                                                   monkeypatch) -> None:
    from grader import isolation

    monkeypatch.setattr(isolation, "CGROUP_ROOT", tmp_path)
    monkeypatch.setattr(isolation.os, "geteuid", lambda: 0)
    (tmp_path / "cgroup.controllers").write_text("cpu io\n")
    assert isolation._cgroup_version() is None


def test_a_warm_run_counts_the_pid_namespace_only_where_it_has_one() -> None:
    import dataclasses

    warm = dataclasses.replace(Support(bwrap=None, setpriv=None, cgroup_version=1, reason="",
                                       landlock=7, seccomp=True), warm=True, warm_namespaces=True)
    assert "pid_namespace" not in warm.missing()
    assert warm.protections(True, pid_isolated=True)["pid_namespace"] is True
    # the worker did not observe its own namespace (or the machine cannot make one)
    assert warm.protections(True, pid_isolated=False)["pid_namespace"] is False
    without = dataclasses.replace(warm, warm_namespaces=False)
    assert without.protections(True, pid_isolated=True)["pid_namespace"] is False
    assert "pid_namespace" in without.missing()
    if warm.root:
        assert warm.missing() == ["unprivileged_user"]
        with_uid = dataclasses.replace(warm, warm_uid=True)
        assert with_uid.missing() == []
        # the worker reported uid 0 after all: not counted
        assert with_uid.protections(True, True, uid_dropped=False)["unprivileged_user"] is False
    else:
        assert warm.missing() == []


def test_warm_support_states_what_differs_from_a_cold_run() -> None:
    from grader.isolation import warm_namespaces, warm_support

    support = warm_support(DEGRADED)
    assert support.warm and support.warm_namespaces == (warm_namespaces() == "")
    note = support.reason
    assert note.startswith("no bwrap; warm start: ")
    assert ("pid, mount and network namespaces" in note) == support.warm_namespaces
    if support.root:
        assert ("no separate uid" in note) == (not support.warm_uid)
        assert ("the sandbox uid" in note) == support.warm_uid


def test_the_folder_that_keeps_the_sandbox_uid_out_is_found() -> None:
    import shutil
    import tempfile

    from grader.unprivileged import blocking_folder

    base = Path(tempfile.mkdtemp(dir="/tmp"))  # /tmp: pytest's own folders are 0700
    try:
        base.chmod(0o755)
        outer, inner = base / "private", base / "private" / "open" / "closed"
        (inner / "lib").mkdir(parents=True)
        outer.chmod(0o700)
        inner.chmod(0o700)
        assert blocking_folder(str(inner / "lib"), 65534, 65534) == str(outer)  # the outermost
        outer.chmod(0o755)
        assert blocking_folder(str(inner / "lib"), 65534, 65534) == str(inner)
        inner.chmod(0o755)
        assert blocking_folder(str(inner / "lib"), 65534, 65534) is None
    finally:
        shutil.rmtree(base)
