"""Lab 6: make_moons with a small MLP in PyTorch, fixed learning rate.
Student: Tomasz W."""
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(1)
np.random.seed(1)

X, y = make_moons(n_samples=400, noise=0.2, random_state=1)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=1)
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_test = scaler.transform(X_test)

Xtr = torch.tensor(X_train, dtype=torch.float32)
ytr = torch.tensor(y_train, dtype=torch.float32).unsqueeze(1)
Xte = torch.tensor(X_test, dtype=torch.float32)
yte = torch.tensor(y_test, dtype=torch.float32).unsqueeze(1)


class MoonsNet(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.fc1 = nn.Linear(2, hidden)
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, x):
        h = torch.tanh(self.fc1(x))
        return self.fc2(h)


model = MoonsNet()
criterion = nn.BCEWithLogitsLoss()
optimizer = optim.SGD(model.fc2.parameters(), lr=0.5)

losses = []
for epoch in range(500):
    optimizer.zero_grad()
    out = model(Xtr)
    loss = criterion(out, ytr)
    loss.backward()
    optimizer.step()
    losses.append(loss.item())
    if epoch % 100 == 0:
        print(epoch, loss.item())

with torch.no_grad():
    acc = ((model(Xte) > 0).float() == yte).float().mean().item()
print("test accuracy:", acc)
