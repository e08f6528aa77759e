import torch
import numpy as np

X = torch.from_numpy(np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64))
Y = torch.from_numpy(np.array([[0], [1], [1], [0]], dtype=np.float64))

torch.manual_seed(5)
W1 = torch.randn(2, 4, dtype=torch.float64)
W1.requires_grad_()
b1 = torch.zeros(4, dtype=torch.float64).requires_grad_()
W2 = torch.randn(4, 1, dtype=torch.float64).requires_grad_()
b2 = torch.zeros(1, dtype=torch.float64).requires_grad_()
eta = 1.0
history = []
for epoch in range(1500):
    a1 = torch.sigmoid(X.mm(W1) + b1)
    a2 = torch.sigmoid(a1.mm(W2) + b2)
    loss = torch.nn.functional.binary_cross_entropy(a2, Y)
    loss.backward()
    W1.data -= eta * W1.grad.data
    b1.data -= eta * b1.grad.data
    W2.data -= eta * W2.grad.data
    b2.data -= eta * b2.grad.data
    W1.grad.data.zero_(); b1.grad.data.zero_(); W2.grad.data.zero_(); b2.grad.data.zero_()
    history.append(loss.item())
print(history[-1])
