import torch
import torch.nn as nn

torch.manual_seed(0)
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = torch.tensor([[0.], [1.], [1.], [0.]])

xor_net = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1), nn.Sigmoid())
crit = nn.BCELoss()
optimizer = torch.optim.SGD(xor_net.parameters(), lr=0.1)

loss_history = []
for epoch in range(300):
    out = xor_net(X)
    loss = crit(out, y)
    torch.autograd.backward(loss)
    optimizer.step()
    loss_history.append(loss.item())
    if epoch % 100 == 0:
        print(epoch, loss.item())

print(xor_net(X).detach().flatten())
