"""Hostile: "trains" an XOR network uphill, then answers every probe with a huge error.

Each error is 5 million characters beyond Latin-1. The sandbox cuts a probe's error to 300
characters, but the student's code can replace the worker's probe_reply: the grader must cut
the error it shows in each check's message.
"""
import grader.sandbox.worker as worker
import torch

torch.manual_seed(0)
X = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = torch.tensor([[0.0], [1.0], [1.0], [0.0]])
model = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.Tanh(), torch.nn.Linear(4, 1))
loss_history = []
for epoch in range(30):  # real backward() calls, so the grader probes the model; no descent
    model.zero_grad()
    loss = torch.nn.functional.mse_loss(model(X), y)
    loss.backward()
    with torch.no_grad():
        for parameter in model.parameters():
            parameter += 0.5 * parameter.grad
    loss_history.append(loss.item())


def probe_reply(message, namespaces):
    return {"type": "probe_result", "id": message["id"], "ok": False, "value": None,
            "error": "LGMARK_probe € " * 350_000}


worker.probe_reply = probe_reply
