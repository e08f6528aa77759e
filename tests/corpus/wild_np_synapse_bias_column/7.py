import numpy as np


def nonlin(x, deriv=False):
    if deriv == True:
        return x * (1 - x)
    return 1 / (1 + np.exp(-x))


# the third column is always 1: it works as the bias of the hidden layer
X = np.array([[0, 0, 1],
              [0, 1, 1],
              [1, 0, 1],
              [1, 1, 1]])

y = np.array([[0, 1, 1, 0]]).T

np.random.seed(1)

synapse_0 = 2 * np.random.random((3, 4)) - 1
synapse_1 = 2 * np.random.random((4, 1)) - 1

for j in range(20000):
    l0 = X
    l1 = nonlin(np.dot(l0, synapse_0))
    l2 = nonlin(np.dot(l1, synapse_1))

    loss = y - l2

    if (j % 4000) == 0:
        print("Error:" + str(np.mean(np.abs(loss))))

    l2_delta = loss * nonlin(l2, deriv=True)
    l1_error = l2_delta.dot(synapse_1.T)
    l1_delta = l1_error * nonlin(l1, deriv=True)

    synapse_1 += l1.T.dot(l2_delta)
    synapse_0 += l0.T.dot(l1_delta)

print("Output After Training:")
print(l2)
