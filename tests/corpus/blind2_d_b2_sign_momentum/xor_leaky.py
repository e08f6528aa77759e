# Lab 6: XOR, leaky ReLU hidden (slope 0.01), sigmoid output, BCE, gradient descent w/ momentum
import numpy as np

np.random.seed(31)
X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = np.array([[0.], [1.], [1.], [0.]])
N = X.shape[0]

W1 = np.random.randn(2, 10) * np.sqrt(2 / 2)
b1 = np.zeros((1, 10))
W2 = np.random.randn(10, 1) * np.sqrt(1 / 10)
b2 = np.zeros((1, 1))
vW1, vb1, vW2, vb2 = [np.zeros_like(p) for p in (W1, b1, W2, b2)]
lr, beta = 0.05, 0.9
cost_log = []

for step in range(3000):
    Z1 = X @ W1 + b1
    A1 = np.where(Z1 > 0, Z1, 0.01 * Z1)
    Z2 = A1 @ W2 + b2
    A2 = 1 / (1 + np.exp(-Z2))
    eps = 1e-12
    J = -np.mean(Y * np.log(A2 + eps) + (1 - Y) * np.log(1 - A2 + eps))
    cost_log.append(J)

    dZ2 = (A2 - Y) / N
    dW2 = A1.T @ dZ2
    db2 = dZ2.sum(axis=0, keepdims=True)
    dZ1 = (dZ2 @ W2.T) * np.where(Z1 > 0, 1.0, 0.01)
    dW1 = X.T @ dZ1
    db1 = dZ1.sum(axis=0, keepdims=True)

    # momentum: v <- beta v + g ; p <- p - lr v
    vW1 = beta * vW1 + dW1
    vb1 = beta * vb1 + db1
    vW2 = beta * vW2 + dW2
    vb2 = beta * vb2 + db2
    W1 -= lr * vW1
    b1 -= lr * vb1
    W2 -= lr * vW2
    b2 += lr * vb2

print("cost", cost_log[0], "->", cost_log[-1])
A1 = np.where(X @ W1 + b1 > 0, X @ W1 + b1, 0.01 * (X @ W1 + b1))
print("p =", (1 / (1 + np.exp(-(A1 @ W2 + b2)))).ravel().round(3))
