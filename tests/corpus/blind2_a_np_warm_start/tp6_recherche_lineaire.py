# TP 6 -- descente de gradient a pas fixe puis recherche lineaire d'Armijo (make_moons)
# Le pas de depart de chaque recherche est pas_precedent / rho (plafonne a pas_max) :
# on repart du dernier pas accepte au lieu de toujours repartir de pas_max.
import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler

X, y = make_moons(n_samples=320, noise=0.2, random_state=13)
normaliseur = StandardScaler()
X = normaliseur.fit_transform(X)
Y = y.reshape(-1, 1).astype(float)


def initialiser(graine):
    g = np.random.RandomState(graine)
    return [g.randn(2, 14) * 0.6, np.zeros(14), g.randn(14, 1) * 0.3, np.zeros(1)]


def propager(p, X):
    C = np.tanh(X @ p[0] + p[1])
    return C, 1 / (1 + np.exp(-(C @ p[2] + p[3])))


def cout(p):
    s = np.clip(propager(p, X)[1], 1e-12, 1 - 1e-12)
    return float(-np.mean(Y * np.log(s) + (1 - Y) * np.log(1 - s)))


def gradient(p):
    C, s = propager(p, X)
    e = (s - Y) / len(X)
    dC = (e @ p[2].T) * (1 - C ** 2)
    return [X.T @ dC, dC.sum(0), C.T @ e, e.sum(0)]


# pas fixe
p_fixe = initialiser(6)
couts_fixe = []
for t in range(400):
    g = gradient(p_fixe)
    p_fixe = [a - 0.4 * b for a, b in zip(p_fixe, g)]
    couts_fixe.append(cout(p_fixe))

# Armijo avec demarrage a chaud
pas_max, rho, c = 8.0, 0.5, 1e-4
p_armijo = initialiser(6)
couts_armijo, pas_utilises = [], []
pas = pas_max
for t in range(400):
    g = gradient(p_armijo)
    f0 = cout(p_armijo)
    n2 = sum(np.sum(b * b) for b in g)
    pas = min(pas / rho, pas_max)
    essai = [a - pas * b for a, b in zip(p_armijo, g)]
    while cout(essai) > f0 - c * pas * n2 and pas > 1e-9:
        pas = rho * pas
        essai = [a - pas * b for a, b in zip(p_armijo, g)]
    p_armijo = essai
    pas_utilises.append(pas)
    couts_armijo.append(cout(p_armijo))

precision = lambda p: np.mean((propager(p, X)[1] > 0.5) == Y)
print("pas fixe :", couts_fixe[-1], precision(p_fixe))
print("Armijo   :", couts_armijo[-1], precision(p_armijo), "pas distincts", sorted(set(pas_utilises)))
