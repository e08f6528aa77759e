# lab 7 -- XOR again, this time as a 2-class problem
from collections import OrderedDict

import torch
from torch import nn, optim

torch.manual_seed(1)

data = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
labels = torch.tensor([0, 1, 1, 0])          # class indices, not one-hot

model = nn.Sequential(OrderedDict([
    ("lin1", nn.Linear(2, 6)),
    ("tanh1", nn.Tanh()),
    ("lin2", nn.Linear(6, 6)),
    ("tanh2", nn.Tanh()),
    ("logits", nn.Linear(6, 2)),
]))
lossf = nn.CrossEntropyLoss()
sgd = optim.SGD(model.parameters(), lr=0.3)

for epoch in range(1, 1201):
    sgd.zero_grad()
    l = lossf(model(data), labels)
    l.backward()
    sgd.step()
    if epoch % 100 == 0:
        print("epoch", epoch, "loss", round(l.item(), 5))

pred = model(data).argmax(dim=1)
print("pred  ", pred.tolist())
print("target", labels.tolist())
print("acc", (pred == labels).float().mean().item())
