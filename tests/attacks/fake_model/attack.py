"""Hostile: objects that pretend to be a trained model and a loss history."""
import numpy as np
import torch


class Liar:
    def __array__(self, *a, **k):
        return np.array([[0.0], [1.0], [1.0], [0.0]])
    def __float__(self):
        return 0.0
    def __eq__(self, other):
        return True
    def __call__(self, x, *a, **k):
        return torch.tensor([[0.0], [1.0], [1.0], [0.0]])
    def forward(self, x):
        return self(x)
    def parameters(self):
        return iter([torch.zeros(2, 4, requires_grad=True)])
    def __getattr__(self, name):
        return self


class FakeList(list):
    def __getitem__(self, i):
        return 0.0 if not isinstance(i, int) or i != 0 else 1.0
    def __len__(self):
        return 1500


model = Liar()
xor_model = Liar()
loss_history = FakeList([1.0, 0.5, 0.0])
losses = FakeList([1.0, 0.0])


class FakeTensor(torch.Tensor):
    pass


W1 = torch.zeros(2, 4).as_subclass(FakeTensor)
