import torch
import torch.nn.functional as F
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

torch.manual_seed(12)

X, y = make_moons(200, noise=0.3, random_state=12)
Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.25, random_state=3)
Xa = torch.tensor(Xa, dtype=torch.float32)
Xb = torch.tensor(Xb, dtype=torch.float32)
ya = torch.tensor(ya, dtype=torch.float32)
yb = torch.tensor(yb, dtype=torch.float32)

# two hidden layers of 12 tanh units, raw tensors
W1 = (0.5 * torch.randn(2, 12)).requires_grad_()
b1 = torch.zeros(12, requires_grad=True)
W2 = (0.5 * torch.randn(12, 12)).requires_grad_()
b2 = torch.zeros(12, requires_grad=True)
W3 = (0.5 * torch.randn(12, 1)).requires_grad_()
b3 = torch.zeros(1, requires_grad=True)
params = [W1, b1, W2, b2, W3, b3]


def logits(x):
    h = torch.tanh(x @ W1 + b1)
    h = torch.tanh(h @ W2 + b2)
    return (h @ W3 + b3).squeeze(1)

lr = 0.3
train_loss = []
for it in range(800):
    loss = F.binary_cross_entropy_with_logits(logits(Xa), ya)
    loss.backward()
    for p in params:
        p.data -= lr * p.grad.data
        p.grad.data.zero_()
    train_loss.append(loss.item())
    if it % 100 == 0:
        print(f"iter {it}: {loss.item():.4f}")

acc = ((logits(Xb) > 0).float() == yb).float().mean()
print("held-out accuracy", acc.item())
