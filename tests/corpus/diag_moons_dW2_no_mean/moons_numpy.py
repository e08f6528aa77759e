import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


X, y = make_moons(n_samples=250, noise=0.2, random_state=1)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=1)
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_test = scaler.transform(X_test)
Y_train = y_train.reshape(-1, 1)


def forward(params, X):
    A1 = np.tanh(X @ params["W1"] + params["b1"])
    A2 = 1 / (1 + np.exp(-(A1 @ params["W2"] + params["b2"])))
    return A1, A2


def backward(params, X, Y, A1, A2):
    m = X.shape[0]
    dZ2 = A2 - Y
    dW2 = A1.T @ dZ2
    db2 = dZ2.sum(axis=0) / m
    dZ1 = (dZ2 @ params["W2"].T) * (1 - A1 ** 2)
    dW1 = X.T @ dZ1 / m
    db1 = dZ1.sum(axis=0) / m
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def train(X, Y, hidden=16, lr=0.5, epochs=1000, seed=0):
    rng = np.random.default_rng(seed)
    params = {"W1": rng.normal(0, 1, (2, hidden)), "b1": np.zeros(hidden),
              "W2": rng.normal(0, 0.5, (hidden, 1)), "b2": np.zeros(1)}
    losses = []
    for epoch in range(epochs):
        A1, A2 = forward(params, X)
        A2c = np.clip(A2, 1e-12, 1 - 1e-12)
        losses.append(float(-np.mean(Y * np.log(A2c) + (1 - Y) * np.log(1 - A2c))))
        grads = backward(params, X, Y, A1, A2)
        for k in params:
            params[k] -= lr * grads[k]
    return params, losses


params, losses = train(X_train, Y_train)
test_acc = np.mean((forward(params, X_test)[1].ravel() > 0.5) == y_test)
print("loss", losses[0], "->", losses[-1])
print("test accuracy", test_acc)
