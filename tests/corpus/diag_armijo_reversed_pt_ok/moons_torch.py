import copy

import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

X, y = make_moons(n_samples=300, noise=0.2, random_state=2)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=2)
scaler = StandardScaler().fit(X_train)
Xtr = torch.tensor(scaler.transform(X_train), dtype=torch.float32)
ytr = torch.tensor(y_train, dtype=torch.float32).unsqueeze(1)
Xte = torch.tensor(scaler.transform(X_test), dtype=torch.float32)
yte = torch.tensor(y_test, dtype=torch.float32).unsqueeze(1)


class MoonNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 16)
        self.fc2 = nn.Linear(16, 1)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


criterion = nn.BCEWithLogitsLoss()

torch.manual_seed(0)
model_fixed = MoonNet()
start = copy.deepcopy(model_fixed.state_dict())
opt = torch.optim.SGD(model_fixed.parameters(), lr=0.5)
losses_fixed = []
for epoch in range(300):
    opt.zero_grad()
    loss = criterion(model_fixed(Xtr), ytr)
    loss.backward()
    opt.step()
    losses_fixed.append(loss.item())


def armijo_step(model, criterion, X, y, alpha=16.0, rho=0.5, c=1e-4):
    model.zero_grad()
    loss0 = criterion(model(X), y)
    loss0.backward()
    saved = [p.detach().clone() for p in model.parameters()]
    grads = [p.grad.clone() for p in model.parameters()]
    grad_sq = sum((g ** 2).sum().item() for g in grads)
    loss0 = loss0.item()
    for _ in range(40):
        with torch.no_grad():
            for p, g in zip(model.parameters(), grads):
                p -= alpha * g
            trial_loss = criterion(model(X), y).item()
        if trial_loss <= loss0 - c * alpha * grad_sq:
            return alpha
        with torch.no_grad():
            for p, w in zip(model.parameters(), saved):
                p.copy_(w)
        alpha *= rho
    return 0.0


model_armijo = MoonNet()
model_armijo.load_state_dict(start)
losses_armijo = []
for epoch in range(300):
    with torch.no_grad():
        losses_armijo.append(criterion(model_armijo(Xtr), ytr).item())
    armijo_step(model_armijo, criterion, Xtr, ytr)

with torch.no_grad():
    for name, net in (("fixed", model_fixed), ("armijo", model_armijo)):
        acc = ((net(Xte) > 0).float() == yte).float().mean().item()
        print(name, "loss", round(criterion(net(Xtr), ytr).item(), 4), "test acc", round(acc, 3))
