import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(6)
np.random.seed(6)

X, y = make_moons(n_samples=500, noise=0.2, random_state=6)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=6)
scaler = StandardScaler().fit(X_tr)
X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
inputs = torch.from_numpy(X_tr).float()
targets = torch.from_numpy(y_tr.reshape(-1, 1)).float()


class Regressor(nn.Module):
    # squared error on 0/1 targets, linear output; class = output > 0.5
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 24)
        self.output = nn.Linear(24, 1)

    def forward(self, x):
        return self.output(torch.tanh(self.hidden(x)))


mse = nn.MSELoss()
net0 = Regressor()
state0 = {k: v.clone() for k, v in net0.state_dict().items()}

model_fixed = Regressor()
model_fixed.load_state_dict(state0)
opt = torch.optim.SGD(model_fixed.parameters(), lr=0.15)
losses_fixed = np.zeros(300)
for i in range(300):
    opt.zero_grad()
    l = mse(model_fixed(inputs), targets)
    l.backward()
    opt.step()
    losses_fixed[i] = l.item()

def armijo_step(model, alpha0=2.0, rho=0.5, c=1e-4):
    model.zero_grad()
    f0 = mse(model(inputs), targets)
    f0.backward()
    f0 = f0.item()
    saved = [p.detach().numpy().copy() for p in model.parameters()]
    grads = [p.grad.numpy().copy() for p in model.parameters()]
    g2 = np.sum([np.sum(g ** 2) for g in grads])
    alpha = alpha0
    while alpha > 1e-9:
        with torch.no_grad():
            for p, w, g in zip(model.parameters(), saved, grads):
                p.copy_(torch.from_numpy(w - alpha * g))
            f1 = mse(model(inputs), targets).item()
        if f1 <= f0 - c * alpha * g2:
            return f0, alpha
        with torch.no_grad():
            for p, w in zip(model.parameters(), saved):
                p.copy_(torch.from_numpy(w))
        alpha = alpha * rho
    return f0, 0.0


model_armijo = Regressor()
model_armijo.load_state_dict(state0)
losses_armijo = np.zeros(300)
for i in range(300):
    losses_armijo[i], _ = armijo_step(model_armijo)

def acc(model):
    with torch.no_grad():
        out = model(torch.from_numpy(X_te).float()).numpy().ravel()
    return np.mean((out > 0.5).astype(int) == y_te)


print("fixed  final mse %.4f acc %.3f" % (losses_fixed[-1], acc(model_fixed)))
print("armijo final mse %.4f acc %.3f" % (losses_armijo[-1], acc(model_armijo)))
print("armijo monotone:", bool(np.all(np.diff(losses_armijo) <= 0)))
