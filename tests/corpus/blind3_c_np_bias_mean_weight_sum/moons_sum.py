# Moons, 1 hidden layer of 16 sigmoid units, loss = SUM of the binary cross-entropies
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

np.random.seed(5)
pts, lab = make_moons(n_samples=250, noise=0.1, random_state=5)
train_X, test_X = pts[:200], pts[200:]
train_y, test_y = lab[:200].reshape(-1, 1).astype(float), lab[200:]
sc = StandardScaler().fit(train_X)
train_X, test_X = sc.transform(train_X), sc.transform(test_X)

def sigmoid(v):
    return 1 / (1 + np.exp(-v))

w_h = np.random.randn(2, 16); b_h = np.zeros(16)
w_o = np.random.randn(16, 1) * 0.5; b_o = np.zeros(1)
eta = 0.005
total_loss = []
for epoch in range(700):
    hid = sigmoid(train_X @ w_h + b_h)
    out = sigmoid(hid @ w_o + b_o)
    total_loss.append(-np.sum(train_y * np.log(out) + (1 - train_y) * np.log(1 - out)))
    d_out = out - train_y                      # dL/dz for sigmoid + BCE (sum, no 1/N)
    grad_w_o = hid.T @ d_out
    grad_b_o = d_out.mean(axis=0)
    d_hid = (d_out @ w_o.T) * hid * (1 - hid)
    grad_w_h = train_X.T @ d_hid
    grad_b_h = d_hid.mean(axis=0)
    w_o -= eta * grad_w_o; b_o -= eta * grad_b_o
    w_h -= eta * grad_w_h; b_h -= eta * grad_b_h

pred = sigmoid(sigmoid(test_X @ w_h + b_h) @ w_o + b_o).ravel() > 0.5
print("loss:", total_loss[0], "->", total_loss[-1], " test acc:", (pred == test_y).mean())
