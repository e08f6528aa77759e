# XOR with a linear output unit and mean squared error.
# no seed here: the numbers change from run to run, it always works anyway
import numpy as np

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([0, 1, 1, 0], dtype=float).reshape(4, 1)

W1 = np.random.randn(2, 6) * 0.7
b1 = np.zeros(6)
W2 = np.random.randn(6, 1) * 0.7
b2 = np.zeros(1)

lr = 0.1
mse_list = []
for epoch in range(2500):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2 + b2                  # no activation on the output
    mse_list.append(np.mean((out - y) ** 2))
    g = 2 * (out - y) / len(X)
    gW2 = h.T @ g
    gb2 = g.sum(axis=0)
    gh = (g @ W2.T) * (1 - h ** 2)
    gW1 = X.T @ gh
    gb1 = gh.sum(axis=0)
    W1 -= lr * gW1
    b1 -= lr * gb1
    W2 -= lr * gW2
    b2 -= lr * gb2

print("first / last MSE:", mse_list[0], mse_list[-1])
out = np.tanh(X @ W1 + b1) @ W2 + b2
print("outputs:", out.ravel().round(3), "classes:", (out.ravel() > 0.5).astype(int))
