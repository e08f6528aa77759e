"""Lab 6 - the whole thing. XOR, moons (fixed lr), moons (Armijo)."""
import numpy as np
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

np.random.seed(10)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def init_net(n_in, n_h, seed):
    r = np.random.RandomState(seed)
    return [r.randn(n_in, n_h) * 0.8, np.zeros(n_h), r.randn(n_h, 1) * 0.8, np.zeros(1)]


def run(net, X):
    W1, b1, W2, b2 = net
    H = np.tanh(X @ W1 + b1)
    return H, sigmoid(H @ W2 + b2)


def ce(net, X, Y):
    p = np.clip(run(net, X)[1], 1e-10, 1 - 1e-10)
    return float(-np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p)))


def grad(net, X, Y):
    W1, b1, W2, b2 = net
    H, P = run(net, X)
    dZ = (P - Y) / len(X)
    dH = dZ @ W2.T * (1 - H ** 2)
    return [X.T @ dH, dH.sum(0), H.T @ dZ, dZ.sum(0)]


# ---------- XOR ----------
Xx = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], float)
Yx = np.array([[0], [1], [1], [0]], float)
xor = init_net(2, 4, 0)
xor_curve = []
for it in range(3000):
    g = grad(xor, Xx, Yx)
    xor = [w - 1.0 * gw for w, gw in zip(xor, g)]
    xor_curve.append(ce(xor, Xx, Yx))
print("XOR:", run(xor, Xx)[1].ravel().round(2))

# ---------- moons ----------
X, y = make_moons(n_samples=400, noise=0.2, random_state=10)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=10)
Y_train = y_train.reshape(-1, 1).astype(float)
Y_test = y_test.reshape(-1, 1).astype(float)

moons = init_net(2, 12, 1)
fixed_curve = []
for it in range(800):
    g = grad(moons, X_train, Y_train)
    moons = [w - 0.5 * gw for w, gw in zip(moons, g)]
    fixed_curve.append(ce(moons, X_train, Y_train))
acc_fixed = np.mean((run(moons, X_test)[1] > 0.5) == Y_test)
print("moons fixed: loss %.3f acc %.3f" % (fixed_curve[-1], acc_fixed))


# ---------- Armijo ----------
def line_search(net, g, X, Y, t=2.0, beta=0.5, c=1e-4):
    f = ce(net, X, Y)
    gg = sum(float(np.sum(gi ** 2)) for gi in g)
    while ce([w - t * gi for w, gi in zip(net, g)], X, Y) > f - c * t * gg and t > 1e-10:
        t *= beta
    return t


arm = init_net(2, 12, 1)
arm_curve = []
for it in range(800):
    g = grad(arm, X_train, Y_train)
    t = line_search(arm, g, X_train, Y_train)
    arm = [w - t * gw for w, gw in zip(arm, g)]
    arm_curve.append(ce(arm, X_train, Y_train))
acc_arm = np.mean((run(arm, X_test)[1] > 0.5) == Y_test)
print("moons armijo: loss %.3f acc %.3f" % (arm_curve[-1], acc_arm))

plt.plot(xor_curve, label="xor")
plt.plot(fixed_curve, label="moons fixed")
plt.plot(arm_curve, label="moons armijo")
plt.legend()
plt.savefig("curves.png")
