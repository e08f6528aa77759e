"""XOR with plain Python lists: every weight is updated one by one."""
import math
import numpy as np

np.random.seed(5)

data = [([0, 0], 0), ([0, 1], 1), ([1, 0], 1), ([1, 1], 0)]
H = 3

# W[i][j]: input i -> hidden j,  V[j]: hidden j -> output
W = np.random.uniform(-1, 1, (2, H)).tolist()
b = [0.0] * H
V = np.random.uniform(-1, 1, H).tolist()
c = 0.0
lr = 1.0


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z))


def forward(x):
    h = [sigmoid(sum(x[i] * W[i][j] for i in range(2)) + b[j]) for j in range(H)]
    o = sigmoid(sum(h[j] * V[j] for j in range(H)) + c)
    return h, o


loss_values = []
for epoch in range(3000):
    gW = [[0.0] * H for _ in range(2)]
    gb = [0.0] * H
    gV = [0.0] * H
    gc = 0.0
    loss = 0.0
    for x, t in data:
        h, o = forward(x)
        loss += (o - t) ** 2 / len(data)
        d_o = 2 * (o - t) * o * (1 - o) / len(data)
        for j in range(H):
            gV[j] += d_o * h[j]
            d_h = d_o * V[j] * h[j] * (1 - h[j])
            gb[j] += d_h
            for i in range(2):
                gW[i][j] += d_h * x[i]
        gc += d_o
    # element by element update
    for j in range(H):
        V[j] -= lr * gV[j]
        b[j] -= lr * gb[j]
        for i in range(2):
            W[i][j] -= lr * gW[i][j]
    c -= lr * gc
    loss_values.append(loss)

print("loss:", loss_values[0], "->", loss_values[-1])
for x, t in data:
    print(x, t, round(forward(x)[1], 3))
