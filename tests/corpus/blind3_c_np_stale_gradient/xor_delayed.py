# XOR, sigmoid 2-3-1, mean BCE.  Gradients are stored in `grads` and applied at the top of the
# next pass.
import numpy as np

rs = np.random.RandomState(61)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)
net = {"W1": rs.randn(2, 3), "b1": np.zeros((1, 3)), "W2": rs.randn(3, 1), "b2": np.zeros((1, 1))}
lr = 1.0
grads = None
loss_hist = []

def sigm(v):
    return 1 / (1 + np.exp(-v))

for epoch in range(6000):
    h = sigm(X @ net["W1"] + net["b1"])
    p = sigm(h @ net["W2"] + net["b2"])
    loss_hist.append(float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))))
    if grads is not None:
        for k in net:
            net[k] -= lr * grads[k]
    dz2 = (p - y) / 4
    dz1 = dz2 @ net["W2"].T * h * (1 - h)
    grads = {"W2": h.T @ dz2, "b2": dz2.sum(0, keepdims=True),
             "W1": X.T @ dz1, "b1": dz1.sum(0, keepdims=True)}

print(loss_hist[0], loss_hist[-1])
print(sigm(sigm(X @ net["W1"] + net["b1"]) @ net["W2"] + net["b2"]).round(3).ravel())
