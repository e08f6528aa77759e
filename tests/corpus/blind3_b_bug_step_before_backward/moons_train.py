import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(8)
np.random.seed(8)

Xn, yn = make_moons(400, noise=0.2, random_state=8)
Xtr, Xte, ytr, yte = train_test_split(Xn, yn, test_size=0.25, random_state=8)
sc = StandardScaler().fit(Xtr)
Xtr = torch.FloatTensor(sc.transform(Xtr)); Xte = torch.FloatTensor(sc.transform(Xte))
ytr = torch.FloatTensor(ytr).unsqueeze(1); yte = torch.FloatTensor(yte).unsqueeze(1)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 16)
        self.fc2 = nn.Linear(16, 16)
        self.fc3 = nn.Linear(16, 1)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = torch.relu(self.fc2(x))
        return torch.sigmoid(self.fc3(x))


model = Classifier()
criterion = nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.4)

loss_history = []
for epoch in range(800):
    optimizer.zero_grad()     # clear old gradients
    y_hat = model(Xtr)
    loss = criterion(y_hat, ytr)
    optimizer.step()          # update the weights
    loss.backward()           # compute new gradients
    loss_history.append(loss.item())

with torch.no_grad():
    acc = ((model(Xte) > 0.5).float() == yte).float().mean()
print("loss", loss_history[0], "->", loss_history[-1], " test acc", acc.item())
