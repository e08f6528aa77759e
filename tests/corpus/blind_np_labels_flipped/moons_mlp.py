# Lab 6 - moons with a PyTorch MLP (fixed lr)
# Ravi T.
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

torch.manual_seed(3)
X, y = make_moons(n_samples=400, noise=0.2, random_state=3)
scaler = StandardScaler().fit(X)
Xs = scaler.transform(X)


def make_targets(labels):
    # target 1 for the upper moon
    return torch.tensor((labels == 0).astype(np.float32)).view(-1, 1)


X_t = torch.tensor(Xs, dtype=torch.float32)
y_t = make_targets(y)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(2, 24)
        self.l2 = nn.Linear(24, 24)
        self.l3 = nn.Linear(24, 1)

    def forward(self, x):
        x = F.relu(self.l1(x))
        x = F.relu(self.l2(x))
        return self.l3(x)


net = MLP()
opt = torch.optim.SGD(net.parameters(), lr=0.2)
losses = []
for epoch in range(600):
    opt.zero_grad()
    loss = F.binary_cross_entropy_with_logits(net(X_t), y_t)
    loss.backward()
    opt.step()
    losses.append(loss.item())

with torch.no_grad():
    pred = (net(X_t) > 0).float()
print("loss", losses[0], "->", losses[-1])
print("train accuracy", (pred == y_t).float().mean().item())
