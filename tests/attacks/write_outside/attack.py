"""Hostile: writes outside its working directory."""
import os
x = 1
results = {}
targets = ["/tmp/labgrade-attack-LGMARK-write"]
try:
    import grader
    targets.append(os.path.join(os.path.dirname(grader.__file__), "LGMARK_pwned.py"))
except Exception:
    pass
targets.append("/work/main/grader/LGMARK_pwned2.py")
for target in targets:
    try:
        with open(target, "w") as handle:
            handle.write("pwned LGMARK")
        results[target] = "WROTE"
    except OSError as exc:
        results[target] = f"fail {exc}"
print("WRITERESULTS", results, flush=True)
