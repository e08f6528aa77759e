"""Lab 6: XOR, purely functional network (no nn.Module).

The parameters are a dict of leaf tensors, the forward pass is a pure function f(params, x),
gradients come from torch.autograd.grad and each step builds a brand new dict.
"""
import numpy as np
import torch

torch.manual_seed(3)
np.random.seed(3)

X = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
t = torch.tensor([0, 1, 1, 0], dtype=torch.float32).reshape(-1, 1)

H = 5
params = {
    'w1': (torch.randn(2, H) * 0.8).requires_grad_(),
    'b1': torch.zeros(H, requires_grad=True),
    'w2': (torch.randn(H, 1) * 0.8).requires_grad_(),
    'b2': torch.zeros(1, requires_grad=True),
}


def f(params, x):
    z1 = x @ params['w1'] + params['b1']
    a1 = torch.tanh(z1)
    z2 = a1 @ params['w2'] + params['b2']
    return torch.sigmoid(z2)


def bce(p, y):
    eps = 1e-7
    p = p.clamp(eps, 1 - eps)
    return -(y * torch.log(p) + (1 - y) * torch.log(1 - p)).mean()


lr = 0.8
costs = []
for it in range(4000):
    L = bce(f(params, X), t)
    grads = torch.autograd.grad(L, list(params.values()))
    params = {k: (v - lr * g).detach().requires_grad_()
              for (k, v), g in zip(params.items(), grads)}
    costs.append(L.item())
    if it % 1000 == 0:
        print("iter", it, "cost", round(L.item(), 5))

print("last cost", costs[-1])
with torch.no_grad():
    out = f(params, X)
print("outputs:", out.flatten())
print("rounded:", out.round().flatten().tolist(), "targets:", t.flatten().tolist())
