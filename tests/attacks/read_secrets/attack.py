"""Hostile: tries to read files outside its folder and prints what it got.

tests/test_attacks.py grades a copy with SECRET_FILE and VICTIM_DIR set to the secret file
and the other submission's folder it made for this run (per-run paths), so concurrent test
runs never delete each other's files.
"""
import glob, os
SECRET_FILE, VICTIM_DIR = "", ""  # set by tests/test_attacks.py
found = {}
candidates = ["/etc/shadow", "/root/.bashrc", "/root/.ssh/id_rsa"]
if SECRET_FILE:
    candidates.append(SECRET_FILE)
try:
    import grader.rubric
    candidates.append(str(grader.rubric.BUILTIN_DIR / "lab6.toml"))
except Exception as exc:
    print("no grader.rubric", exc)
candidates += ["/work/main/rubrics/lab6.toml"]
if VICTIM_DIR:
    candidates += glob.glob(os.path.join(VICTIM_DIR, "*"))
candidates += glob.glob("/tmp/**/labgrade-victim*/*", recursive=False)
for path in candidates:
    try:
        with open(path, "rb") as handle:
            found[path] = handle.read(4000).decode("utf-8", "replace")
    except OSError as exc:
        found[path] = f"DENIED {exc.__class__.__name__}"
try:
    found["/root listing"] = str(os.listdir("/root"))
except OSError as exc:
    found["/root listing"] = f"DENIED {exc}"
found["environ"] = str(dict(os.environ))
for key, value in found.items():
    print("READ", key, "=>", value)
