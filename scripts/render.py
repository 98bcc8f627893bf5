"""Render a template: replace ${NAME} with the environment's NAME; fail on unknowns."""
import os
import re
import sys

text = open(sys.argv[1], encoding="utf-8").read()
missing = sorted({m for m in re.findall(r"\$\{(\w+)\}", text) if m not in os.environ})
if missing:
    sys.exit(f"render.py: {sys.argv[1]} needs unset variables: {', '.join(missing)}")
sys.stdout.write(re.sub(r"\$\{(\w+)\}", lambda m: os.environ[m.group(1)], text))
