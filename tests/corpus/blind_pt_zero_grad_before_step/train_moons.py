# Lab 6 -- make_moons, PyTorch nn.Sequential, plain SGD
# Oskar N.
import torch
from torch import nn
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

torch.manual_seed(2024)

X_np, y_np = make_moons(n_samples=300, noise=0.2, random_state=0)
scaler = StandardScaler()
X_np = scaler.fit_transform(X_np)
X = torch.tensor(X_np, dtype=torch.float32)
y = torch.tensor(y_np, dtype=torch.float32).reshape(-1, 1)

model = nn.Sequential(
    nn.Linear(2, 16),
    nn.ReLU(),
    nn.Linear(16, 16),
    nn.ReLU(),
    nn.Linear(16, 1),
)
loss_fn = nn.BCEWithLogitsLoss()
opt = torch.optim.SGD(model.parameters(), lr=0.3)

history = []
for epoch in range(400):
    logits = model(X)
    loss = loss_fn(logits, y)
    loss.backward()
    opt.zero_grad()          # clear the gradients so they don't pile up
    opt.step()
    history.append(loss.item())

print("loss first/last:", history[0], history[-1])
with torch.no_grad():
    acc = ((model(X) > 0).float() == y).float().mean()
print("train accuracy", acc.item())
