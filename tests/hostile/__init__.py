"""The hostile-input suite (issue 16): fuzzing, decimal contexts, first use, memory, logs."""
