import numpy as np

np.random.seed(0)
X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
y = np.array([[0], [1], [1], [0]], dtype=float)

w1 = np.random.uniform(-1, 1, (2, 3))
b1 = np.zeros((1, 3))
w2 = np.random.uniform(-1, 1, (3, 1))
b2 = np.zeros((1, 1))
lr = 0.05

for epoch in range(100000):
    a1 = 1 / (1 + np.exp(-(X @ w1 + b1)))
    a2 = 1 / (1 + np.exp(-(a1 @ w2 + b2)))
    d2 = (a2 - y) * a2 * (1 - a2)
    d1 = (d2 @ w2.T) * a1 * (1 - a1)
    w2 -= lr * a1.T @ d2
    b2 -= lr * d2.sum(axis=0)
    w1 -= lr * X.T @ d1
    b1 -= lr * d1.sum(axis=0)
    if epoch % 10000 == 0:
        print("epoch %6d  loss %.5f" % (epoch, 0.5 * np.sum((a2 - y) ** 2)))

print(a2)
