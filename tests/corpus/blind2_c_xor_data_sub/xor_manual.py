"""XOR with a small MLP; the update is written by hand (no torch.optim)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(21)

inputs = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
targets = torch.tensor([0, 1, 1, 0], dtype=torch.float32).view(4, 1)


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(2, 6)
        self.l2 = nn.Linear(6, 6)
        self.l3 = nn.Linear(6, 1)

    def forward(self, x):
        x = torch.sigmoid(self.l1(x))
        x = torch.sigmoid(self.l2(x))
        return self.l3(x)          # logit


mlp = MLP()
eta = 2.0
errs = []
for step in range(6000):
    mlp.zero_grad()
    logit = mlp(inputs)
    err = F.binary_cross_entropy_with_logits(logit, targets)
    err.backward()
    for p in mlp.parameters():
        p.data.sub_(eta * p.grad)
    errs.append(float(err))
    if step % 1000 == 0:
        print(step, float(err))

with torch.no_grad():
    prob = torch.sigmoid(mlp(inputs))
print("probabilities", prob.view(-1).tolist())
print("predicted", (prob > 0.5).int().view(-1).tolist(), "expected", targets.int().view(-1).tolist())
