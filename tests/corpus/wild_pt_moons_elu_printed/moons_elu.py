import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

torch.manual_seed(4)

X, y = make_moons(n_samples=500, noise=0.2, random_state=4)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.4, random_state=4)
Xtr = torch.FloatTensor(X_train)
ytr = torch.FloatTensor(y_train).view(-1, 1)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(2, 16)
        self.l2 = nn.Linear(16, 16)
        self.l3 = nn.Linear(16, 16)
        self.out = nn.Linear(16, 1)
        self.elu = nn.ELU()

    def forward(self, x):
        x = self.elu(self.l1(x))
        x = self.elu(self.l2(x))
        x = self.elu(self.l3(x))
        return torch.sigmoid(self.out(x))


clf = Classifier()
bce = nn.BCELoss()
optimizer = torch.optim.SGD(clf.parameters(), lr=0.5)

for epoch in range(600):
    optimizer.zero_grad()
    loss = bce(clf(Xtr), ytr)
    loss.backward()
    optimizer.step()
    if epoch % 100 == 0 or epoch == 599:
        print("epoch %d, loss %.4f" % (epoch, loss.item()))

# accuracy with numpy
proba = clf(torch.FloatTensor(X_test)).detach().numpy().ravel()
print("test accuracy:", np.mean((proba > 0.5) == y_test))
