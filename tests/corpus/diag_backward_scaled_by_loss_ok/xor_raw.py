import torch
import torch.nn.functional as F

torch.manual_seed(1)
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = torch.tensor([[0.], [1.], [1.], [0.]])

W1 = torch.randn(2, 4, requires_grad=True)
b1 = torch.zeros(4, requires_grad=True)
W2 = torch.randn(4, 1, requires_grad=True)
b2 = torch.zeros(1, requires_grad=True)
lr = 0.5

losses = []
for epoch in range(2000):
    h = torch.tanh(X @ W1 + b1)
    out = torch.sigmoid(h @ W2 + b2)
    loss = F.binary_cross_entropy(out, y)
    loss.backward()
    with torch.no_grad():
        for p in (W1, b1, W2, b2):
            p -= lr * p.grad
            p.grad.zero_()
    losses.append(loss.item())
    if epoch % 500 == 0:
        print(epoch, loss.item())

print((torch.sigmoid(torch.tanh(X @ W1 + b1) @ W2 + b2) > 0.5).int().flatten().tolist())
