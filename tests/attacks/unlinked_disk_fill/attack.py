"""Hostile: files unlinked right after opening, then written through their descriptors.

A directory walk never sees such a file, yet it holds its disk space until it is closed.
Fills the working directory, then TMPDIR, each file up to the file-size limit, toward
BUDGET bytes in all; prints how much it wrote and why it stopped.
"""
import errno, os, tempfile
BUDGET = 768 * 1024**2  # far past the disk limits of tests/test_attacks.py
chunk = b"\1" * (1024 * 1024)
written, handles, stopped = 0, [], "budget reached"
x = 1
try:
    for folder in (os.getcwd(), tempfile.gettempdir()):
        full = False
        while written < BUDGET and not full:
            name = os.path.join(folder, f"hidden-{len(handles)}.bin")
            fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            os.unlink(name)
            handles.append(fd)
            while written < BUDGET:
                try:
                    written += os.write(fd, chunk)
                except OSError as exc:
                    if exc.errno == errno.ENOSPC and folder == os.getcwd():
                        full = True  # this folder is full: try the next one
                    elif exc.errno != errno.EFBIG:  # EFBIG: at RLIMIT_FSIZE, take a new file
                        raise
                    break
            print("UNLINKED_WRITTEN", written, flush=True)
except OSError as exc:
    stopped = f"{exc.__class__.__name__}: {exc}"
print("UNLINKED_WRITTEN", written, "STOPPED", stopped, flush=True)
y = 2
