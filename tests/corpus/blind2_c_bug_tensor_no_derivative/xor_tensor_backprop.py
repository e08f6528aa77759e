# Lab 6: XOR in torch but *without* autograd -- I derive the backward pass myself
import torch

torch.manual_seed(12)
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = torch.tensor([[0.], [1.], [1.], [0.]])

W1 = torch.randn(2, 6) * 0.9
b1 = torch.zeros(1, 6)
W2 = torch.randn(6, 1) * 0.9
b2 = torch.zeros(1, 1)
alpha = 1.0
cost_log = []

for epoch in range(6000):
    # forward
    h = torch.sigmoid(X @ W1 + b1)
    out = torch.sigmoid(h @ W2 + b2)
    cost = -(Y * torch.log(out) + (1 - Y) * torch.log(1 - out)).mean()
    cost_log.append(cost.item())
    # backward (BCE + sigmoid: dL/dz2 = out - Y)
    d_out = (out - Y) / X.shape[0]
    dW2 = h.T @ d_out
    db2 = d_out.sum(dim=0, keepdim=True)
    d_hidden = d_out @ W2.T
    dW1 = X.T @ d_hidden
    db1 = d_hidden.sum(dim=0, keepdim=True)
    # gradient step
    W2 -= alpha * dW2
    b2 -= alpha * db2
    W1 -= alpha * dW1
    b1 -= alpha * db1
    if epoch % 1500 == 0:
        print(f"{epoch:5d}  cost {cost.item():.5f}")

final = torch.sigmoid(torch.sigmoid(X @ W1 + b1) @ W2 + b2)
print("outputs:", final.view(-1).tolist())
print("correct:", bool(((final > 0.5).float() == Y).all()))
