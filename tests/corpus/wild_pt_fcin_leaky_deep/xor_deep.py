"""XOR with a deeper net: fc_in + 4 hidden layers, LeakyReLU, sigmoid output."""
import torch
import torch.nn as nn


class DeepNet(nn.Module):
    def __init__(self, width=10, depth=4, slope=0.1):
        super().__init__()
        self.fc_in = nn.Linear(2, width)
        blocks = []
        for _ in range(depth):
            blocks += [nn.Linear(width, width), nn.LeakyReLU(slope)]
        self.hidden = nn.Sequential(*blocks)
        self.fc_out = nn.Linear(width, 1)
        self.leaky = nn.LeakyReLU(slope)

    def forward(self, x):
        x = self.leaky(self.fc_in(x))
        x = self.hidden(x)
        return torch.sigmoid(self.fc_out(x))


torch.manual_seed(2024)
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = torch.tensor([[0.], [1.], [1.], [0.]])

model = DeepNet()
criterion = nn.BCELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)

loss_values = []
for epoch in range(2500):
    optimizer.zero_grad()
    pred = model(X)
    loss = criterion(pred, Y)
    loss.backward()
    optimizer.step()
    loss_values.append(loss.item())
    if epoch % 250 == 0:
        print(f"{epoch:5d}  {loss.item():.5f}")

with torch.no_grad():
    print("outputs:", model(X).flatten().numpy().round(3))
