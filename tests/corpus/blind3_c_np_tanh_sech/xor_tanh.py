import numpy as np

rng = np.random.RandomState(2)

def dtanh(z):
    # derivative of tanh at the pre-activation z
    return 1 / np.cosh(z)

x = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]])
y = np.array([[0.], [1.], [1.], [0.]])

wh = rng.uniform(-1, 1, (2, 5)); bh = np.zeros((1, 5))
wo = rng.uniform(-1, 1, (5, 1)); bo = np.zeros((1, 1))
alpha = 0.5
hist = []
for ep in range(5000):
    zh = x @ wh + bh
    ah = np.tanh(zh)
    out = 1 / (1 + np.exp(-(ah @ wo + bo)))
    hist.append(-np.mean(y * np.log(out) + (1 - y) * np.log(1 - out)))
    g_out = (out - y) / 4
    g_wo = ah.T @ g_out
    g_bo = g_out.sum(axis=0, keepdims=True)
    g_h = (g_out @ wo.T) * dtanh(zh)
    g_wh = x.T @ g_h
    g_bh = g_h.sum(axis=0, keepdims=True)
    wh -= alpha * g_wh; bh -= alpha * g_bh
    wo -= alpha * g_wo; bo -= alpha * g_bo

print("loss", hist[0], "->", hist[-1])
print("out", out.ravel().round(3))
