# XOR with NO numpy - just lists and math (prof said we should understand every loop)
# 2 inputs -> 3 hidden (sigmoid) -> 1 output (sigmoid), online updates (one sample at a time)
import math
import random

random.seed(3)

def sigmoid(v):
    return 1.0 / (1.0 + math.exp(-v))

inputs = [[0, 0], [0, 1], [1, 0], [1, 1]]
targets = [0, 1, 1, 0]

N_IN, N_HID = 2, 3
# w_ih[j][i] = weight from input i to hidden j
w_ih = [[random.uniform(-1, 1) for i in range(N_IN)] for j in range(N_HID)]
b_h = [0.0 for j in range(N_HID)]
w_ho = [random.uniform(-1, 1) for j in range(N_HID)]
b_o = 0.0
learning_rate = 0.5

def feed(x):
    hid = []
    for j in range(N_HID):
        s = b_h[j]
        for i in range(N_IN):
            s += w_ih[j][i] * x[i]
        hid.append(sigmoid(s))
    s = b_o
    for j in range(N_HID):
        s += w_ho[j] * hid[j]
    return hid, sigmoid(s)

error_per_epoch = []
for epoch in range(6000):
    total = 0.0
    for n in range(len(inputs)):
        x, t = inputs[n], targets[n]
        hid, o = feed(x)
        total += 0.5 * (o - t) ** 2
        # output delta  (squared error, sigmoid)
        delta_o = (o - t) * o * (1 - o)
        # hidden deltas (use the weights BEFORE updating them)
        delta_h = [delta_o * w_ho[j] * hid[j] * (1 - hid[j]) for j in range(N_HID)]
        # update output layer
        for j in range(N_HID):
            w_ho[j] -= learning_rate * delta_o * hid[j]
        b_o -= learning_rate * delta_o
        # update hidden layer
        for j in range(N_HID):
            for i in range(N_IN):
                w_ih[j][i] -= learning_rate * delta_h[j] * x[i]
            b_h[j] -= learning_rate * delta_h[j]
    error_per_epoch.append(total)
    if epoch % 1000 == 0:
        print("epoch %d  error %.5f" % (epoch, total))

print("final error", error_per_epoch[-1])
ok = 0
for x, t in zip(inputs, targets):
    o = feed(x)[1]
    print(x, "->", round(o, 3))
    ok += int((o > 0.5) == (t == 1))
print(ok, "of 4 correct")
