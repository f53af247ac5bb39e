"""Training the studio's own models: the data, the recipe and the loop.

`openmoji_data` needs no torch; `emoji_model`, `emoji_train` and `emoji_eval` import torch, diffusers and
transformers at module level and are imported only by the training command and the benchmark.
"""
