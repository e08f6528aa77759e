import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

# 데이터 준비
X, y = make_moons(n_samples=600, noise=0.2, random_state=21)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=21)
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_test = scaler.transform(X_test)


class Trainer:
    """모델 하나와 학습 데이터를 들고 있는 학습기. 고정 학습률 또는 아르미호 백트래킹."""

    def __init__(self, model, X, y):
        self.model = model
        self.X = torch.tensor(X, dtype=torch.float32)
        self.y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
        self.crit = nn.BCEWithLogitsLoss()
        self.losses = []

    def loss(self):
        return self.crit(self.model(self.X), self.y)

    def _grads(self):
        self.model.zero_grad()
        f = self.loss()
        f.backward()
        return f.item(), [p.grad.detach().clone() for p in self.model.parameters()]

    def gd_step(self, lr):
        f, grads = self._grads()
        with torch.no_grad():
            for p, g in zip(self.model.parameters(), grads):
                p -= lr * g
        return f

    def backtrack(self, alpha0=1.0, rho=0.5, c=1e-4):
        f, grads = self._grads()
        old = [p.detach().clone() for p in self.model.parameters()]
        norm2 = sum(float(g.pow(2).sum()) for g in grads)
        alpha = alpha0
        while alpha > 1e-10:
            with torch.no_grad():
                for p, w, g in zip(self.model.parameters(), old, grads):
                    p.copy_(w - alpha * g)
                trial = self.loss().item()
            if trial <= f - c * alpha * norm2:      # 아르미호 조건 만족
                return f
            with torch.no_grad():                   # 거절: 원래 가중치로 복구
                for p, w in zip(self.model.parameters(), old):
                    p.copy_(w)
            alpha *= rho
        return f

    def fit(self, epochs, method="fixed", lr=0.3):
        for _ in range(epochs):
            if method == "fixed":
                self.losses.append(self.gd_step(lr))
            else:
                self.losses.append(self.backtrack())
        return self.losses

    def accuracy(self, X, y):
        with torch.no_grad():
            p = self.model(torch.tensor(X, dtype=torch.float32)).squeeze(1) > 0
        return (p.numpy() == y).mean()


def new_model(seed=0):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1))


# 1) 고정 학습률
sgd_trainer = Trainer(new_model(), X_train, y_train)
sgd_trainer.fit(300, "fixed", lr=0.3)
# 2) 백트래킹
bt_trainer = Trainer(new_model(), X_train, y_train)
bt_trainer.fit(300, "armijo")

model_sgd, model_bt = sgd_trainer.model, bt_trainer.model
losses_sgd, losses_bt = sgd_trainer.losses, bt_trainer.losses
print("고정 학습률: 손실 %.4f, 정확도 %.3f" % (losses_sgd[-1], sgd_trainer.accuracy(X_test, y_test)))
print("백트래킹:    손실 %.4f, 정확도 %.3f" % (losses_bt[-1], bt_trainer.accuracy(X_test, y_test)))
