import torch
import torch.nn as nn
import torch.optim as optim
from torch.optim.lr_scheduler import StepLR

torch.manual_seed(10)

X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = torch.tensor([[0.], [1.], [1.], [0.]])


class XorNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 5)
        self.act = nn.Tanh()
        self.output = nn.Linear(5, 1)

    def forward(self, x):
        return torch.sigmoid(self.output(self.act(self.hidden(x))))


model = XorNet()
loss_fn = nn.BCELoss()
optimizer = optim.SGD(model.parameters(), lr=1.0)
scheduler = StepLR(optimizer, step_size=400, gamma=0.7)   # lr *= 0.7 every 400 epochs

losses = []
for epoch in range(2000):
    optimizer.zero_grad()
    loss = loss_fn(model(X), y)
    loss.backward()
    optimizer.step()
    scheduler.step()
    losses.append(loss.item())
    if epoch % 400 == 0:
        print(f"epoch {epoch}: loss={loss.item():.4f} lr={scheduler.get_last_lr()[0]:.3f}")

print(model(X).detach().view(-1))
