# lab 6 - XOR, data from the course website (xor_data.csv: x1,x2,label)
import numpy as np

data = np.loadtxt("xor_data.csv", delimiter=",")
X = data[:, :2]
y = data[:, 2:]

rng = np.random.default_rng(0)
A = rng.normal(size=(2, 4))
a0 = np.zeros(4)
B = rng.normal(size=(4, 1))
b0 = np.zeros(1)
loss_log = []
for k in range(4000):
    h = np.tanh(X @ A + a0)
    p = 1 / (1 + np.exp(-(h @ B + b0)))
    loss_log.append(float(np.mean((p - y) ** 2)))
    dp = 2 * (p - y) * p * (1 - p) / len(X)
    dB = h.T @ dp
    dh = dp @ B.T * (1 - h * h)
    dA = X.T @ dh
    A -= 0.5 * dA; a0 -= 0.5 * dh.sum(0)
    B -= 0.5 * dB; b0 -= 0.5 * dp.sum(0)
print(loss_log[-1])
