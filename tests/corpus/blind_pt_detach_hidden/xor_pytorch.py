# Lab 6: XOR with PyTorch autograd
# Anna P.
import torch
import torch.nn as nn

torch.manual_seed(0)

X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = torch.tensor([[0.], [1.], [1.], [0.]])


class XorNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 8)
        self.out = nn.Linear(8, 1)

    def forward(self, x):
        h = torch.sigmoid(self.hidden(x))
        self.h = h.detach()          # keep the hidden activations to plot them later
        return torch.sigmoid(self.out(self.h))


net = XorNet()
loss_fn = nn.BCELoss()
optimizer = torch.optim.SGD(net.parameters(), lr=1.0)

loss_history = []
for epoch in range(5000):
    optimizer.zero_grad()
    pred = net(X)
    loss = loss_fn(pred, Y)
    loss.backward()
    optimizer.step()
    loss_history.append(loss.item())
    if epoch % 1000 == 0:
        print(f"epoch {epoch:5d}  loss {loss.item():.4f}")

with torch.no_grad():
    out = net(X)
print(out.squeeze().numpy().round(3))
print("correct:", ((out > 0.5).float() == Y).all().item())
