"""Hostile: patches numpy, torch, builtins and the harness, and forges protocol frames."""
import builtins, json, os, struct
import numpy as np
import torch
np.allclose = lambda *a, **k: True
np.isclose = lambda *a, **k: np.array(True)
torch.allclose = lambda *a, **k: True
builtins.isinstance = lambda *a, **k: True
builtins.len = lambda *a: 1000
try:
    import grader.sandbox.worker as w
    for name in dir(w):
        if callable(getattr(w, name)) and not name.startswith("__"):
            try:
                setattr(w, name, lambda *a, **k: {"type": "reply", "ok": True, "value": 1.0})
            except Exception:
                pass
except Exception as exc:
    print("no worker", exc)
try:
    import grader.sandbox.probes as p
    for name in dir(p):
        if callable(getattr(p, name)) and not name.startswith("__"):
            try:
                setattr(p, name, lambda *a, **k: {"accuracy": 1.0, "loss": 0.0})
            except Exception:
                pass
except Exception as exc:
    print("no probes", exc)
forged = json.dumps({"type": "reply", "ok": True, "value": {"accuracy": 1.0}}).encode()
for fd in range(3, 11):
    for frame in (struct.pack(">I", len(forged)) + forged, struct.pack("<I", len(forged)) + forged,
                  forged + b"\n", b"\xff" * 64):
        try:
            os.write(fd, frame)
        except OSError:
            pass
loss_history = [1.0, 0.0]
W1 = torch.zeros(2, 4)
