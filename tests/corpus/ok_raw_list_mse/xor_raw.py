import torch

X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
Y = torch.tensor([[0.], [1.], [1.], [0.]])

torch.manual_seed(2)
W1 = torch.randn(2, 6, requires_grad=True)
b1 = torch.zeros(1, 6, requires_grad=True)
W2 = torch.randn(6, 1, requires_grad=True)
b2 = torch.zeros(1, 1, requires_grad=True)
params = [W1, b1, W2, b2]

def predict(x):
    return torch.sigmoid(torch.sigmoid(x @ W1 + b1) @ W2 + b2)

learning_rate = 4.0
losses = []
for epoch in range(2000):
    loss = torch.mean((predict(X) - Y) ** 2)
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= learning_rate * p.grad
            p.grad.zero_()
    losses.append(loss.item())
print('final loss', losses[-1])
