# make_moons, red neuronal 2-8-8-1 (tanh, tanh, sigmoide), entropia cruzada media
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

gen = np.random.default_rng(11)
X, y = make_moons(n_samples=260, noise=0.2, random_state=11)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=11)
escalador = StandardScaler().fit(X_tr)
X_tr, X_te = escalador.transform(X_tr), escalador.transform(X_te)
t = y_tr.reshape(-1, 1).astype(float)
n = X_tr.shape[0]

W1 = gen.normal(0, 0.8, (2, 8)); b1 = np.zeros((1, 8))
W2 = gen.normal(0, 0.4, (8, 8)); b2 = np.zeros((1, 8))
W3 = gen.normal(0, 0.4, (8, 1)); b3 = np.zeros((1, 1))
paso = 0.3
perdidas = []

def adelante(A):
    a1 = np.tanh(A @ W1 + b1)
    a2 = np.tanh(a1 @ W2 + b2)
    return a1, a2, 1 / (1 + np.exp(-(a2 @ W3 + b3)))

for epoca in range(800):
    act1, act2, prob = adelante(X_tr)
    perdidas.append(float(-np.mean(t * np.log(prob + 1e-12) + (1 - t) * np.log(1 - prob + 1e-12))))
    dlt3 = (prob - t) / n
    gW3 = act2.T @ dlt3
    gb3 = dlt3.sum(0, keepdims=True)
    dlt2 = (dlt3 @ W3.T) * (1 - act2 ** 2)
    gW2 = act2.T @ dlt2
    gb2 = dlt2.sum(0, keepdims=True)
    dlt1 = (dlt2 @ W2.T) * (1 - act1 ** 2)
    gW1 = X_tr.T @ dlt1
    gb1 = dlt1.sum(0, keepdims=True)
    W3 -= paso * gW3; b3 -= paso * gb3
    W2 -= paso * gW2; b2 -= paso * gb2
    W1 -= paso * gW1; b1 -= paso * gb1

_, _, p_te = adelante(X_te)
print("perdida inicial/final", perdidas[0], perdidas[-1])
print("exactitud test", np.mean((p_te.ravel() > 0.5) == y_te))
