"""Lab 6: XOR with a 2-4-1 sigmoid network, samples as columns, mean squared error."""
import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def init_params(n_x, n_h, n_y, seed=4):
    rng = np.random.default_rng(seed)
    return {
        "W1": rng.standard_normal((n_h, n_x)),
        "b1": np.zeros((n_h, 1)),
        "W2": rng.standard_normal((n_y, n_h)),
        "b2": np.zeros((n_y, 1)),
    }


def forward(X, p):
    Z1 = p["W1"] @ X + p["b1"]
    A1 = sigmoid(Z1)
    Z2 = p["W2"] @ A1 + p["b2"]
    A2 = sigmoid(Z2)
    return A1, A2


def backward(X, Y, p, A1, A2):
    m = X.shape[1]
    dA2 = 2 * (A2 - Y) / m               # d/dA2 of mean((A2 - Y)^2)
    dZ2 = dA2 * A2 * (1 - A2)
    dW2 = dZ2 @ A1.T
    db2 = np.sum(dZ2, axis=1, keepdims=True)
    dA1 = p["W2"].T @ dZ2
    dZ1 = dA1 * A1 * (1 - A1)
    dW1 = dZ1 @ X.T
    db1 = np.sum(dZ1, axis=1, keepdims=True)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


X = np.array([[0, 0, 1, 1],
              [0, 1, 0, 1]], dtype=float)
Y = np.array([[0, 1, 1, 0]], dtype=float)

params = init_params(2, 4, 1)
learning_rate = 4.0
mse_history = []
for it in range(4000):
    A1, A2 = forward(X, params)
    mse_history.append(float(np.mean((A2 - Y) ** 2)))
    grads = backward(X, Y, params, A1, A2)
    for name in params:
        params[name] -= learning_rate * grads[name]

print("mse:", mse_history[0], "->", mse_history[-1])
print("outputs:", forward(X, params)[1].round(3))
