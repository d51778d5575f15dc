"""Checks each service's OpenAPI document as an integrator's tools will read it.

For every URL given: the document validates as OpenAPI 3.1 (openapi-spec-validator), a
Python client is generated from it (openapi-python-client) with no warning and no operation
dropped, and every operation documents its error responses with the Problem schema.
Exits non-zero naming each defect.
"""

import json
import pathlib
import subprocess
import sys
import tempfile
import urllib.request

from openapi_spec_validator import validate

METHODS = ("get", "put", "post", "delete", "patch")
HERE = pathlib.Path(__file__).resolve().parent


def operations(doc):
    for path, item in doc["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def error_defects(doc):
    """Every /api/ operation answers 500 and 503 as problem+json; authenticated ones 401/403."""
    for path, method, op in operations(doc):
        if not path.startswith("/api/"):
            continue
        responses = op.get("responses", {})
        needed = ["500", "503"]
        if op.get("security"):
            needed += ["401", "403"]
        for status in needed:
            content = responses.get(status, {}).get("content", {})
            if "application/problem+json" not in content:
                yield f"{method.upper()} {path}: no problem+json {status} response"


def generate(doc, name):
    """Generates a client; returns (generator output, number of endpoint functions)."""
    with tempfile.TemporaryDirectory() as tmp:
        spec = pathlib.Path(tmp, "openapi.json")
        spec.write_text(json.dumps(doc))
        out = pathlib.Path(tmp, "client")
        run = subprocess.run(
            [sys.executable, "-m", "openapi_python_client", "generate",
             "--path", str(spec), "--output-path", str(out), "--meta", "none",
             "--config", str(HERE / "client-config.json")],
            capture_output=True, text=True)
        text = run.stdout + run.stderr
        if run.returncode != 0:
            return text, -1
        endpoints = [p for p in out.rglob("api/*/*.py") if p.name != "__init__.py"]
        return text, len(endpoints)


def main(urls):
    failures = []
    for url in urls:
        doc = json.load(urllib.request.urlopen(url))
        name = doc.get("info", {}).get("title", url)
        try:
            validate(doc)
        except Exception as e:  # the validator's own error names the place
            failures.append(f"{name}: not valid OpenAPI: {e}".splitlines()[0])
        failures += [f"{name}: {d}" for d in error_defects(doc)]
        output, generated = generate(doc, name)
        expected = sum(1 for _ in operations(doc))
        if "Warning" in output or "WARNING" in output or generated != expected:
            failures.append(
                f"{name}: client generation dropped operations "
                f"({generated} of {expected}):\n{output}")
        print(f"{name}: valid, {expected} operations, {generated} generated")
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
