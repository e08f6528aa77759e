"""Hostile: creates a user namespace (unshare, clone3, the unshare tool) and mounts a tmpfs in it.

Inside a new user namespace the process holds every capability there: it may mount, and the
kernel's namespaced code is open to it. Each attempt runs in a forked child; prints what
each step gave.
"""
import ctypes, os, platform, struct, subprocess
CLONE_NEWNS, CLONE_NEWUSER = 0x20000, 0x10000000
SYS_CLONE3 = 435
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong,
                       ctypes.c_void_p]
target = os.path.abspath("userns-mnt")
os.makedirs(target, exist_ok=True)


def in_child(step):
    """Run ``step`` in a forked child; its one line of outcome comes back over a pipe."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            text = step()
        except BaseException as exc:  # noqa: BLE001
            text = f"raised {exc!r}"
        os.write(write, text.encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read) as handle:
        return handle.read()


def errno_text():
    return os.strerror(ctypes.get_errno())


def unshare_and_mount():
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0:
        return f"unshare: {errno_text()}"
    if libc.mount(b"tmpfs", target.encode(), b"tmpfs", 0, b"size=1m") != 0:
        return f"unshare: ok; mount: {errno_text()}"
    return "unshare: ok; mount: ok"


def clone3():
    args = struct.pack("=QQQQQQQQ", CLONE_NEWUSER, 0, 0, 0, 17, 0, 0, 0)  # exit_signal SIGCHLD
    buffer = ctypes.create_string_buffer(args, len(args))
    pid = libc.syscall(SYS_CLONE3, buffer, ctypes.c_size_t(len(args)))
    if pid == 0:
        os._exit(0)  # the new child, in its own user namespace
    if pid < 0:
        return f"clone3: {errno_text()}"
    os.waitpid(pid, 0)
    return "clone3: ok"


def tool():
    try:
        done = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"],
                              capture_output=True, text=True, timeout=10)
    except OSError as exc:
        return f"tool: {exc.__class__.__name__}"
    return "tool: ok" if done.returncode == 0 else f"tool: failed {done.stderr.strip()[:120]}"


for step in (unshare_and_mount, clone3, tool):
    print("USERNS", in_child(step), flush=True)
x = 1
