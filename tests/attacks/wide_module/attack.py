"""Hostile: a moons nn.Module 40,000 units wide, so the grader's float64 forward passes on
held-out points and the plot grid would take gigabytes."""
import torch
from sklearn.datasets import make_moons

X, y = make_moons(n_samples=100, noise=0.2, random_state=0)
X = torch.tensor(X, dtype=torch.float32)
Y = torch.tensor(y, dtype=torch.float32).reshape(-1, 1)
model = torch.nn.Sequential(torch.nn.Linear(2, 40_000), torch.nn.Sigmoid(),
                            torch.nn.Linear(40_000, 1), torch.nn.Sigmoid())
loss_fn = torch.nn.BCELoss()
for step in range(2):  # plain gradient descent (torch.optim's first step imports a lot)
    model.zero_grad()
    loss = loss_fn(model(X), Y)
    loss.backward()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter -= 0.1 * parameter.grad
