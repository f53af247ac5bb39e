"""A LoRA training that SIGKILLs its own process while writing its second checkpoint, run by
`test_lora_training.py` as a subprocess: `python kill_while_checkpointing.py SPEC.json MODE`.

MODE `torn`: the process dies when half of the checkpoint's bytes have reached the disk; `unrenamed`: when all of
them have, before the file is renamed over the previous checkpoint. Either way the kill is a real SIGKILL: no
handler, no cleanup, exactly what the kernel does to a process killed by a user, a crash or a time limit.
"""

from __future__ import annotations

import io
import json
import os
import signal
import sys
from pathlib import Path

import torch

from studio.generate import builtin_model_ref
from studio.generate.lora_provenance import LoraProvenance
from studio.generate.training.lora_train import LoraTrainConfig, TrainingExample, train_lora


def main(spec_path: str, mode: str) -> None:
    torch.set_num_threads(1)
    spec = json.loads(Path(spec_path).read_text())
    real_save = torch.save
    calls = 0

    def save_then_die(obj, target, *args, **kwargs):
        nonlocal calls
        calls += 1
        if calls < 2:
            return real_save(obj, target, *args, **kwargs)
        buffer = io.BytesIO()
        real_save(obj, buffer, *args, **kwargs)
        data = buffer.getvalue()
        target.write(data[: len(data) // 2] if mode == "torn" else data)
        target.flush()
        os.fsync(target.fileno())
        os.kill(os.getpid(), signal.SIGKILL)

    torch.save = save_then_die
    data_dir = Path(spec["data_dir"])
    provenance = LoraProvenance(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec["provenance"].items()})
    examples = [TrainingExample(Path(p), c) for p, c in spec["examples"]]
    train_lora(builtin_model_ref(data_dir), examples, Path(spec["job_dir"]), Path(spec["output"]),
               LoraTrainConfig(**spec["cfg"]), provenance, config_root=data_dir)
    sys.exit("the run ended without being killed")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
