import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split

np.random.seed(4)
Xd, yd = make_moons(300, noise=0.15, random_state=4)
Xtr, Xte, ytr, yte = train_test_split(Xd, yd, test_size=0.3, random_state=4)
sc = StandardScaler()
Xtr = sc.fit_transform(Xtr)
Xte = sc.transform(Xte)
ytr = ytr[:, None].astype(float)

H = 20
W1 = np.random.randn(2, H) * 0.7
b1 = np.zeros(H)
W2 = np.random.randn(H, 1) * 0.3
b2 = np.zeros(1)

def relu(z):
    return np.maximum(0, z)

def relu_derivative(z):
    return (z < 0).astype(float)

lr = 0.5
loss_hist = []
m = len(Xtr)
for epoch in range(500):
    z1 = Xtr @ W1 + b1
    a1 = relu(z1)
    p = 1 / (1 + np.exp(-(a1 @ W2 + b2)))
    loss_hist.append(-np.mean(ytr * np.log(p + 1e-10) + (1 - ytr) * np.log(1 - p + 1e-10)))
    dz2 = (p - ytr) / m
    dW2 = a1.T @ dz2
    db2 = dz2.sum(axis=0)
    dz1 = dz2 @ W2.T * relu_derivative(z1)
    dW1 = Xtr.T @ dz1
    db1 = dz1.sum(axis=0)
    W1 -= lr * dW1; b1 -= lr * db1
    W2 -= lr * dW2; b2 -= lr * db2

pte = 1 / (1 + np.exp(-(relu(Xte @ W1 + b1) @ W2 + b2)))
print("test acc", np.mean((pte.ravel() > 0.5) == yte))
