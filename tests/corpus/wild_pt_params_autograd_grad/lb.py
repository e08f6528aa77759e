# 勾配降下法で XOR を学習する(重みは自分で管理するバージョン)
import torch

torch.manual_seed(3)

X = torch.tensor([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = torch.tensor([[0.], [1.], [1.], [0.]])

# 重みの初期化: 2 -> 8 -> 1
W1 = (torch.randn(2, 8) * 0.7).requires_grad_()
b1 = torch.zeros(8, requires_grad=True)
W2 = (torch.randn(8, 1) * 0.7).requires_grad_()
b2 = torch.zeros(1, requires_grad=True)
params = [W1, b1, W2, b2]


def net(x):
    h = torch.tanh(x @ W1 + b1)
    return h @ W2 + b2          # 出力層は線形(活性化関数なし)

lr = 0.1
J = []                          # 損失の履歴
for it in range(2000):
    loss = ((net(X) - y) ** 2).mean()      # 平均二乗誤差
    grads = torch.autograd.grad(loss, params)
    with torch.no_grad():
        for p, g in zip(params, grads):
            p -= lr * g
    J.append(loss.item())
    if it % 400 == 0:
        print(it, J[-1])

# 出力が 0.5 より大きければクラス 1
with torch.no_grad():
    out = net(X)
print(out.flatten(), (out > 0.5).int().flatten().tolist())
