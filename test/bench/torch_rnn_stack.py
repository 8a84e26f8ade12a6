#!/usr/bin/env python3
"""PyTorch baseline for stacked RNN training and evaluation throughput (CPU or CUDA).

../shared/bench/torch_rnn.py with `--layers` (stacked cells, cuDNN's multi-layer kernels on CUDA)
and the evaluation beside the training: a no-grad forward over the same windows, as the trainer's
validation runs after every epoch. `npm run bench:gpu -- --large` (test/bench/gpu.ts) runs it for
issue 15's GPU grid; one JSON line per run, in torch_rnn.py's fields plus `layers` and
`evalSamplesPerSec`.

  /usr/bin/python3 torch_rnn_stack.py --cell lstm --units 256 --layers 2 --steps 200 --features 8 --device cuda
"""
import argparse, json, time

import torch

p = argparse.ArgumentParser()
p.add_argument("--cell", default="lstm", choices=["lstm", "gru", "rnn"])
p.add_argument("--units", type=int, default=64)
p.add_argument("--layers", type=int, default=1)
p.add_argument("--batch", type=int, default=64)
p.add_argument("--steps", type=int, default=50)
p.add_argument("--features", type=int, default=1)
p.add_argument("--batches", type=int, default=32, help="batches per epoch")
p.add_argument("--epochs", type=int, default=2)
p.add_argument("--threads", type=int, default=0, help="0 = PyTorch default")
p.add_argument("--device", default="cpu")
a = p.parse_args()
if a.threads:
    torch.set_num_threads(a.threads)
torch.manual_seed(0)
torch.set_flush_denormal(True)
n = a.batch * a.batches
x = torch.randn(n, a.steps, a.features, device=a.device)
y = torch.randn(n, 1, device=a.device)
Cell = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[a.cell]


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = Cell(a.features, a.units, num_layers=a.layers, batch_first=True)
        self.head = torch.nn.Linear(a.units, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


model = Model().to(a.device)
opt = torch.optim.Adam(model.parameters(), 1e-3)
loss_fn = torch.nn.MSELoss()


def epoch():
    model.train()
    for i in range(0, n, a.batch):
        opt.zero_grad()
        loss = loss_fn(model(x[i:i + a.batch]), y[i:i + a.batch])
        loss.backward()
        opt.step()
    return loss.item()


def evaluate():
    model.eval()
    with torch.no_grad():
        out = [model(x[i:i + a.batch]) for i in range(0, n, a.batch)]
    return torch.cat(out)


def sync():
    if a.device.startswith("cuda"):
        torch.cuda.synchronize()


def timed(f, reps):
    f(); sync()
    t0 = time.perf_counter()
    for _ in range(reps):
        last = f()
    sync()
    return (time.perf_counter() - t0) / reps, last


dt, last = timed(epoch, a.epochs)
dt_eval, _ = timed(evaluate, a.epochs)
print(json.dumps({"impl": f"pytorch-{torch.__version__}", "device": a.device,
                  "threads": torch.get_num_threads(), "cell": a.cell, "units": a.units, "layers": a.layers,
                  "batch": a.batch, "steps": a.steps, "features": a.features,
                  "samplesPerSec": round(n / dt, 1), "evalSamplesPerSec": round(n / dt_eval, 1),
                  "loss": round(last, 5)}))
