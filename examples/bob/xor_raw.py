"""Lab 3, part 2 - XOR with raw tensors and manual gradient descent (Bob)."""

# XOR with raw tensors
# Network 2 -> 4 -> 4 -> 1 with sigmoid everywhere. No `nn.Module`, no optimizer: the
# gradients come from `loss.backward()` and the update is written by hand.

import torch
import matplotlib.pyplot as plt

torch.manual_seed(0)

X = torch.tensor([[0.0, 0.0],
                  [0.0, 1.0],
                  [1.0, 0.0],
                  [1.0, 1.0]])
Y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])

# Parameters

# weights are (inputs, outputs) so that a layer is  h = sigmoid(x @ W + b)
W1 = torch.randn(2, 4, requires_grad=True)
b1 = torch.zeros(1, 4, requires_grad=True)
W2 = torch.randn(4, 4, requires_grad=True)
b2 = torch.zeros(1, 4, requires_grad=True)
W3 = torch.randn(4, 1, requires_grad=True)
b3 = torch.zeros(1, 1, requires_grad=True)
params = [W1, b1, W2, b2, W3, b3]

def forward(x):
    h1 = torch.sigmoid(x @ W1 + b1)
    h2 = torch.sigmoid(h1 @ W2 + b2)
    out = torch.sigmoid(h2 @ W3 + b3)
    return out

def bce_loss(y_pred, y_true):
    # binary cross-entropy by hand; clamp so log never sees 0
    eps = 1e-7
    y_pred = torch.clamp(y_pred, eps, 1 - eps)
    return -torch.mean(y_true * torch.log(y_pred) + (1 - y_true) * torch.log(1 - y_pred))

# Training loop

lr = 0.5
epochs = 5000
loss_history = []

for epoch in range(epochs):
    y_hat = forward(X)
    loss = bce_loss(y_hat, Y)
    loss.backward()

    # gradient descent step (no autograd tracking here)
    with torch.no_grad():
        W1 -= lr * W1.grad
        b1 -= lr * b1.grad
        W2 -= lr * W2.grad
        b2 -= lr * b2.grad
        W3 -= lr * W3.grad
        b3 -= lr * b3.grad

        # reset gradients, otherwise they accumulate
        W1.grad.zero_()
        b1.grad.zero_()
        W2.grad.zero_()
        b2.grad.zero_()
        W3.grad.zero_()
        b3.grad.zero_()

    loss_history.append(loss.item())
    if epoch % 500 == 0:
        print(f"epoch {epoch:5d}   loss {loss.item():.5f}")

with torch.no_grad():
    probs = forward(X)
print("probabilities:", probs.view(-1).tolist())
print("predicted:", (probs > 0.5).int().view(-1).tolist(), " expected:", Y.int().view(-1).tolist())

plt.plot(loss_history)
plt.xlabel("epoch")
plt.ylabel("binary cross-entropy")
plt.title("Loss")
plt.show()
