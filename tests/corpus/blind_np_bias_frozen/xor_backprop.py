# Lab 6 - XOR with a 2-4-1 network, backprop by hand
# Maria K.
import numpy as np

np.random.seed(42)

X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
Y = np.array([[0], [1], [1], [0]], dtype=float)

def sigmoid(z):
    return 1 / (1 + np.exp(-z))

n_in, n_hidden, n_out = 2, 4, 1
W1 = np.random.randn(n_in, n_hidden)
b1 = np.zeros((1, n_hidden))
W2 = np.random.randn(n_hidden, n_out)
b2 = np.zeros((1, n_out))

lr = 1.0
losses = []
for epoch in range(10000):
    # forward
    z1 = X @ W1 + b1
    a1 = sigmoid(z1)
    z2 = a1 @ W2 + b2
    a2 = sigmoid(z2)
    loss = -np.mean(Y * np.log(a2) + (1 - Y) * np.log(1 - a2))
    losses.append(loss)

    # backward
    m = X.shape[0]
    dz2 = (a2 - Y) / m
    dW2 = a1.T @ dz2
    db2 = dz2.sum(axis=0, keepdims=True)
    da1 = dz2 @ W2.T
    dz1 = da1 * a1 * (1 - a1)
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0, keepdims=True)

    # gradient descent step
    W1 -= lr * dW1
    W2 -= lr * dW2

    if epoch % 2000 == 0:
        print(f"epoch {epoch}: loss {loss:.4f}")

pred = (a2 > 0.5).astype(int)
print("predictions:", pred.ravel(), "targets:", Y.ravel().astype(int))
print("final loss", losses[-1])
