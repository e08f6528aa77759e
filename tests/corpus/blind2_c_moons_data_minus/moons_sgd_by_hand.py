# lab 6 - moons, plain gradient descent written out by hand
import numpy as np
import torch
from torch import nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

np.random.seed(5)
torch.manual_seed(5)

pts, lab = make_moons(n_samples=350, noise=0.25, random_state=5)
tr_x, te_x, tr_y, te_y = train_test_split(pts, lab, test_size=0.3, random_state=5)
scaler = StandardScaler().fit(tr_x)
tr_x = torch.from_numpy(scaler.transform(tr_x)).float()
te_x = torch.from_numpy(scaler.transform(te_x)).float()
tr_y = torch.from_numpy(tr_y).float().reshape(-1, 1)
te_y = torch.from_numpy(te_y).float().reshape(-1, 1)

model = nn.Sequential(
    nn.Linear(2, 20), nn.ReLU(),
    nn.Linear(20, 20), nn.ReLU(),
    nn.Linear(20, 1), nn.Sigmoid(),
)
criterion = nn.BCELoss()
lr = 0.3
loss_history = []
for epoch in range(700):
    out = model(tr_x)
    loss = criterion(out, tr_y)
    loss.backward()
    for p in model.parameters():
        p.data -= lr * p.grad.data
    model.zero_grad()
    loss_history.append(loss.item())

print("first / last loss:", loss_history[0], loss_history[-1])
with torch.no_grad():
    test_acc = ((model(te_x) >= 0.5).float() == te_y).float().mean().item()
print("test accuracy", round(test_acc, 3))
