# XOR neural net (2-4-1), tanh hidden, sigmoid output.
# Classic form: error = target - output, weights += lr * (...)
import numpy as np

np.random.seed(3)
inputs = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
targets = np.array([[0], [1], [1], [0]])

hidden_w = 2 * np.random.random((2, 4)) - 1
hidden_b = np.zeros((1, 4))
out_w = 2 * np.random.random((4, 1)) - 1
out_b = np.zeros((1, 1))
learning_rate = 0.3

def sigmoid(x):
    return 1 / (1 + np.exp(-x))

errors = []
for epoch in range(10000):
    hidden = np.tanh(inputs @ hidden_w + hidden_b)
    output = sigmoid(hidden @ out_w + out_b)

    error = targets - output
    errors.append(float(np.mean(error ** 2)))

    d_output = error * output * (1 - output)
    d_hidden = d_output @ out_w.T * (1 - hidden ** 2)

    out_w += learning_rate * hidden.T @ d_output
    out_b += learning_rate * np.sum(d_output, axis=0, keepdims=True)
    hidden_w += learning_rate * inputs.T @ d_hidden
    hidden_b += learning_rate * np.sum(d_hidden, axis=0, keepdims=True)

    if epoch % 2000 == 0:
        print("epoch", epoch, "mse", errors[-1])

print(output.round(3).ravel())
