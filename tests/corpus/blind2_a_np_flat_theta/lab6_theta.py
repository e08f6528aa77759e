"""Lab 6, moons. All weights live in ONE flat vector theta (like scipy.optimize wants it);
unpack() cuts it into W1, b1, W2, b2. Gradient descent with a fixed step, then with an
Armijo backtracking line search on theta."""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

np.random.seed(5)
X_raw, labels = make_moons(n_samples=250, noise=0.2, random_state=5)
sc = StandardScaler()
X = sc.fit_transform(X_raw)
t = labels.astype(float)

N_IN, N_HID = 2, 10
SIZES = [(N_IN, N_HID), (N_HID,), (N_HID, 1), (1,)]
N_PAR = sum(int(np.prod(s)) for s in SIZES)


def unpack(theta):
    parts, pos = [], 0
    for s in SIZES:
        n = int(np.prod(s))
        parts.append(theta[pos:pos + n].reshape(s))
        pos += n
    return parts


def net_out(theta, X):
    W1, b1, W2, b2 = unpack(theta)
    H = 1 / (1 + np.exp(-(X @ W1 + b1)))
    return H, (1 / (1 + np.exp(-(H @ W2 + b2)))).ravel()


def J(theta):
    _, p = net_out(theta, X)
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))


def dJ(theta):
    W1, b1, W2, b2 = unpack(theta)
    H, p = net_out(theta, X)
    e = ((p - t) / len(t))[:, None]
    dH = (e @ W2.T) * H * (1 - H)
    return np.concatenate([(X.T @ dH).ravel(), dH.sum(0), (H.T @ e).ravel(), e.sum(0)])


def backtrack(theta, g, a=4.0, rho=0.5, c=1e-4):
    J0 = J(theta)
    gg = g @ g
    while J(theta - a * g) > J0 - c * a * gg:   # rejected trials are simply forgotten
        a = rho * a
        if a < 1e-12:
            break
    return a


theta0 = np.random.randn(N_PAR) * 0.5

theta_gd = theta0.copy()
J_gd = [J(theta_gd)]
for k in range(600):
    theta_gd = theta_gd - 1.0 * dJ(theta_gd)
    J_gd.append(J(theta_gd))

theta_ls = theta0.copy()
J_ls = [J(theta_ls)]
steps = []
for k in range(600):
    g = dJ(theta_ls)
    a = backtrack(theta_ls, g)
    theta_ls = theta_ls - a * g
    steps.append(a)
    J_ls.append(J(theta_ls))

acc = lambda th: np.mean((net_out(th, X)[1] > 0.5) == labels)
print(f"fixed step: J = {J_gd[-1]:.4f}, acc = {acc(theta_gd):.3f}")
print(f"armijo    : J = {J_ls[-1]:.4f}, acc = {acc(theta_ls):.3f}, mean step {np.mean(steps):.3f}")
