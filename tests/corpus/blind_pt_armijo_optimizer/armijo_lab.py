# Lab 6 (part 3): Armijo backtracking as a torch Optimizer subclass
# comparing with plain SGD on the two moons dataset
import numpy as np
import torch
import torch.nn as nn
from torch.optim import Optimizer
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

torch.manual_seed(123)
np.random.seed(123)


class ArmijoSGD(Optimizer):
    """Gradient descent where each step size is found by backtracking:
    start at lr0, multiply by beta until f(x - a g) <= f(x) - c a ||g||^2."""

    def __init__(self, params, lr0=2.0, beta=0.5, c=1e-4, max_iter=25):
        defaults = dict(lr0=lr0, beta=beta, c=c, max_iter=max_iter)
        super().__init__(params, defaults)
        self.last_step = None

    @torch.no_grad()
    def step(self, closure):
        with torch.enable_grad():
            loss = closure()          # closure zeroes grads and calls backward
        group = self.param_groups[0]
        params = [p for p in group['params'] if p.grad is not None]
        saved = [p.detach().clone() for p in params]
        grads = [p.grad.detach().clone() for p in params]
        g2 = sum((g * g).sum() for g in grads).item()
        t = group['lr0']
        for _ in range(group['max_iter']):
            for p, p0, g in zip(params, saved, grads):
                p.copy_(p0 - t * g)
            new_loss = closure(backward=False).item()
            if new_loss <= loss.item() - group['c'] * t * g2:
                break
            t *= group['beta']
        self.last_step = t
        return loss


data_X, data_y = make_moons(n_samples=400, noise=0.15, random_state=5)
X_train, X_test, y_train, y_test = train_test_split(data_X, data_y, test_size=0.25, random_state=5)
sc = StandardScaler().fit(X_train)
Xt = torch.tensor(sc.transform(X_train), dtype=torch.float32)
yt = torch.tensor(y_train, dtype=torch.float32).unsqueeze(1)
Xv = torch.tensor(sc.transform(X_test), dtype=torch.float32)
yv = torch.tensor(y_test, dtype=torch.float32).unsqueeze(1)


class MoonNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 12)
        self.b = nn.Linear(12, 12)
        self.c = nn.Linear(12, 1)

    def forward(self, x):
        return self.c(torch.relu(self.b(torch.relu(self.a(x)))))


bce = nn.BCEWithLogitsLoss()
start_state = MoonNet().state_dict()


def make_closure(model, opt):
    def closure(backward=True):
        # backward=False is used by the line search to only evaluate the loss
        if not backward:
            return bce(model(Xt), yt)
        opt.zero_grad()
        loss = bce(model(Xt), yt)
        loss.backward()
        return loss
    return closure


def test_accuracy(model):
    with torch.no_grad():
        return ((model(Xv) > 0).float() == yv).float().mean().item()


n_iter = 400

# plain SGD, fixed step
model_fixed = MoonNet(); model_fixed.load_state_dict(start_state)
sgd = torch.optim.SGD(model_fixed.parameters(), lr=0.5)
losses_fixed = []
for i in range(n_iter):
    sgd.zero_grad()
    l = bce(model_fixed(Xt), yt)
    l.backward()
    sgd.step()
    losses_fixed.append(l.item())

# Armijo
model_armijo = MoonNet(); model_armijo.load_state_dict(start_state)
armijo_opt = ArmijoSGD(model_armijo.parameters(), lr0=2.0, beta=0.5)
cl = make_closure(model_armijo, armijo_opt)
losses_armijo, steps = [], []
for i in range(n_iter):
    l = armijo_opt.step(cl)
    losses_armijo.append(l.item())
    steps.append(armijo_opt.last_step)

print("fixed : loss %.4f  test acc %.3f" % (losses_fixed[-1], test_accuracy(model_fixed)))
print("armijo: loss %.4f  test acc %.3f" % (losses_armijo[-1], test_accuracy(model_armijo)))
print("average accepted step", np.mean(steps))

fig, ax = plt.subplots(1, 2, figsize=(10, 4))
ax[0].semilogy(losses_fixed, label="SGD lr=0.5")
ax[0].semilogy(losses_armijo, label="Armijo")
ax[0].legend(); ax[0].set_xlabel("iteration")
ax[1].plot(steps); ax[1].set_title("accepted step size")
fig.savefig("armijo_vs_sgd.png")
