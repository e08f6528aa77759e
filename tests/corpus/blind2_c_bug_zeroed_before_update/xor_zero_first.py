import torch
import torch.nn as nn

torch.manual_seed(6)
X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
T = torch.tensor([[0.], [1.], [1.], [0.]])


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(2, 4)
        self.output = nn.Linear(4, 1)

    def forward(self, x):
        return torch.sigmoid(self.output(torch.sigmoid(self.hidden(x))))


net = Net()
rate = 1.5
loss_list = []
for i in range(4000):
    E = ((net(X) - T) ** 2).mean()
    E.backward()
    with torch.no_grad():
        for w in net.parameters():
            w.grad.zero_()               # clear the gradient for the next iteration
            w.sub_(rate * w.grad)
    loss_list.append(E.item())

print("loss", loss_list[0], loss_list[-1])
print(net(X).detach().view(-1))
