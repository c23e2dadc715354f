# The python3 trace's program: word counts, a dict of lists and a JSON round trip (run with PYTHONMALLOC=malloc
# so CPython's own small-object allocator does not hide its requests from malloc).
import collections
import json

words = [("w%d" % ((i * 7919) % 5003)) * (1 + i % 7) for i in range(1000)]
counts = collections.Counter(words)
doc = {k: [v, k.upper(), list(range(v % 13))] for k, v in counts.items()}
text = json.dumps(doc)
back = json.loads(text)
print(len(back), len(text))
