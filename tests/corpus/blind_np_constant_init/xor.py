# Lab 6: XOR, 2-3-1 network, tanh hidden layer, sigmoid output
# Felix R.
import numpy as np

np.random.seed(0)

def init_params(n_x, n_h, n_y):
    # small constant start so every run is the same
    W1 = np.full((n_x, n_h), 0.1)
    b1 = np.zeros((1, n_h))
    W2 = np.full((n_h, n_y), 0.1)
    b2 = np.zeros((1, n_y))
    return W1, b1, W2, b2

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

def forward(X, W1, b1, W2, b2):
    A1 = np.tanh(X @ W1 + b1)
    A2 = sigmoid(A1 @ W2 + b2)
    return A1, A2

def backward(X, Y, A1, A2, W2):
    m = X.shape[0]
    dZ2 = A2 - Y
    dW2 = A1.T @ dZ2 / m
    db2 = dZ2.mean(axis=0, keepdims=True)
    dZ1 = (dZ2 @ W2.T) * (1 - A1 ** 2)
    dW1 = X.T @ dZ1 / m
    db1 = dZ1.mean(axis=0, keepdims=True)
    return dW1, db1, dW2, db2

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y = np.array([[0], [1], [1], [0]], dtype=float)

W1, b1, W2, b2 = init_params(2, 3, 1)
lr = 0.5
cost_history = []
for i in range(10000):
    A1, A2 = forward(X, W1, b1, W2, b2)
    cost = -np.mean(Y * np.log(A2) + (1 - Y) * np.log(1 - A2))
    cost_history.append(cost)
    dW1, db1, dW2, db2 = backward(X, Y, A1, A2, W2)
    W1 = W1 - lr * dW1
    b1 = b1 - lr * db1
    W2 = W2 - lr * dW2
    b2 = b2 - lr * db2

print("final cost:", cost_history[-1])
print("outputs:", forward(X, W1, b1, W2, b2)[1].ravel().round(3))
