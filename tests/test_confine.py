"""Self-confinement (Landlock, seccomp, capabilities) and the reaper, each in a real child process."""

from __future__ import annotations

import errno
import json
import os
import signal
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from grader import confine, reaper
from grader.isolation import package_root, python_roots

ABI = confine.landlock_abi()
needs_landlock = pytest.mark.skipif(ABI < 6, reason=f"Landlock ABI {ABI} < 6 on this kernel")
needs_seccomp = pytest.mark.skipif(not confine.seccomp_supported(), reason="unknown architecture")
PYTHONPATH = str(Path(package_root()).parent)


def run_confined(tmp_path: Path, body: str) -> dict:
    """Run ``body`` in a child that confines itself to ``tmp_path/work``; return its JSON."""
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    script = textwrap.dedent(f"""
        import json, os, socket, sys
        from grader.confine import Confinement, confine, existing
        confine(Confinement(read_only=existing({[*python_roots(), package_root(), "/usr",
                                                 "/proc/self"]!r}),
                            writable=({str(work)!r},)),
                landlock={ABI}, seccomp={confine.seccomp_supported()})
        out = {{}}
        def attempt(name, action):
            try:
                action()
                out[name] = "ok"
            except OSError as exc:
                out[name] = exc.__class__.__name__
    """) + textwrap.dedent(body) + "\nprint(json.dumps(out))\n"
    done = subprocess.run([sys.executable, "-s", "-c", script], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": PYTHONPATH})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@needs_landlock
def test_files_outside_the_allowed_folders_cannot_be_read_or_written(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("LGMARK secret")
    out = run_confined(tmp_path, f"""
        attempt("read_secret", lambda: open({str(secret)!r}).read())
        attempt("read_rubric", lambda: open({PYTHONPATH + "/rubrics/lab6.toml"!r}).read())
        attempt("write_outside", lambda: open({str(tmp_path / "planted.py")!r}, "w").write("x"))
        attempt("write_inside", lambda: open({str(tmp_path / "work" / "ok.txt")!r}, "w").write("x"))
        attempt("read_python", lambda: open(os.__file__).read())
        attempt("grader_environ", lambda: open(f"/proc/{{os.getppid()}}/environ").read())
    """)
    assert out == {"read_secret": "PermissionError", "read_rubric": "PermissionError",
                   "write_outside": "PermissionError", "write_inside": "ok", "read_python": "ok",
                   "grader_environ": "PermissionError"}
    assert not (tmp_path / "planted.py").exists()


@needs_landlock
def test_the_confined_child_cannot_signal_its_parent(tmp_path: Path) -> None:
    out = run_confined(tmp_path, """
        attempt("signal_parent", lambda: os.kill(os.getppid(), 0))
        attempt("signal_self", lambda: os.kill(os.getpid(), 0))
    """)
    assert out == {"signal_parent": "PermissionError", "signal_self": "ok"}


@needs_seccomp
def test_sockets_are_refused_but_socketpair_works(tmp_path: Path) -> None:
    out = run_confined(tmp_path, """
        attempt("udp", lambda: socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
        attempt("tcp6", lambda: socket.socket(socket.AF_INET6, socket.SOCK_STREAM))
        attempt("unix", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
        attempt("pair", lambda: socket.socketpair())
    """)
    assert out == {"udp": "PermissionError", "tcp6": "PermissionError",
                   "unix": "PermissionError", "pair": "ok"}


@pytest.mark.skipif(os.geteuid() != 0, reason="capabilities are dropped only for root")
def test_root_child_holds_no_capability_even_after_exec(tmp_path: Path) -> None:
    out = run_confined(tmp_path, """
        import subprocess
        from grader.confine import capabilities_empty
        out["caps_empty"] = capabilities_empty()
        # an exec'd child must not regain them: setuid needs CAP_SETUID
        out["after_exec"] = subprocess.run([sys.executable, "-c",
            "import os\\ntry:\\n    os.setuid(4242); print('setuid ok')\\n"
            "except PermissionError: print('refused')"], capture_output=True, text=True).stdout
    """)
    assert out == {"caps_empty": True, "after_exec": "refused\n"}


def test_the_owner_of_a_user_namespace_holds_no_capability_either(tmp_path: Path) -> None:
    """As a warm worker when the grader is not root: every capability in its namespace, not uid 0."""
    script = textwrap.dedent(f"""
        import ctypes, os, sys
        from grader.confine import CLONE_NEWUSER, Confinement, capabilities_empty, confine
        if ctypes.CDLL(None).unshare(CLONE_NEWUSER) != 0:
            sys.exit(3)
        before = capabilities_empty()
        confine(Confinement(read_only=(), writable=()), landlock=0, seccomp=False)
        print(os.geteuid() != 0, before, capabilities_empty())
    """)
    done = subprocess.run([sys.executable, "-s", "-c", script], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": PYTHONPATH})
    if done.returncode == 3:
        pytest.skip("no user namespace can be created here")
    assert done.stdout.split() == ["True", "False", "True"], (done.stdout, done.stderr)


def run_filter(program: bytes, arch: int, nr: int, arg0: int = 0) -> tuple[str, int]:
    """Evaluate the classic-BPF ``program`` on one syscall, as the kernel would: the action."""
    data = {confine.SECCOMP_DATA_NR: nr, confine.SECCOMP_DATA_ARCH: arch,
            confine.SECCOMP_DATA_ARG0: arg0 & 0xFFFFFFFF}
    instructions = [struct.unpack("=HBBI", program[i:i + 8]) for i in range(0, len(program), 8)]
    pc, a = 0, 0
    while True:
        code, jt, jf, k = instructions[pc]
        if code == confine.BPF_RET_K:
            return ("allow", 0) if k == confine.SECCOMP_RET_ALLOW else ("errno", k & 0xFFFF)
        if code == confine.BPF_LD_W_ABS:
            a, pc = data[k], pc + 1
        elif code in (confine.BPF_JEQ_K, confine.BPF_JSET_K):
            hit = a == k if code == confine.BPF_JEQ_K else bool(a & k)
            pc += 1 + (jt if hit else jf)
        else:
            raise AssertionError(f"unexpected BPF instruction {code:#x}")


@pytest.mark.parametrize("machine", sorted(confine.SECCOMP_ARCHES))
@pytest.mark.parametrize("name,arg0,sockets,expected", [
    ("add_key", 0, True, ("errno", errno.EPERM)),
    ("request_key", 0, True, ("errno", errno.EPERM)),
    ("keyctl", 0, True, ("errno", errno.EPERM)),
    ("perf_event_open", 0, True, ("errno", errno.EPERM)),
    ("io_uring_setup", 0, False, ("errno", errno.EACCES)),
    ("clone3", 0, True, ("errno", errno.ENOSYS)),   # libc falls back to clone
    ("unshare", confine.CLONE_NEWUSER | 0x20000, True, ("errno", errno.EPERM)),
    ("unshare", 0x20000, True, ("allow", 0)),         # a mount namespace needs CAP_SYS_ADMIN
    ("clone", confine.CLONE_NEWUSER | 17, True, ("errno", errno.EPERM)),
    ("clone", 0x003D0F00, True, ("allow", 0)),        # what pthread_create asks
    ("clone", 17, True, ("allow", 0)),                 # fork
    ("socket", 2, True, ("errno", errno.EACCES)),
    ("socket", 2, False, ("allow", 0)),                # bubblewrap's network namespace suffices
])
def test_the_filter_refuses_what_a_lab_never_needs(machine: str, name: str, arg0: int,
                                                   sockets: bool, expected: tuple[str, int]) -> None:
    arch, numbers = confine.SECCOMP_ARCHES[machine]
    program = confine.filter_program(machine, sockets=sockets)
    assert run_filter(program, arch, numbers[name], arg0) == expected


@pytest.mark.parametrize("machine", sorted(confine.SECCOMP_ARCHES))
def test_the_filter_allows_the_rest_and_refuses_foreign_abis(machine: str) -> None:
    arch, numbers = confine.SECCOMP_ARCHES[machine]
    program = confine.filter_program(machine)
    named = set(numbers.values())
    assert all(run_filter(program, arch, nr) == ("allow", 0) for nr in range(460) if nr not in named)
    assert run_filter(program, 0x40000003, 1) == ("errno", errno.ENOSYS)  # i386
    assert run_filter(program, arch, confine.X32_SYSCALL_BIT | 1) == ("errno", errno.ENOSYS)


@needs_seccomp
def test_keyrings_user_namespaces_and_perf_events_are_refused(tmp_path: Path) -> None:
    out = run_confined(tmp_path, """
        import ctypes, errno, platform, struct
        import grader.confine as lg
        libc = ctypes.CDLL(None, use_errno=True)
        nr = lg.SECCOMP_ARCHES[platform.machine()][1]
        def syscall(name, *args):
            result = libc.syscall(nr[name], *args)
            out[name] = "ok" if result >= 0 else errno.errorcode[ctypes.get_errno()]
        syscall("add_key", b"user", b"LGMARK", b"x", 1, -4)
        syscall("keyctl", 0, -4, 0)  # KEYCTL_GET_KEYRING_ID of the user keyring
        syscall("unshare", lg.CLONE_NEWUSER)
        syscall("clone3", None, 0)  # unfiltered: EINVAL
        attr = struct.pack("=IIQQQQQ", 1, 128, 0, 0, 0, 0, 0x60).ljust(128, bytes(1))
        syscall("perf_event_open", attr, 0, -1, -1, 0)
        attempt("thread", lambda: __import__("threading").Thread(target=print).start())
    """)
    assert out == {"add_key": "EPERM", "keyctl": "EPERM", "unshare": "EPERM", "clone3": "ENOSYS",
                   "perf_event_open": "EPERM", "thread": "ok"}


@needs_landlock
def test_the_mount_table_is_hidden_but_the_rest_of_proc_self_is_readable(tmp_path: Path) -> None:
    out = run_confined(tmp_path, """
        for name in ("mountinfo", "mounts", "mountstats", "status", "maps", "stat"):
            attempt(name, lambda: open(f"/proc/self/{name}").read())
        attempt("mounts_link", lambda: open("/proc/mounts").read())
        attempt("thread_mountinfo", lambda: open("/proc/thread-self/mountinfo").read())
        attempt("fd", lambda: os.listdir("/proc/self/fd"))
    """)
    assert out == {"mountinfo": "PermissionError", "mounts": "PermissionError",
                   "mountstats": "PermissionError", "status": "ok", "maps": "ok", "stat": "ok",
                   "mounts_link": "PermissionError", "thread_mountinfo": "PermissionError",
                   "fd": "ok"}


def test_own_proc_folder_is_expanded_without_mount_table_or_symlinks() -> None:
    paths = confine.without_mount_table(["/usr", "/proc/self"])
    me = f"/proc/{os.getpid()}"
    assert paths[0] == "/usr" and f"{me}/status" in paths and f"{me}/fd" in paths
    names = {path.rpartition("/")[2] for path in paths[1:]}
    assert not names & {"mountinfo", "mounts", "mountstats", "task", "root", "cwd", "exe"}


# --- the reaper -----------------------------------------------------------------------------------

def start_reaper(tmp_path: Path, worker_code: str, *, disk_bytes: int = 64 << 20,
                 landlock: int = 0) -> tuple[subprocess.Popen, int]:
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    status_read, status_write = os.pipe()
    config = {"grader_pid": os.getpid(), "landlock": landlock, "seccomp": False,
              "read_only": [*python_roots(), package_root(), "/usr"], "writable": [str(work)],
              "read_only_files": [], "disk_bytes": disk_bytes, "disk_files": 1000}
    process = subprocess.Popen(
        [sys.executable, "-s", "-m", "grader.reaper", json.dumps(config), str(status_write), "--",
         sys.executable, "-c", worker_code], cwd=work, pass_fds=[status_write],
        env={**os.environ, "PYTHONPATH": PYTHONPATH}, start_new_session=True)
    os.close(status_write)
    return process, status_read


def read_report(status_read: int) -> dict:
    with os.fdopen(status_read, "rb") as handle:
        return json.loads(handle.read())


def processes_with(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


ESCAPE = """
import os, subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", "{marker}"],
                 start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv(sys.executable, [sys.executable, "-c", "import time; time.sleep(300)", "{marker}"])
    os._exit(0)
import time; time.sleep({sleep})
"""


def test_reaper_kills_escaped_sessions_when_the_worker_ends(tmp_path: Path) -> None:
    marker = f"LGMARK_reaper_{os.getpid()}"
    process, status = start_reaper(tmp_path, ESCAPE.format(marker=marker, sleep=1))
    assert process.wait(timeout=60) == 0
    report = read_report(status)
    assert report["worker"] == "exit" and report["code"] == 0
    assert report["leftovers_killed"] == 2
    assert processes_with(marker) == []


def test_reaper_stops_everything_on_sigterm_and_reports_the_signal(tmp_path: Path) -> None:
    marker = f"LGMARK_reaper_term_{os.getpid()}"
    process, status = start_reaper(tmp_path, ESCAPE.format(marker=marker, sleep=300))
    deadline = time.monotonic() + 30
    while len(processes_with(marker)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 128 + signal.SIGKILL  # the worker was killed
    report = read_report(status)
    assert report["stopped"] is True
    assert processes_with(marker) == []


def test_reaper_stops_a_run_that_fills_its_folder(tmp_path: Path) -> None:
    worker = ("import time\nfor i in range(100):\n"
              "    open(f'f{i}.bin', 'wb').write(b'x' * 262144)\n"
              "    time.sleep(0.01)\ntime.sleep(300)\n")
    process, status = start_reaper(tmp_path, worker, disk_bytes=4 << 20)
    process.wait(timeout=60)
    report = read_report(status)
    assert report["disk_exceeded"] is True and report["disk_used"] > 4 << 20


def test_reaper_counts_files_unlinked_but_kept_open(tmp_path: Path) -> None:
    """A folder walk never sees them; the reaper finds them through the run's descriptors."""
    worker = ("import os, time\nfor i in range(8):\n"
              "    fd = os.open(f'hidden{i}', os.O_WRONLY | os.O_CREAT)\n"
              "    os.unlink(f'hidden{i}')\n    os.write(fd, b'x' * (1 << 20))\n"
              "time.sleep(300)\n")
    process, status = start_reaper(tmp_path, worker, disk_bytes=4 << 20)
    process.wait(timeout=60)
    report = read_report(status)
    assert report["disk_exceeded"] is True and report["disk_used"] > 4 << 20, report
    assert report["disk_entries"] == 0, report  # nothing left in the folder to walk


def test_folder_usage_counts_bytes_and_entries(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "big").write_bytes(b"x" * 100_000)
    (tmp_path / "small").write_bytes(b"y")
    used, entries = reaper.folder_usage([str(tmp_path)], 1000)
    assert entries == 3 and used >= 100_000


def test_exit_code_mirrors_bubblewrap() -> None:
    assert reaper.exit_code({"code": 3}) == 3
    assert reaper.exit_code({"code": -signal.SIGXCPU}) == 128 + signal.SIGXCPU
    assert reaper.exit_code({"code": None}) == 128 + signal.SIGKILL
