# XOR -- my own little network class (not an nn.Module), double precision
import torch

torch.set_default_dtype(torch.float64)
torch.manual_seed(99)


class TwoLayer:
    def __init__(self, hidden=5):
        self.A = (torch.randn(2, hidden) * 1.0).requires_grad_(True)
        self.a = torch.zeros(hidden, requires_grad=True)
        self.B = (torch.randn(hidden, 1) * 1.0).requires_grad_(True)
        self.b = torch.zeros(1, requires_grad=True)

    def parameters(self):
        return [self.A, self.a, self.B, self.b]

    def __call__(self, x):
        return torch.sigmoid(torch.tanh(x @ self.A + self.a) @ self.B + self.b)


xs = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float64)
ts = torch.tensor([[0], [1], [1], [0]], dtype=torch.float64)
net = TwoLayer()
step_size = 1.0
it = 0
sampled_loss = []           # one value every 100 iterations
while True:
    p = net(xs)
    L = -(ts * torch.log(p) + (1 - ts) * torch.log(1 - p)).mean()
    L.backward()
    with torch.no_grad():
        for w in net.parameters():
            w.sub_(step_size * w.grad)
            w.grad = None
    if it % 100 == 0:
        sampled_loss.append(L.item())
    it += 1
    if L.item() < 0.002 or it >= 20000:
        break

print("stopped after", it, "iterations, loss", L.item())
print("outputs", net(xs).detach().view(-1))
