# Online (one sample at a time) backprop for XOR, squared error E = 1/2 (target - out)^2
import numpy as np

np.random.seed(99)
patterns = [(np.array([0.0, 0.0]), 0.0), (np.array([0.0, 1.0]), 1.0),
            (np.array([1.0, 0.0]), 1.0), (np.array([1.0, 1.0]), 0.0)]
n_hid = 4
w_ih = np.random.uniform(-1, 1, (n_hid, 2))
bias_h = np.random.uniform(-1, 1, n_hid)
w_ho = np.random.uniform(-1, 1, n_hid)
bias_o = 0.0
learn = 0.5

def logistic(s):
    return 1.0 / (1.0 + np.exp(-s))

epoch_err = []
for epoch in range(5000):
    tot = 0.0
    for inp, target in patterns:
        hidden = logistic(w_ih @ inp + bias_h)
        out = logistic(w_ho @ hidden + bias_o)
        error = target - out
        tot += 0.5 * error ** 2
        delta_o = error * out * (1 - out)
        delta_h = delta_o * w_ho * hidden * (1 - hidden)
        w_ho += learn * delta_o * hidden
        bias_o += learn * delta_o
        w_ih += learn * np.outer(delta_h, inp)
        bias_h += learn * delta_h
    epoch_err.append(tot)

print("error per epoch:", epoch_err[0], "->", epoch_err[-1])
for inp, target in patterns:
    print(inp, target, round(float(logistic(w_ho @ logistic(w_ih @ inp + bias_h) + bias_o)), 3))
