# Lab 6 (PyTorch). Fixed lr vs. backtracking. In the backtracking run every search starts
# from twice the step accepted in the previous iteration (capped at alpha_max), which saves
# most of the function evaluations -- see Nocedal & Wright, ch. 3.
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

torch.manual_seed(3)
Xs, ys = make_moons(n_samples=400, noise=0.2, random_state=3)
Xa, Xb, ya, yb = train_test_split(Xs, ys, test_size=0.25, random_state=3)
X_train = torch.tensor(Xa, dtype=torch.float32)
y_train = torch.tensor(ya, dtype=torch.float32).unsqueeze(1)
X_test = torch.tensor(Xb, dtype=torch.float32)
y_test = torch.tensor(yb, dtype=torch.float32).unsqueeze(1)


def make_net():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))


loss_fn = nn.BCEWithLogitsLoss()

net_sgd = make_net()
opt = torch.optim.SGD(net_sgd.parameters(), lr=0.3)
losses_sgd = []
for epoch in range(300):
    opt.zero_grad()
    l = loss_fn(net_sgd(X_train), y_train)
    l.backward()
    opt.step()
    losses_sgd.append(l.item())

net_bt = make_net()
losses_bt = []
alpha_max, beta, c = 4.0, 0.5, 1e-4
alpha = alpha_max
for epoch in range(200):
    net_bt.zero_grad()
    l = loss_fn(net_bt(X_train), y_train)
    l.backward()
    losses_bt.append(l.item())
    with torch.no_grad():
        ps = list(net_bt.parameters())
        saved = [p.clone() for p in ps]
        grads = [p.grad.clone() for p in ps]
        gsq = sum((g * g).sum() for g in grads).item()
        alpha = min(2 * alpha, alpha_max)          # warm start
        while True:
            for p, w, g in zip(ps, saved, grads):
                p.copy_(w - alpha * g)
            if loss_fn(net_bt(X_train), y_train).item() <= l.item() - c * alpha * gsq or alpha < 1e-8:
                break
            alpha *= beta

with torch.no_grad():
    for tag, m in (("sgd", net_sgd), ("backtracking", net_bt)):
        acc = ((m(X_test) > 0).float() == y_test).float().mean().item()
        print(tag, "train loss", round(loss_fn(m(X_train), y_train).item(), 4), "test acc", acc)
