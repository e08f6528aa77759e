import torch
from torch import nn

inputs = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
labels = torch.tensor([0, 1, 1, 0], dtype=torch.float32).unsqueeze(1)

class MLP(nn.Module):
    def __init__(self, hidden=16):
        super().__init__()
        self.layer1 = nn.Linear(2, hidden)
        self.act = nn.ReLU()
        self.layer2 = nn.Linear(hidden, 1)   # logits: the loss applies the sigmoid

    def forward(self, x):
        return self.layer2(self.act(self.layer1(x)))


torch.manual_seed(7)
net = MLP()
loss_fn = nn.BCEWithLogitsLoss()
opt = torch.optim.SGD(net.parameters(), lr=0.1)

loss_history = []
for step in range(1500):
    opt.zero_grad()
    loss = loss_fn(net(inputs), labels)
    loss.backward()
    opt.step()
    loss_history.append(float(loss))
print("loss:", loss_history[0], "->", loss_history[-1])
print("predictions:", (torch.sigmoid(net(inputs)) > 0.5).int().flatten().tolist())
