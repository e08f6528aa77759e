import numpy as np

np.random.seed(42)

# XOR truth table
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
y = np.array([[0], [1], [1], [0]])


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def sigmoid_derivative(s):
    # s is already sigmoid(x)
    return s * (1 - s)


epochs = 6000
lr = 0.5
n_input, n_hidden, n_output = 2, 4, 1

wh = np.random.uniform(size=(n_input, n_hidden))
bh = np.random.uniform(size=(1, n_hidden))
wo = np.random.uniform(size=(n_hidden, n_output))
bo = np.random.uniform(size=(1, n_output))

print("initial hidden weights:", wh)
print("initial output weights:", wo)

for i in range(epochs):
    # forward
    hidden_input = np.dot(X, wh) + bh
    hidden_output = sigmoid(hidden_input)
    output_input = np.dot(hidden_output, wo) + bo
    output = sigmoid(output_input)

    # backward
    error = y - output
    d_output = error * sigmoid_derivative(output)
    error_hidden = d_output.dot(wo.T)
    d_hidden = error_hidden * sigmoid_derivative(hidden_output)

    # update
    wo += hidden_output.T.dot(d_output) * lr
    bo += np.sum(d_output, axis=0, keepdims=True) * lr
    wh += X.T.dot(d_hidden) * lr
    bh += np.sum(d_hidden, axis=0, keepdims=True) * lr

    if i % 1000 == 0:
        print("epoch", i, "mse", np.mean(error ** 2))

print("final hidden weights:", wh)
print("final output weights:", wo)
print("output after training:", output.ravel())
