#!/usr/bin/python3
"""PyTorch twin of the TF.js quantisation-aware model (src/nn/model.ts) for `npm run bench:step`.

Builds, from a network JSON (src/core/network.ts), the same model with the same semantics:
  - conv (groups, stride, symmetric padding `pad`) / depthwise conv (groups = channels), no bias,
    then BatchNorm2d (eps 1e-5, momentum 0.1; batch statistics in training, unbiased running
    variance) and the layer's activation; channel shuffle when `shuffle` is set;
  - add; pool = average pool (kernel, stride, pad); fc = linear with bias;
  - every layer output with outBits < 32 fake-quantised per tensor against a running range
    (first batch: its max; then EMA with weight 0.1 on the batch max): unsigned [0, amax] with
    2^q - 1 levels after relu/relu6 or a pool of an unsigned input, otherwise signed symmetric
    with 2^(q-1) - 1 levels; straight-through gradient inside the range, zero outside;
  - the network input fake-quantised the same way, signed 8-bit;
  - weights fake-quantised per output channel, symmetric, 2^(q-1) - 1 levels,
    scale = max(max|w|, 1e-12) / levels, round half to even (torch.round); pure straight-through.
Loss: mean cross-entropy. Optimizer as src/nn/optimizer.ts: clip the gradients by global norm 5
(factor min(1, 5 / max(norm, 1e-12))), add weight decay 5e-4 * w to conv/fc kernels only,
momentum 0.9 with v = m v + g, w -= lr v (torch.optim.SGD semantics).

Layout is NCHW. With --init (a manifest written by src/bench/step-twin.ts) the weights, the batch and
the labels are the TF.js model's, converted from TF.js layouts; otherwise He-normal weights and a
random batch from a fixed seed.

Modes:
  default   2 warm-up steps (--warmup) + --steps timed steps; last line
            {"torchMs": median, "peakRssMB", "threads", "torch", "losses"}
  --check   {"params": trainable parameter count, "outputShape": [batch, classes], ...}
A missing torch prints {"torchMs": null, "error": ...} and exits 3.
"""
import argparse
import json
import resource
import statistics
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--network", required=True, help="network JSON (src/core/network.ts)")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--lr", type=float, default=0.025)
    p.add_argument("--momentum", type=float, default=0.9)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--clip", type=float, default=5.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--init", help="manifest of initial weights + batch from src/bench/step-twin.ts")
    p.add_argument("--check", action="store_true", help="print parameter count and output shape")
    return p.parse_args()


def peak_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


args = parse_args()
try:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
except ImportError as error:  # pragma: no cover - depends on the machine
    print(json.dumps({"torchMs": None, "peakRssMB": None, "error": f"cannot import torch: {error}"}))
    sys.exit(3)

BN_EPSILON = 1e-5
BN_MOMENTUM = 0.1
RANGE_MOMENTUM = 0.1
INPUT_BITS = 8


class FakeQuantWeight(torch.autograd.Function):
    """Per-output-channel (dim 0) symmetric fake quantisation; gradient passes unchanged."""

    @staticmethod
    def forward(ctx, w, levels):
        amax = w.detach().abs().amax(dim=tuple(range(1, w.dim())), keepdim=True)
        scale = torch.clamp(amax, min=1e-12) / levels
        return torch.round(w / scale) * scale

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class FakeQuantActivation(torch.autograd.Function):
    """clip(round(x / scale), lo, hi) * scale; gradient dy where lo*s <= x <= hi*s, else 0."""

    @staticmethod
    def forward(ctx, x, scale, lo, hi):
        q = torch.clamp(torch.round(x / scale), lo, hi) * scale
        ctx.save_for_backward((x >= scale * lo) & (x <= scale * hi))
        return q

    @staticmethod
    def backward(ctx, grad):
        (inside,) = ctx.saved_tensors
        return grad * inside, None, None, None


class ActivationQuantiser(nn.Module):
    def __init__(self, bits, signed):
        super().__init__()
        self.signed = signed
        self.lo, self.hi = (-(2 ** (bits - 1) - 1), 2 ** (bits - 1) - 1) if signed else (0, 2 ** bits - 1)
        self.register_buffer("amax", torch.zeros(()))

    def forward(self, x):
        amax = self.amax
        if self.training:
            with torch.no_grad():
                batch = x.abs().max() if self.signed else x.max()
                blended = amax * (1 - RANGE_MOMENTUM) + batch * RANGE_MOMENTUM
                amax.copy_(torch.where(amax == 0, batch, blended))
        scale = torch.clamp(amax, min=1e-8) / self.hi
        return FakeQuantActivation.apply(x, scale, self.lo, self.hi)


def channel_shuffle(x, groups):
    b, c, h, w = x.shape
    return x.reshape(b, groups, c // groups, h, w).transpose(1, 2).reshape(b, c, h, w)


class Layer(nn.Module):
    def __init__(self, spec, unsigned_output):
        super().__init__()
        self.spec = spec
        self.kind = spec["kind"]
        k = spec["kernel"]
        self.levels = 2 ** (spec["bits"] - 1) - 1
        if self.kind == "conv":
            fan_in = k * k * spec["inC"] // spec["groups"]
            self.weight = nn.Parameter(torch.randn(spec["outC"], spec["inC"] // spec["groups"], k, k) * (2 / fan_in) ** 0.5)
            self.groups = spec["groups"]
        elif self.kind == "dwconv":
            self.weight = nn.Parameter(torch.randn(spec["outC"], 1, k, k) * (2 / (k * k)) ** 0.5)
            self.groups = spec["outC"]
        elif self.kind == "fc":
            self.weight = nn.Parameter(torch.randn(spec["outC"], spec["inC"]) * (2 / spec["inC"]) ** 0.5)
            self.bias = nn.Parameter(torch.zeros(spec["outC"]))
        if self.kind in ("conv", "dwconv"):
            self.bn = nn.BatchNorm2d(spec["outC"], eps=BN_EPSILON, momentum=BN_MOMENTUM)
        self.quant = ActivationQuantiser(spec["outBits"], not unsigned_output) if spec["outBits"] < 32 else None

    def forward(self, inputs):
        s = self.spec
        x = inputs[0]
        if self.kind == "add":
            y = inputs[0] + inputs[1]
        elif self.kind == "pool":
            y = F.avg_pool2d(x, s["kernel"], s["stride"], s["pad"])
        elif self.kind == "fc":
            w = FakeQuantWeight.apply(self.weight, self.levels)
            y = F.linear(x.reshape(x.shape[0], s["inC"]), w, self.bias)
        else:
            w = FakeQuantWeight.apply(self.weight, self.levels)
            y = self.bn(F.conv2d(x, w, None, s["stride"], s["pad"], 1, self.groups))
            if s["activation"] == "relu":
                y = F.relu(y)
            elif s["activation"] == "relu6":
                y = F.relu6(y)
            if s.get("shuffle"):
                y = channel_shuffle(y, s["shuffle"])
        return self.quant(y) if self.quant is not None else y


class Twin(nn.Module):
    def __init__(self, network):
        super().__init__()
        self.network = network
        self.input_quant = ActivationQuantiser(INPUT_BITS, True)
        unsigned = {"input": False}
        layers = []
        for spec in network["layers"]:
            if spec["activation"] in ("relu", "relu6"):
                positive = True
            elif spec["kind"] == "pool":
                positive = unsigned.get(spec["inputs"][0], False)
            else:
                positive = False
            unsigned[spec["name"]] = positive
            layers.append(Layer(spec, positive))
        self.layers = nn.ModuleList(layers)

    def forward(self, x):
        values = {"input": self.input_quant(x)}
        last = x
        for layer in self.layers:
            last = layer([values[name] for name in layer.spec["inputs"]])
            values[layer.spec["name"]] = last
        return last.reshape(x.shape[0], -1)

    def decayed_and_not(self):
        """Conv / depthwise / fc kernels (L2 decay) and the rest (BN gamma/beta, fc bias)."""
        kernels, rest = [], []
        for layer in self.layers:
            for name, p in layer.named_parameters(recurse=True):
                (kernels if name == "weight" else rest).append(p)
        return kernels, rest


def tfjs_to_torch(layer, name, t):
    """TF.js layouts → PyTorch: conv [kh,kw,in/g,out] → [out,in/g,kh,kw]; depthwise [kh,kw,C,1] →
    [C,1,kh,kw]; fc [in,out] → [out,in]."""
    if name == "kernel":
        if layer.kind == "conv":
            return t.permute(3, 2, 0, 1)
        if layer.kind == "dwconv":
            return t.permute(2, 3, 0, 1)
        return t.t()
    return t


def load_init(model, manifest_path):
    with open(manifest_path) as f:
        manifest = json.load(f)
    with open(manifest["file"], "rb") as f:
        data = bytearray(f.read())
    entries = {e["name"]: e for e in manifest["tensors"]}

    def tensor(name, dtype):
        e = entries[name]
        count = 1
        for d in e["shape"]:
            count *= d
        return torch.frombuffer(data, dtype=dtype, count=count, offset=4 * e["offset"]).reshape(e["shape"]).clone()

    by_name = {layer.spec["name"]: layer for layer in model.layers}
    loaded = 0
    with torch.no_grad():
        for key in entries:
            if key.startswith("__"):
                continue
            layer_name, what = key.rsplit("/", 1)
            layer = by_name[layer_name]
            value = tfjs_to_torch(layer, what, tensor(key, torch.float32))
            target = {"kernel": layer.weight, "bias": getattr(layer, "bias", None),
                      "gamma": layer.bn.weight if hasattr(layer, "bn") else None,
                      "beta": layer.bn.bias if hasattr(layer, "bn") else None}[what]
            if target is None or tuple(target.shape) != tuple(value.shape):
                raise SystemExit(f"--init: {key} {tuple(value.shape)} does not fit the twin")
            target.copy_(value)
            loaded += value.numel()
    total = sum(p.numel() for p in model.parameters())
    if loaded != total:
        raise SystemExit(f"--init: loaded {loaded} of {total} parameters")
    x = tensor("__x__", torch.float32).permute(0, 3, 1, 2).contiguous()  # NHWC → NCHW
    labels = tensor("__labels__", torch.int32).long()
    return x, labels


def main():
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    with open(args.network) as f:
        network = json.load(f)
    model = Twin(network)
    params = sum(p.numel() for p in model.parameters() if p.requires_grad)
    inp = network["input"]
    if args.init:
        x, labels = load_init(model, args.init)
        if x.shape[0] != args.batch:
            raise SystemExit(f"--init holds a batch of {x.shape[0]}, --batch says {args.batch}")
    else:
        x = torch.randn(args.batch, inp["channels"], inp["height"], inp["width"])
        labels = torch.randint(0, network["classes"], (args.batch,))

    if args.check:
        model.eval()
        with torch.no_grad():
            out = model(x)
        print(json.dumps({"params": params, "outputShape": list(out.shape), "layers": len(network["layers"]),
                          "torch": torch.__version__}))
        return

    model.train()
    kernels, rest = model.decayed_and_not()
    optimizer = torch.optim.SGD([
        {"params": kernels, "weight_decay": args.weight_decay},
        {"params": rest, "weight_decay": 0.0},
    ], lr=args.lr, momentum=args.momentum)
    all_params = kernels + rest

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), labels)
        loss.backward()
        with torch.no_grad():
            grads = [p.grad for p in all_params]
            norm = torch.sqrt(torch.stack([torch.sum(g * g) for g in grads]).sum())
            clip = torch.clamp(args.clip / torch.clamp(norm, min=1e-12), max=1.0)
            for g in grads:
                g.mul_(clip)
        optimizer.step()
        return loss.item()

    losses, times = [], []
    for i in range(args.warmup + args.steps):
        t0 = time.perf_counter()
        loss = step()
        ms = (time.perf_counter() - t0) * 1000
        losses.append(loss)
        if i >= args.warmup:
            times.append(ms)
        print(f"  torch step {i + 1}{' (warm-up)' if i < args.warmup else ''}: {ms:.1f} ms, loss {loss:.5f}",
              file=sys.stderr, flush=True)
    print(json.dumps({"torchMs": statistics.median(times), "peakRssMB": peak_rss_mb(), "threads": torch.get_num_threads(),
                      "torch": torch.__version__, "params": params, "losses": losses}))


if __name__ == "__main__":
    main()
