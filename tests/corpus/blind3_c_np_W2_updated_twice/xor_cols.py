import numpy as np
# column layout: X is 2 x 4, each column one sample
np.random.seed(77)
X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
Y = np.array([[0, 1, 1, 0]], dtype=float)
m = X.shape[1]
W1 = np.random.randn(4, 2); b1 = np.zeros((4, 1))
W2 = np.random.randn(1, 4); b2 = np.zeros((1, 1))
lr = 0.8
J = []
for i in range(4000):
    Z1 = W1 @ X + b1
    A1 = np.tanh(Z1)
    A2 = 1 / (1 + np.exp(-(W2 @ A1 + b2)))
    J.append(float(-np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))))
    dZ2 = A2 - Y
    dW2 = dZ2 @ A1.T / m
    db2 = dZ2.sum(axis=1, keepdims=True) / m
    dZ1 = (W2.T @ dZ2) * (1 - A1 ** 2)
    dW1 = dZ1 @ X.T / m
    db1 = dZ1.sum(axis=1, keepdims=True) / m
    W1 = W1 - lr * dW1
    b1 = b1 - lr * db1
    W2 = W2 - lr * dW2
    W2 = W2 - lr * dW2
    b2 = b2 - lr * db2
print(J[0], J[-1])
print(np.round(A2, 3))
