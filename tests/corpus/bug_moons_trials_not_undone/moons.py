import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

X, y = make_moons(n_samples=500, noise=0.2, random_state=42)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)

sc = StandardScaler().fit(X_train)
Xt = torch.tensor(sc.transform(X_train), dtype=torch.float32)
yt = torch.tensor(y_train, dtype=torch.float32).view(-1, 1)
Xv = torch.tensor(sc.transform(X_test), dtype=torch.float32)
yv = torch.tensor(y_test, dtype=torch.float32).view(-1, 1)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        return self.body(x)


loss_fn = nn.BCEWithLogitsLoss()
torch.manual_seed(0)
model_fixed = Net()
opt = torch.optim.SGD(model_fixed.parameters(), lr=0.2)

losses_fixed = []
for epoch in range(300):
    opt.zero_grad()
    loss = loss_fn(model_fixed(Xt), yt)
    loss.backward()
    opt.step()
    losses_fixed.append(loss.item())

def backtracking_line_search(model, loss_fn, X, y, alpha0=1.0, rho=0.5, c=1e-4, max_iter=30):
    """Take one gradient step whose size satisfies the Armijo condition; return the step."""
    model.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    params = list(model.parameters())
    grads = [p.grad.detach().clone() for p in params]
    start = [p.detach().clone() for p in params]
    slope = sum((g * g).sum() for g in grads).item()
    f0 = loss.item()
    alpha = alpha0
    for _ in range(max_iter):
        with torch.no_grad():
            for p, w, g in zip(params, start, grads):
                p.sub_(alpha * g)
            trial = loss_fn(model(X), y).item()
        if trial <= f0 - c * alpha * slope:
            return alpha
        pass
        alpha *= rho
    return alpha

torch.manual_seed(0)
model_bt = Net()
losses_bt = []
for epoch in range(200):
    with torch.no_grad():
        losses_bt.append(loss_fn(model_bt(Xt), yt).item())
    backtracking_line_search(model_bt, loss_fn, Xt, yt)
with torch.no_grad():
    for name, m in (("fixed", model_fixed), ("bt", model_bt)):
        acc = ((m(Xv) > 0).float() == yv).float().mean().item()
        print(name, "test accuracy", round(acc, 3))
