import numpy as np

np.random.seed(5)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)

W1 = np.random.randn(2, 4)
b1 = np.zeros((1, 4))
W2 = np.random.randn(4, 1)
b2 = np.zeros((1, 1))
lr = 0.2

sse = []
for epoch in range(3000):
    A1 = np.tanh(X @ W1 + b1)
    out = 1 / (1 + np.exp(-(A1 @ W2 + b2)))
    sse.append(np.sum((out - y) ** 2))          # E = sum of squared errors

    d_out = 2 * (out - y) * out * (1 - out)     # dE/dz2, no 1/m: the loss is a sum
    d_hid = (d_out @ W2.T) * (1 - A1 ** 2)
    W2 -= lr * A1.T @ d_out
    b2 -= lr * d_out.sum(axis=0, keepdims=True)
    W1 -= lr * X.T @ d_hid
    b1 -= lr * d_hid.sum(axis=0, keepdims=True)

print("SSE", sse[0], "->", sse[-1])
print(out.ravel().round(3))
