"""XOR, layer by layer: each layer's gradient is computed and applied on the way back."""
import numpy as np

np.random.seed(11)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
m = len(X)

W1 = np.random.randn(2, 5) * 0.8
b1 = np.zeros((1, 5))
W2 = np.random.randn(5, 1) * 0.8
b2 = np.zeros((1, 1))
lr = 2.0

history = []
for epoch in range(3000):
    A1 = np.tanh(X @ W1 + b1)
    A2 = 1 / (1 + np.exp(-(A1 @ W2 + b2)))
    history.append(0.5 * np.mean((A2 - y) ** 2))

    # output layer: gradient, update, pass it back
    dZ2 = (A2 - y) * A2 * (1 - A2) / m
    dW2 = A1.T @ dZ2
    db2 = dZ2.sum(axis=0, keepdims=True)
    W2 -= lr * dW2
    b2 -= lr * db2
    dA1 = dZ2 @ W2.T

    # hidden layer
    dZ1 = dA1 * (1 - A1 ** 2)
    dW1 = X.T @ dZ1
    db1 = dZ1.sum(axis=0, keepdims=True)
    W1 -= lr * dW1
    b1 -= lr * db1

print("loss", history[0], "->", history[-1])
print(np.round(A2.ravel(), 3))
