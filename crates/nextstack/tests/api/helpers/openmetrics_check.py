"""Parses an OpenMetrics exposition from stdin with the reference parser
(prometheus_client's strict OpenMetrics parser) and prints every sample as
JSON lines: {"name", "labels", "value"}. Exits non-zero on any format error."""

import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

text = sys.stdin.read()
try:
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            print(json.dumps({"name": sample.name, "labels": sample.labels, "value": sample.value, "type": family.type}))
except Exception as err:  # the parser raises ValueError (and friends) on any malformed line
    print(f"invalid exposition: {err}", file=sys.stderr)
    sys.exit(1)
