import numpy as np
from sklearn.datasets import make_moons
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split

np.random.seed(1234)
X, y = make_moons(n_samples=300, noise=0.2, random_state=1234)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=1234)
sc = StandardScaler().fit(Xtr)
Xtr, Xte = sc.transform(Xtr), sc.transform(Xte)
T = np.eye(2)[1 - ytr]                    # one-hot targets, shape (N, 2)

W1 = np.random.randn(2, 10) * 0.7; b1 = np.zeros(10)
W2 = np.random.randn(10, 2) * 0.3; b2 = np.zeros(2)

def softmax(s):
    s = s - s.max(axis=1, keepdims=True)
    e = np.exp(s)
    return e / e.sum(axis=1, keepdims=True)

lr = 0.5
ce = []
for ep in range(500):
    A = np.tanh(Xtr @ W1 + b1)
    P = softmax(A @ W2 + b2)
    ce.append(-np.mean(np.sum(T * np.log(P + 1e-12), axis=1)))
    G = (P - T) / len(Xtr)
    dW2 = A.T @ G; db2 = G.sum(axis=0)
    GA = (G @ W2.T) * (1 - A ** 2)
    dW1 = Xtr.T @ GA; db1 = GA.sum(axis=0)
    W1 -= lr * dW1; b1 -= lr * db1
    W2 -= lr * dW2; b2 -= lr * db2

pred = softmax(np.tanh(Xte @ W1 + b1) @ W2 + b2).argmax(axis=1)
print("CE", ce[0], "->", ce[-1], "test accuracy", np.mean(pred == yte))
