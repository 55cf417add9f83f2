"""Reads multi-document YAML with PyYAML (a YAML 1.1 reader) and prints the documents as
JSON. A value that JSON cannot hold (a date, a timestamp) becomes {"$nonjson": repr},
so a string that a YAML 1.1 reader takes for something else never compares equal.

Usage: python yaml11_read.py FILE
"""
import json
import sys

import yaml

with open(sys.argv[1], encoding="utf-8") as fh:
    docs = [d for d in yaml.safe_load_all(fh) if d is not None]
print(json.dumps(docs, default=lambda o: {"$nonjson": repr(o)}))
