import numpy as np

np.random.seed(3)

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y = np.array([[0], [1], [1], [0]])


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_prime(z):
    return sigmoid(z) * (1 - sigmoid(z))


wh = np.random.randn(2, 4)
bh = np.zeros((1, 4))
wo = np.random.randn(4, 1)
bo = np.zeros((1, 1))
lr = 3.0

errors = []
for epoch in range(5000):
    hidden_in = X @ wh + bh
    hidden_out = sigmoid(hidden_in)
    out_in = hidden_out @ wo + bo
    out = sigmoid(out_in)
    errors.append(np.mean((out - y) ** 2))

    d_out = 2 * (out - y) / len(X) * sigmoid_prime(out_in)
    d_hidden = (d_out @ wo.T) * sigmoid_prime(hidden_out)

    wo -= lr * hidden_out.T @ d_out
    bo -= lr * d_out.sum(axis=0, keepdims=True)
    wh -= lr * X.T @ d_hidden
    bh -= lr * d_hidden.sum(axis=0, keepdims=True)

    if epoch % 1000 == 0:
        print("epoch", epoch, "mse", errors[-1])

print(out.round(3).ravel())
