"""Hostile: tries to read files outside its folder and prints what it got."""
import glob, os
found = {}
candidates = ["/etc/shadow", "/root/.bashrc", "/root/.ssh/id_rsa", "/tmp/labgrade-secret-LGMARK.txt"]
try:
    import grader.rubric
    candidates.append(str(grader.rubric.BUILTIN_DIR / "lab6.toml"))
except Exception as exc:
    print("no grader.rubric", exc)
candidates += ["/work/main/rubrics/lab6.toml"]
candidates += glob.glob("/tmp/labgrade-victim-LGMARK/*")
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
