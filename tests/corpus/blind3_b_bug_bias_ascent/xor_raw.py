# XOR, 2-4-1, raw tensors and autograd, update by hand
import torch

g = torch.Generator().manual_seed(5)
x = torch.tensor([[0., 0.], [1., 0.], [0., 1.], [1., 1.]])
t = torch.tensor([[0.], [1.], [1.], [0.]])

w1 = (torch.randn(2, 4, generator=g) * 1.0).requires_grad_()
b1 = torch.zeros(4, requires_grad=True)
w2 = (torch.randn(4, 1, generator=g) * 1.0).requires_grad_()
b2 = torch.zeros(1, requires_grad=True)

lr = 1.0
cost_history = []
for i in range(8000):
    hid = torch.sigmoid(x @ w1 + b1)
    out = torch.sigmoid(hid @ w2 + b2)
    cost = ((out - t) ** 2).mean()
    cost.backward()
    with torch.no_grad():
        w1 -= lr * w1.grad
        b1 += lr * b1.grad
        w2 -= lr * w2.grad
        b2 -= lr * b2.grad
        for p in (w1, b1, w2, b2):
            p.grad.zero_()
    cost_history.append(cost.item())

print("cost", cost_history[0], cost_history[-1])
print("out", out.detach().flatten())
