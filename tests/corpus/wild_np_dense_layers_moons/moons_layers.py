"""make_moons with my own DenseLayer objects: 2-16-16-16-1, ReLU, sigmoid output."""
import numpy as np
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

np.random.seed(0)


class DenseLayer:
    def __init__(self, n_in, n_out, activation="relu"):
        self.W = np.random.randn(n_in, n_out) * np.sqrt(2.0 / n_in)
        self.b = np.zeros((1, n_out))
        self.activation = activation

    def forward(self, x):
        self.x = x
        self.z = x @ self.W + self.b
        if self.activation == "relu":
            self.a = np.maximum(self.z, 0)
        else:
            self.a = 1 / (1 + np.exp(-self.z))
        return self.a

    def backward(self, grad_a):
        if self.activation == "relu":
            grad_z = grad_a * (self.z > 0)
        else:
            grad_z = grad_a * self.a * (1 - self.a)
        self.dW = self.x.T @ grad_z
        self.db = grad_z.sum(axis=0, keepdims=True)
        return grad_z @ self.W.T

    def update(self, lr):
        self.W -= lr * self.dW
        self.b -= lr * self.db


X, y = make_moons(n_samples=500, noise=0.2, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train = scaler.transform(X_train)
X_test = scaler.transform(X_test)
y_train = y_train.reshape(-1, 1)

layers = [DenseLayer(2, 16), DenseLayer(16, 16), DenseLayer(16, 16), DenseLayer(16, 1, "sigmoid")]


def predict(x):
    for layer in layers:
        x = layer.forward(x)
    return x


train_loss = []
for epoch in range(800):
    p = np.clip(predict(X_train), 1e-12, 1 - 1e-12)
    train_loss.append(-np.mean(y_train * np.log(p) + (1 - y_train) * np.log(1 - p)))
    # dL/dp for the mean binary cross-entropy
    grad = (p - y_train) / (p * (1 - p)) / len(X_train)
    for layer in reversed(layers):
        grad = layer.backward(grad)
    for layer in layers:
        layer.update(0.1)
    if epoch % 100 == 0:
        print(epoch, round(train_loss[-1], 4))

acc = np.mean((predict(X_test).ravel() > 0.5) == y_test)
print("test accuracy:", acc)
