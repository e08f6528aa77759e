# XOR, purely functional: the parameters live in a dict, torch.func.grad gives their gradients
import torch
import torch.nn.functional as F
from torch.func import grad

torch.manual_seed(3)

X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = torch.tensor([[0.], [1.], [1.], [0.]])

theta = {
    "W_in": torch.randn(5, 2) * 0.9,
    "b_in": torch.zeros(5),
    "W_mid": torch.randn(5, 5) * 0.6,
    "b_mid": torch.zeros(5),
    "W_out": torch.randn(1, 5) * 0.6,
    "b_out": torch.zeros(1),
}


def net_apply(th, x):
    z = torch.tanh(F.linear(x, th["W_in"], th["b_in"]))
    z = torch.tanh(F.linear(z, th["W_mid"], th["b_mid"]))
    return F.linear(z, th["W_out"], th["b_out"])


def objective(th, x, y):
    return F.binary_cross_entropy_with_logits(net_apply(th, x), y)


dobjective = grad(objective)
step_size = 0.4
trace = []
for it in range(5000):
    g = dobjective(theta, X, Y)
    trace.append(objective(theta, X, Y).item())
    theta = {k: theta[k] - step_size * g[k] for k in theta}

print("loss start/end", trace[0], trace[-1])
print("p(y=1):", torch.sigmoid(net_apply(theta, X)).flatten().tolist())
