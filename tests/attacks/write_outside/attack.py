"""Hostile: writes outside its working directory.

tests/test_attacks.py grades a copy with the targets set to per-run paths (a file in /tmp,
a file name inside the grader package, the same package's host path), so concurrent test
runs never delete each other's files.
"""
import os
TMP_TARGET, PACKAGE_FILE, HOST_TARGET = "", "", ""  # set by tests/test_attacks.py
x = 1
results = {}
targets = [TMP_TARGET]
try:
    import grader
    targets.append(os.path.join(os.path.dirname(grader.__file__), PACKAGE_FILE))
except Exception:
    pass
targets.append(HOST_TARGET)
for target in targets:
    try:
        with open(target, "w") as handle:
            handle.write("pwned LGMARK")
        results[target] = "WROTE"
    except OSError as exc:
        results[target] = f"fail {exc}"
print("WRITERESULTS", results, flush=True)
