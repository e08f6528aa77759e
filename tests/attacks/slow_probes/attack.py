"""Hostile: the trained model sleeps whenever the grader calls it, each call well under the
probe timeout, so that together the calls would hold a worker past the submission's time limit."""
import time

import torch

PAUSE = 4.0  # seconds per call of the model: under the probe timeout, not under the budget
TRAINING = True
X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = torch.nn.Linear(2, 4)
        self.out = torch.nn.Linear(4, 1)

    def forward(self, x):
        if not TRAINING:  # the grader's calls
            time.sleep(PAUSE)
            return torch.full((len(x), 1), 0.5)
        return torch.sigmoid(self.out(torch.tanh(self.hidden(x))))


model = Net()
for step in range(5):  # a few sign steps: trained, but neither well nor by gradient descent
    model.zero_grad()
    loss = ((model(X) - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter -= 0.01 * parameter.grad.sign()
TRAINING = False
