# Lab 6: gradient descent vs. backtracking line search on make_moons (PyTorch)
# Kofi A.
import torch
import torch.nn as nn
from torch.nn.utils import parameters_to_vector, vector_to_parameters
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

torch.manual_seed(1)
Xn, yn = make_moons(n_samples=300, noise=0.25, random_state=1)
scaler = StandardScaler()
X = torch.tensor(scaler.fit_transform(Xn), dtype=torch.float32)
y = torch.tensor(yn, dtype=torch.float32).view(-1, 1)


class MoonNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 32)
        self.fc2 = nn.Linear(32, 1)

    def forward(self, x):
        return self.fc2(torch.tanh(self.fc1(x)))


criterion = nn.BCEWithLogitsLoss()

torch.manual_seed(1)
model_gd = MoonNet()
opt = torch.optim.SGD(model_gd.parameters(), lr=0.5)
losses_gd = []
for epoch in range(300):
    opt.zero_grad()
    loss = criterion(model_gd(X), y)
    loss.backward()
    opt.step()
    losses_gd.append(loss.item())


def armijo_step(model, criterion, X, y, alpha=16.0, rho=0.5, c=1e-4, max_trials=30):
    model.zero_grad()
    loss = criterion(model(X), y)
    loss.backward()
    w0 = parameters_to_vector(model.parameters()).detach().clone()
    g = parameters_to_vector([p.grad for p in model.parameters()]).detach().clone()
    gg = torch.dot(g, g).item()
    f_prev = loss.item()
    with torch.no_grad():
        for _ in range(max_trials):
            vector_to_parameters(w0 - alpha * g, model.parameters())
            f_new = criterion(model(X), y).item()
            if f_new <= f_prev - c * alpha * gg:
                return alpha
            f_prev = f_new
            alpha *= rho
    return alpha


torch.manual_seed(1)
model_armijo = MoonNet()
losses_armijo = []
for epoch in range(200):
    with torch.no_grad():
        losses_armijo.append(criterion(model_armijo(X), y).item())
    armijo_step(model_armijo, criterion, X, y)

with torch.no_grad():
    for name, m in [("gd", model_gd), ("armijo", model_armijo)]:
        print(name, "loss", round(criterion(m(X), y).item(), 4),
              "acc", ((m(X) > 0).float() == y).float().mean().item())
print("increases in the armijo run:", sum(b > a for a, b in zip(losses_armijo, losses_armijo[1:])))
