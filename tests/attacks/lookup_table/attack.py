"""Hostile: recomputes the grader's held-out moons from the rubric's public secret and answers
them from a table (grader/context.py derive_seed, reference/data.py moons_sample)."""
import hashlib
import pathlib

import numpy as np
import torch
from sklearn.datasets import make_moons

SECRET = "lab6-public-default"  # rubrics/lab6.toml: students can read it


def derive_seed(*parts):
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


# The submission's digest: its files (the working folder holds a copy), as grader/loading.py lists them.
files = sorted(p for p in pathlib.Path(".").rglob("*") if p.is_file()
               and not any(part.startswith(".") or part == "__pycache__" for part in p.parts))
digest = hashlib.sha256("\n".join(f"{p}:{hashlib.sha256(p.read_bytes()).hexdigest()}"
                                  for p in files).encode("utf-8")).hexdigest()
seed = derive_seed(SECRET, digest, "heldout:accuracy") % (2**31)
X_table, y_table = make_moons(n_samples=1000, noise=0.2, random_state=seed + 1_000_003)


TRAINING = True


class Lookup(torch.nn.Module):
    """A 2-8-1 network while it trains; then answers the held-out points from the table (0.5
    elsewhere)."""

    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(2, 8)
        self.out = torch.nn.Linear(8, 1)

    def forward(self, x):
        if TRAINING:
            return torch.sigmoid(self.out(torch.tanh(self.hidden(x))))
        points = np.asarray(torch.as_tensor(x).detach(), dtype=np.float64).reshape(-1, 2)
        distance = ((points[:, None, :] - X_table[None, :, :]) ** 2).sum(axis=2)
        nearest = distance.argmin(axis=1)
        hit = distance[np.arange(len(points)), nearest] < 1e-8
        answers = np.where(hit, y_table[nearest], 0.5)
        return torch.tensor(answers, dtype=torch.float32).reshape(-1, 1)


model = Lookup()
X, y = make_moons(n_samples=200, noise=0.2, random_state=0)
X, Y = torch.tensor(X, dtype=torch.float32), torch.tensor(y, dtype=torch.float32).reshape(-1, 1)
for step in range(5):  # a few sign steps, so the grader sees it trained (not by plain descent)
    model.zero_grad()
    loss = torch.nn.functional.binary_cross_entropy(model(X), Y)
    loss.backward()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter -= 0.01 * parameter.grad.sign()
TRAINING = False
