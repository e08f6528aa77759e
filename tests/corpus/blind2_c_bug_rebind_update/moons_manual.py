import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

torch.manual_seed(17)
Xm, ym = make_moons(n_samples=300, noise=0.2, random_state=17)
Xtr, Xte, ytr, yte = train_test_split(Xm, ym, test_size=0.25, random_state=17)
Xtr = torch.tensor(Xtr, dtype=torch.float32)
Xte = torch.tensor(Xte, dtype=torch.float32)
ytr = torch.tensor(ytr, dtype=torch.float32).view(-1, 1)
yte = torch.tensor(yte, dtype=torch.float32).view(-1, 1)

net = nn.Sequential(nn.Linear(2, 12), nn.Tanh(), nn.Linear(12, 12), nn.Tanh(), nn.Linear(12, 1))
bce = nn.BCEWithLogitsLoss()
learning_rate = 0.5
losses = []
for epoch in range(500):
    loss = bce(net(Xtr), ytr)
    net.zero_grad()
    loss.backward()
    with torch.no_grad():
        for p in net.parameters():
            p = p - learning_rate * p.grad
    losses.append(loss.item())
    if epoch % 100 == 0:
        print(epoch, loss.item())

with torch.no_grad():
    acc = ((net(Xte) > 0).float() == yte).float().mean()
print("test acc", acc.item())
