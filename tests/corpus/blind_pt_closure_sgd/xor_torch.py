# Lab 6 - XOR with PyTorch, using the closure API of the optimizer
# (I read in the docs that LBFGS needs a closure, SGD accepts one too)
import torch
import torch.nn as nn
import torch.optim as optim
import numpy as np

torch.manual_seed(42)
np.random.seed(42)

X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = torch.tensor([[0.], [1.], [1.], [0.]])


class TinyXor(nn.Module):
    def __init__(self, hidden=6):
        super().__init__()
        self.l1 = nn.Linear(2, hidden)
        self.l2 = nn.Linear(hidden, 1)

    def forward(self, x):
        h = torch.tanh(self.l1(x))
        return torch.sigmoid(self.l2(h))


xor_model = TinyXor()
criterion = nn.BCELoss()
optimizer = optim.SGD(xor_model.parameters(), lr=0.5)

loss_history = []


def closure():
    optimizer.zero_grad()
    out = xor_model(X)
    loss = criterion(out, Y)
    loss.backward()
    return loss


n_epochs = 3000
for epoch in range(n_epochs):
    loss = optimizer.step(closure)
    loss_history.append(loss.item())
    if epoch % 500 == 0:
        print(f"epoch {epoch:5d}  loss = {loss.item():.5f}")

print("final loss:", loss_history[-1])
with torch.no_grad():
    preds = xor_model(X)
print(preds.squeeze())
print("predicted classes:", (preds > 0.5).int().squeeze().tolist())
print("accuracy:", ((preds > 0.5).float() == Y).float().mean().item())
