"""Lab 6: moons in double precision. Fixed step first, then Armijo backtracking."""
import copy
import torch
from torch import nn
from torch.nn.utils import parameters_to_vector, vector_to_parameters
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

torch.set_default_dtype(torch.float64)
torch.manual_seed(77)

raw_X, raw_y = make_moons(n_samples=240, noise=0.15, random_state=77)
scaler = StandardScaler().fit(raw_X)
X = torch.tensor(scaler.transform(raw_X))
y = torch.tensor(raw_y).reshape(-1, 1).double()


class Deep(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(2, 12)
        self.b = nn.Linear(12, 12)
        self.c = nn.Linear(12, 1)

    def forward(self, x):
        return self.c(torch.tanh(self.b(torch.tanh(self.a(x)))))


bce = nn.BCEWithLogitsLoss()
init = Deep()

# ---- fixed learning rate
model_fixed = copy.deepcopy(init)
losses_fixed = []
for k in range(400):
    model_fixed.zero_grad()
    L = bce(model_fixed(X), y)
    L.backward()
    with torch.no_grad():
        for w in model_fixed.parameters():
            w.add_(w.grad, alpha=-0.2)
    losses_fixed.append(L.item())


# ---- Armijo backtracking
def backtracking(model, loss_now, grad_vec, alpha0=4.0, rho=0.5, c=1e-4, max_halvings=30):
    theta = parameters_to_vector(model.parameters()).detach().clone()
    g2 = grad_vec.dot(grad_vec).item()
    alpha = alpha0
    for _ in range(max_halvings):
        vector_to_parameters(theta - alpha * grad_vec, model.parameters())
        with torch.no_grad():
            trial = bce(model(X), y).item()
        if trial <= loss_now - c * alpha * g2:
            return alpha
        alpha *= rho
    vector_to_parameters(theta - alpha * grad_vec, model.parameters())
    return alpha


model_bt = copy.deepcopy(init)
losses_bt, steps = [], []
for k in range(400):
    model_bt.zero_grad()
    L = bce(model_bt(X), y)
    L.backward()
    gvec = torch.cat([w.grad.reshape(-1) for w in model_bt.parameters()]).detach()
    steps.append(backtracking(model_bt, L.item(), gvec))
    losses_bt.append(L.item())

with torch.no_grad():
    for name, m in (("fixed", model_fixed), ("armijo", model_bt)):
        acc = ((m(X) > 0).double() == y).double().mean().item()
        print(name, "train acc", round(acc, 3))
print("final losses", losses_fixed[-1], losses_bt[-1])
print("mean step", sum(steps) / len(steps))
