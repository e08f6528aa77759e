import numpy as np
import torch

np.random.seed(1)

X_np = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
y_np = np.array([0, 1, 1, 0], dtype=np.float32).reshape(-1, 1)
X = torch.from_numpy(X_np)
y = torch.from_numpy(y_np)

# 2-3-1, sigmoid everywhere, like in the lecture slides
W1 = torch.tensor(np.random.uniform(-1, 1, (2, 3)).astype(np.float32), requires_grad=True)
b1 = torch.zeros(3, requires_grad=True)
W2 = torch.tensor(np.random.uniform(-1, 1, (3, 1)).astype(np.float32), requires_grad=True)
b2 = torch.zeros(1, requires_grad=True)

epochs = 20000
lr = 0.5
loss_arr = np.zeros(epochs)
for e in range(epochs):
    a1 = torch.sigmoid(X @ W1 + b1)
    a2 = torch.sigmoid(a1 @ W2 + b2)
    loss = 0.5 * ((a2 - y) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        for w in (W1, b1, W2, b2):
            w -= lr * w.grad
            w.grad.zero_()
    loss_arr[e] = loss.item()
    if e % 2000 == 0:
        print(e, loss_arr[e])

out = a2.detach().numpy()
print(np.round(out, 3).ravel(), "accuracy", np.mean((out > 0.5) == y_np))
