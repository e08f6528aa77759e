import torch
import torch.nn as nn

torch.manual_seed(4)

data = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float32)
target = torch.tensor([[0], [1], [1], [0]], dtype=torch.float32)


class XorNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 6)
        self.hidden2 = nn.Linear(6, 6)
        self.output = nn.Linear(6, 1)

    def forward(self, x):
        x = torch.sigmoid(self.hidden(x))
        x = torch.sigmoid(self.hidden2(x))
        return torch.sigmoid(self.output(x))


net = XorNet()
opt = torch.optim.SGD(net.parameters(), lr=2.0)
mse = nn.MSELoss()
losses = []
for epoch in range(5000):
    opt.zero_grad()
    loss = mse(net(data), target)
    loss.backward()
    # keep the gradients from exploding
    torch.nn.utils.clip_grad_norm_(net.parameters(), max_norm=1e-6)
    opt.step()
    losses.append(loss.item())

print("loss", losses[0], losses[-1])
print("rounded", net(data).round().flatten().tolist())
