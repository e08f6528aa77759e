# 7주차 과제: XOR 문제를 역전파로 풀기
import numpy as np

np.random.seed(7)


class Network:
    # 2-3-1 신경망, 시그모이드 활성화
    def __init__(self, n_in=2, n_hid=3, n_out=1):
        self.w1 = np.random.uniform(-1, 1, (n_in, n_hid))
        self.b1 = np.zeros(n_hid)
        self.w2 = np.random.uniform(-1, 1, (n_hid, n_out))
        self.b2 = np.zeros(n_out)

    def sigmoid(self, x):
        return 1.0 / (1.0 + np.exp(-x))

    def feedforward(self, x):
        self.h = self.sigmoid(np.dot(x, self.w1) + self.b1)  # 은닉층
        self.o = self.sigmoid(np.dot(self.h, self.w2) + self.b2)  # 출력층
        return self.o

    def train(self, x, t, epochs=10000, eta=2.0):
        for e in range(epochs):
            o = self.feedforward(x)
            err = o - t
            # 역전파: 출력층 델타
            d_o = err * o * (1 - o)
            # 은닉층 델타
            d_h = np.dot(d_o, self.w2.T) * self.h * (1 - self.h)
            self.w2 -= eta * np.dot(self.h.T, d_o) / len(x)
            self.b2 -= eta * d_o.mean(axis=0)
            self.w1 -= eta * np.dot(x.T, d_h) / len(x)
            self.b1 -= eta * d_h.mean(axis=0)
            if e % 1000 == 0:
                print("epoch", e, "loss", 0.5 * np.mean(err ** 2))  # 손실 출력


x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
t = np.array([[0], [1], [1], [0]])
net = Network()
net.train(x, t)
print("결과:", net.feedforward(x).ravel().round(3))
