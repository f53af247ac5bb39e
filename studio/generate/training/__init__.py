"""Training the studio's own models: the data, the recipe and the loop.

`openmoji_data` needs no torch; `emoji_model`, `emoji_train`, `emoji_eval` and `lora_train` import torch,
diffusers and transformers at module level and are imported only by the training commands and the benchmark.
"""

import os

# transformers reads its verbosity once, when first imported: set before any module of this package imports it,
# so its advice lines (missing optional backends) never reach a training command's stderr.
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("DIFFUSERS_VERBOSITY", "error")
