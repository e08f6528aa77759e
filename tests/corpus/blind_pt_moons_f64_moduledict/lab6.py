# Lab 6 -- moons, float64 everywhere, xavier init, leaky relu, exponential lr decay
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.set_default_dtype(torch.float64)
torch.manual_seed(99)
np.random.seed(99)

Xall, yall = make_moons(n_samples=1000, noise=0.2, random_state=99)
Xtr, Xte, ytr, yte = train_test_split(Xall, yall, test_size=0.2, random_state=99, stratify=yall)
std_scaler = StandardScaler()
Xtr = std_scaler.fit_transform(Xtr)
Xte = std_scaler.transform(Xte)
Xtr, Xte = torch.from_numpy(Xtr), torch.from_numpy(Xte)
ytr_t = torch.from_numpy(ytr).double().reshape(-1, 1)
yte_t = torch.from_numpy(yte).double().reshape(-1, 1)


class DeepMoons(nn.Module):
    def __init__(self, sizes=(2, 24, 24, 1)):
        super().__init__()
        self.layers = nn.ModuleDict({
            f"lin{i}": nn.Linear(sizes[i], sizes[i + 1]) for i in range(len(sizes) - 1)
        })
        for lin in self.layers.values():
            nn.init.xavier_uniform_(lin.weight)
            nn.init.zeros_(lin.bias)

    def forward(self, x):
        n = len(self.layers)
        for i in range(n):
            x = self.layers[f"lin{i}"](x)
            if i < n - 1:
                x = F.leaky_relu(x, negative_slope=0.05)
        return x        # logits


clf = DeepMoons()
opt = torch.optim.SGD(clf.parameters(), lr=0.5)
sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.999)
loss_f = nn.BCEWithLogitsLoss()

history = []
for epoch in range(700):
    opt.zero_grad()
    loss = loss_f(clf(Xtr), ytr_t)
    loss.backward()
    opt.step()
    sched.step()
    history.append(loss.item())
    if epoch % 100 == 0:
        print(f"epoch {epoch}  loss {loss.item():.4f}  lr {sched.get_last_lr()[0]:.4f}")

with torch.no_grad():
    acc_tr = ((clf(Xtr) > 0).double() == ytr_t).double().mean().item()
    acc_te = ((clf(Xte) > 0).double() == yte_t).double().mean().item()
print(f"train acc {acc_tr:.3f}   test acc {acc_te:.3f}")
