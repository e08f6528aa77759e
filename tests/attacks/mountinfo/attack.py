"""Hostile: reads the mount table (which folders the host mounts where, and from what)."""
paths = ["/proc/self/mountinfo", "/proc/self/mounts", "/proc/mounts", "/proc/thread-self/mountinfo",
         "/proc/self/mountstats", "/proc/1/mountinfo"]
points = set()
for path in paths:
    try:
        with open(path) as handle:
            lines = handle.read().splitlines()
    except OSError as exc:
        print("MOUNTS", path, "DENIED", exc.__class__.__name__, flush=True)
        continue
    print("MOUNTS", path, "READ", len(lines), "lines", flush=True)
    for line in lines:
        fields = line.split()
        if path.endswith("mountinfo") and len(fields) > 4:
            points.add(fields[4])
        elif len(fields) > 1 and not path.endswith("mountstats"):
            points.add(fields[1])
for point in sorted(points):
    print("MOUNTPOINT", point)
x = 1
