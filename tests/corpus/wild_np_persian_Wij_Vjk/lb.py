# تمرین ۶ - شبکه عصبی دو لایه برای XOR
# هر ستون ماتریس X یک نمونه است (نمونه ها ستونی هستند)
import numpy as np

np.random.seed(7)

X = np.array([[0, 0, 1, 1],
              [0, 1, 0, 1]], dtype=float)
T = np.array([[0, 1, 1, 0]], dtype=float)

n_in, n_hid, n_out = 2, 5, 1

# Wij: وزن از ورودی i به نورون پنهان j  (سطر = j ، ستون = i)
Wij = np.random.randn(n_hid, n_in)
bj = np.zeros((n_hid, 1))
# Vjk: وزن از نورون پنهان j به خروجی k
Vjk = np.random.randn(n_out, n_hid)
bk = np.zeros((n_out, 1))

eta = 2.0
m = X.shape[1]


def sig(a):
    return 1.0 / (1.0 + np.exp(-a))


costs = []
for it in range(4000):
    # انتشار رو به جلو
    net_j = Wij @ X + bj
    y_j = sig(net_j)
    net_k = Vjk @ y_j + bk
    y_k = sig(net_k)

    # تابع هزینه: میانگین مربعات خطا
    cost = np.mean((y_k - T) ** 2)
    costs.append(cost)

    # انتشار رو به عقب
    delta_k = 2 * (y_k - T) * y_k * (1 - y_k) / m
    dV = delta_k @ y_j.T
    dbk = delta_k.sum(axis=1, keepdims=True)
    delta_j = (Vjk.T @ delta_k) * y_j * (1 - y_j)
    dW = delta_j @ X.T
    dbj = delta_j.sum(axis=1, keepdims=True)

    # به روز رسانی وزن ها
    Vjk = Vjk - eta * dV
    bk = bk - eta * dbk
    Wij = Wij - eta * dW
    bj = bj - eta * dbj

print("هزینه اولیه:", costs[0])
print("هزینه نهایی:", costs[-1])
print("خروجی شبکه:", sig(Vjk @ sig(Wij @ X + bj) + bk).round(3))
