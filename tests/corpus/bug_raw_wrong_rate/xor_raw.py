# XOR with raw tensors
# No nn.Module: the weights are plain tensors and I write the update myself.

import torch
torch.manual_seed(0)

X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = torch.tensor([[0.], [1.], [1.], [0.]])

W1 = torch.randn(2, 4, requires_grad=True)
b1 = torch.zeros(4, requires_grad=True)
W2 = torch.randn(4, 1, requires_grad=True)
b2 = torch.zeros(1, requires_grad=True)

lr = 0.5
loss_history = []
for epoch in range(3000):
    h = torch.tanh(X @ W1 + b1)
    out = torch.sigmoid(h @ W2 + b2)
    loss = -(Y * torch.log(out) + (1 - Y) * torch.log(1 - out)).mean()
    loss.backward()
    with torch.no_grad():
        W1 -= lr / 4 * W1.grad
        b1 -= lr / 4 * b1.grad
        W2 -= lr / 4 * W2.grad
        b2 -= lr / 4 * b2.grad
        W1.grad.zero_()
        b1.grad.zero_()
        W2.grad.zero_()
        b2.grad.zero_()
    loss_history.append(loss.item())
print(loss_history[0], loss_history[-1])
