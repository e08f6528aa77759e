"""
network.py  (adapted from Nielsen's "Neural Networks and Deep Learning", ch.1)
Lab 6 - I'm using it for XOR instead of MNIST.
"""
import random
import numpy as np

random.seed(7)
np.random.seed(7)


class Network(object):

    def __init__(self, sizes):
        """sizes = number of neurons in each layer, e.g. [2, 4, 1]"""
        self.num_layers = len(sizes)
        self.sizes = sizes
        self.biases = [np.random.randn(y, 1) for y in sizes[1:]]
        self.weights = [np.random.randn(y, x)
                        for x, y in zip(sizes[:-1], sizes[1:])]

    def feedforward(self, a):
        """Return the output of the network if ``a`` is input."""
        for b, w in zip(self.biases, self.weights):
            a = sigmoid(np.dot(w, a)+b)
        return a

    def SGD(self, training_data, epochs, mini_batch_size, eta,
            test_data=None):
        n = len(training_data)
        costs = []
        for j in range(epochs):
            random.shuffle(training_data)
            mini_batches = [
                training_data[k:k+mini_batch_size]
                for k in range(0, n, mini_batch_size)]
            for mini_batch in mini_batches:
                self.update_mini_batch(mini_batch, eta)
            c = self.total_cost(training_data)
            costs.append(c)
            if j % 1000 == 0:
                if test_data:
                    print("Epoch {0}: {1} / {2}  cost {3:.4f}".format(
                        j, self.evaluate(test_data), len(test_data), c))
                else:
                    print("Epoch {0} complete".format(j))
        return costs

    def update_mini_batch(self, mini_batch, eta):
        """Update the network's weights and biases by applying
        gradient descent using backpropagation to a single mini batch."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        for x, y in mini_batch:
            delta_nabla_b, delta_nabla_w = self.backprop(x, y)
            nabla_b = [nb+dnb for nb, dnb in zip(nabla_b, delta_nabla_b)]
            nabla_w = [nw+dnw for nw, dnw in zip(nabla_w, delta_nabla_w)]
        self.weights = [w-(eta/len(mini_batch))*nw
                        for w, nw in zip(self.weights, nabla_w)]
        self.biases = [b-(eta/len(mini_batch))*nb
                       for b, nb in zip(self.biases, nabla_b)]

    def backprop(self, x, y):
        """Return a tuple ``(nabla_b, nabla_w)`` representing the
        gradient for the cost function C_x."""
        nabla_b = [np.zeros(b.shape) for b in self.biases]
        nabla_w = [np.zeros(w.shape) for w in self.weights]
        # feedforward
        activation = x
        activations = [x]  # list to store all the activations, layer by layer
        zs = []  # list to store all the z vectors, layer by layer
        for b, w in zip(self.biases, self.weights):
            z = np.dot(w, activation)+b
            zs.append(z)
            activation = sigmoid(z)
            activations.append(activation)
        # backward pass
        delta = self.cost_derivative(activations[-1], y) * \
            sigmoid_prime(zs[-1])
        nabla_b[-1] = delta
        nabla_w[-1] = np.dot(delta, activations[-2].transpose())
        for l in range(2, self.num_layers):
            z = zs[-l]
            sp = sigmoid_prime(z)
            delta = np.dot(self.weights[-l+1].transpose(), delta) * sp
            nabla_b[-l] = delta
            nabla_w[-l] = np.dot(delta, activations[-l-1].transpose())
        return (nabla_b, nabla_w)

    def evaluate(self, test_data):
        test_results = [(int(self.feedforward(x)[0, 0] > 0.5), y)
                        for (x, y) in test_data]
        return sum(int(x == y) for (x, y) in test_results)

    def total_cost(self, data):
        # quadratic cost C = 1/2n sum ||y - a||^2
        return sum(0.5*np.linalg.norm(y - self.feedforward(x))**2
                   for x, y in data) / len(data)

    def cost_derivative(self, output_activations, y):
        return (output_activations-y)


#### Miscellaneous functions
def sigmoid(z):
    return 1.0/(1.0+np.exp(-z))

def sigmoid_prime(z):
    return sigmoid(z)*(1-sigmoid(z))


# ---------------- XOR ------------------
xs = [np.array([[0.], [0.]]), np.array([[0.], [1.]]),
      np.array([[1.], [0.]]), np.array([[1.], [1.]])]
ys = [np.array([[0.]]), np.array([[1.]]), np.array([[1.]]), np.array([[0.]])]
training_data = list(zip(xs, ys))
test_data = [(x, int(y[0, 0])) for x, y in zip(xs, ys)]

net = Network([2, 4, 1])
costs = net.SGD(training_data, 4000, 4, 3.0, test_data=test_data)

print("final cost", costs[-1])
for x in xs:
    print(x.ravel(), "->", net.feedforward(x).ravel())
print("correct:", net.evaluate(test_data), "/ 4")
