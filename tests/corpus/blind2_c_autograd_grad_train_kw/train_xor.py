import math
import torch

torch.manual_seed(8)


def init_params(n_in=2, n_hidden=4, n_out=1):
    w1 = torch.randn(n_in, n_hidden) / math.sqrt(n_in)
    w2 = torch.randn(n_hidden, n_out) / math.sqrt(n_hidden)
    return [t.requires_grad_() for t in (w1, torch.zeros(n_hidden), w2, torch.zeros(n_out))]


def predict(model, X):
    w1, c1, w2, c2 = model
    return torch.sigmoid(torch.tanh(X @ w1 + c1) @ w2 + c2)


def mse(p, y):
    return ((p - y) ** 2).mean()


def train(model, X, y, epochs, lr):
    curve = []
    for e in range(epochs):
        loss = mse(predict(model, X), y)
        grads = torch.autograd.grad(loss, model)
        model = [(w - lr * g).detach().requires_grad_() for w, g in zip(model, grads)]
        curve.append(loss.item())
    return model, curve


X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = torch.tensor([[0.], [1.], [1.], [0.]])
trained, curve = train(model=init_params(), X=X, y=Y, epochs=8000, lr=2.0)
print("mse:", curve[0], "->", curve[-1])
print(predict(trained, X).detach().round().view(-1))
