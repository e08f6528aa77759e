# Lab 6 - moons: constant step vs. Armijo backtracking
# (Tomasz K.) numpy only, 2-12-1, tanh hidden, sigmoid out, mean BCE
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

rng = np.random.default_rng(7)
X, y = make_moons(n_samples=360, noise=0.15, random_state=7)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=7)
Ytr = ytr.reshape(-1, 1).astype(float)


def init(seed):
    r = np.random.default_rng(seed)
    return [r.normal(0, 0.8, (2, 12)), np.zeros(12), r.normal(0, 0.4, (12, 1)), np.zeros(1)]


def predict(ws, X):
    A = np.tanh(X @ ws[0] + ws[1])
    return A, 1.0 / (1.0 + np.exp(-(A @ ws[2] + ws[3])))


def cost(ws, X, Y):
    p = np.clip(predict(ws, X)[1], 1e-12, 1 - 1e-12)
    return float(np.mean(-Y * np.log(p) - (1 - Y) * np.log(1 - p)))


def gradient(ws, X, Y):
    A, p = predict(ws, X)
    dout = (p - Y) / X.shape[0]
    dA = dout @ ws[2].T * (1 - A * A)
    return [X.T @ dA, dA.sum(axis=0), A.T @ dout, dout.sum(axis=0)]


def armijo_search(ws, gs, X, Y, a_start=8.0, rho=0.5, c=1e-4, n_trials=25):
    # returns the new weights and the step that was taken
    f_old = cost(ws, X, Y)
    gg = sum(float(np.sum(g * g)) for g in gs)
    a = a_start
    for k in range(n_trials):
        cand = [w - a * g for w, g in zip(ws, gs)]
        if cost(cand, X, Y) <= f_old - c * a * gg:
            break
        a *= rho
    else:
        # nothing satisfied the condition: keep the last (smallest) trial
        a = a / rho
        cand = [w - a * g for w, g in zip(ws, gs)]
    return cand, a


ws_const = init(3)
hist_const = []
for ep in range(400):
    hist_const.append(cost(ws_const, Xtr, Ytr))
    gs = gradient(ws_const, Xtr, Ytr)
    ws_const = [w - 0.5 * g for w, g in zip(ws_const, gs)]

ws_armijo = init(3)
hist_armijo, taken = [], []
for ep in range(400):
    hist_armijo.append(cost(ws_armijo, Xtr, Ytr))
    gs = gradient(ws_armijo, Xtr, Ytr)
    ws_armijo, a = armijo_search(ws_armijo, gs, Xtr, Ytr)
    taken.append(a)

acc = lambda ws: np.mean((predict(ws, Xte)[1].ravel() > 0.5) == yte)
print("constant step: final cost %.4f, test acc %.3f" % (hist_const[-1], acc(ws_const)))
print("armijo:        final cost %.4f, test acc %.3f" % (hist_armijo[-1], acc(ws_armijo)))
print("distinct steps:", sorted(set(taken)))
